"""In Chromium: the platform posts its Asterisk CDRs, then a member finds those calls in the
Call Log and counts them in the Statistics, by the pages' own labels (English and French)."""

import datetime as dt

import pytest
from django.test import Client

from tests.calls.browser import sign_in
from tests.cdr.helpers import ASTERISK, fixture

WORDS = {
    "en": {
        "three": "Previous three hours",
        "search": "Search for Calls",
        "from": "From",
        "to": "To",
        "stats": "Retrieve Stats",
    },
    "fr": {
        "three": "Trois heures précédentes",
        "search": "Récupérer les Appels",
        "from": "Du",
        "to": "Au",
        "stats": "Afficher les statistiques",
    },
}


def recent_rows(account) -> str:
    """Master.csv's first four rows (4000), moved to about an hour ago, local time."""
    base = dt.datetime.now(account.tz).replace(microsecond=0) - dt.timedelta(minutes=70)
    out = []
    for row in fixture("Master.csv").splitlines()[:4]:
        # Each row keeps its minutes after 09:00 on 2026-10-15.
        for hhmm in ("09:00", "09:01", "09:05", "09:10", "09:20"):
            minutes = int(hhmm[3:])
            at = base + dt.timedelta(minutes=minutes)
            row = row.replace(f"2026-10-15 {hhmm}", at.strftime("%Y-%m-%d %H:%M"))
        out.append(row)
    return "\n".join(out) + "\n"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cdr_calls_in_the_call_log_and_statistics(
    page, live_server, make_account, make_user, make_token, axe, shoot, lang
):
    account = make_account("4000", "CLINIQUE", language=lang)
    user = make_user(f"cdr-{lang}", account, language=lang)
    token = make_token("ingest")
    r = Client().post(
        ASTERISK,
        recent_rows(account),
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 200, r.content
    w = WORDS[lang]
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/a/4000/calls/")
    page.get_by_label(w["three"]).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    for call_id in ("1792069200.1", "1792069500.3", "1792069800.5", "1792070400.7"):
        assert page.locator(f"td:text-is('{call_id}')").count() == 1, call_id
    assert page.get_by_text("Doe, John").count() >= 1
    assert page.get_by_text("Tremblay, Marie-Ève").count() >= 1
    axe(page)
    shoot(page, f"cdr-call-log-{lang}")

    page.goto(f"{live_server.url}/a/4000/stats/")
    today = dt.datetime.now(account.tz).date()
    page.get_by_label(w["from"], exact=True).fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label(w["to"], exact=True).fill(today.isoformat())
    page.get_by_role("button", name=w["stats"]).click()
    page.wait_for_load_state()

    def figure(key):
        return page.locator(f'tr[data-key="{key}"] td.num').first.inner_text()

    # Answered (107 s), rang unanswered (25 s), busy (4 s), voicemail (41 s).
    assert figure("total_incoming") == "3"
    assert figure("automated") == "1"
    assert figure("agent_abandon") == "1"
    assert figure("answered_of_total") == "1"
    assert figure("busies") == "1"
    axe(page)
    shoot(page, f"cdr-stats-{lang}")
