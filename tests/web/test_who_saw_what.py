"""The back office's "Who saw what" in a real browser (issue 13, item 7).

A staff member signs in (password, then the code of their authenticator app), opens the client
account, follows "Who saw what", narrows the account's trail to one person and one action by
the filters' visible labels, then to a day with the From / To fields, reads the entries (times
in the account's zone) and downloads the CSV and Excel exports, which hold what the page shows.
English and French; axe on the page.
"""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from portal.accounts.models import AuditLog
from tests.twofactor import enrol, pass_code_step
from tests.web.portal_pages import fill_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UTC = dt.UTC

WORDS = {
    "en": {
        "who": "Who saw what",
        "person": "By person",
        "action": "By action",
        "dates": "By date",
        "played": "Recording played",
        "exported": "Call log exported",
        "from": "From",
        "to": "To",
        "apply": "Apply dates",
        "csv": "Export CSV",
        "excel": "Export Excel",
        "header": ["Time", "Time zone", "Person", "Address", "Action"],
        "bad": "“2026-02-30” is not a date: write it as YYYY-MM-DD",
    },
    "fr": {
        "who": "Qui a vu quoi",
        "person": "Par personne",
        "action": "Par action",
        "dates": "Par date",
        "played": "Enregistrement écouté",
        "exported": "Journal d’appels exporté",
        "from": "Du",
        "to": "Au",
        "apply": "Appliquer les dates",
        "csv": "Exporter en CSV",
        "excel": "Exporter en Excel",
        "header": ["Heure", "Fuseau horaire", "Personne", "Adresse", "Action"],
        "bad": "« 2026-02-30 » n’est pas une date : écrivez-la AAAA-MM-JJ",
    },
}


def plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def trail(account, other_account):
    def entry(at, actor, action, acc=account, object_id="17"):
        AuditLog.objects.create(
            at=at,
            actor=actor,
            action=action,
            account=acc,
            ip="203.0.113.7",
            object_type="calls.call",
            object_id=object_id,
        )

    # 02:30 UTC on the 20th is 21:30 on the 19th in Toronto (EST).
    entry(dt.datetime(2026, 11, 20, 2, 30, tzinfo=UTC), "marie", "recording.play", object_id="41")
    entry(dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC), "marie", "recording.play", object_id="42")
    entry(dt.datetime(2026, 11, 21, 14, 0, tzinfo=UTC), "marie", "calls.export")
    entry(dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC), "paul", "recording.play")
    entry(dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC), "zoe", "recording.play", other_account)


def rows_on(page) -> list[list[str]]:
    return [
        [plain(c) for c in row.locator("th, td").all_inner_texts()]
        for row in page.locator("#result_list tbody tr").all()
    ]


def choose(page, filter_title: str, choice: str) -> None:
    """In the filter panel, the choice under its heading ("By person" → "marie")."""
    panel = page.locator("#changelist-filter details").filter(has_text=filter_title)
    panel.get_by_role("link", name=choice, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_staff_read_who_saw_what_and_download_it(
    lang, new_page, live_server, make_user, account, other_account, axe, shoot
):
    w = WORDS[lang]
    staff = make_user("staffer", is_staff=True, is_superuser=True, language=lang)
    enrol(staff)
    trail(account, other_account)
    page = new_page(locale="fr-CA" if lang == "fr" else "en-US")

    page.goto(f"{live_server.url}/admin/")
    fill_sign_in(page, lang, "staffer")
    pass_code_step(page, staff, lang)
    page.wait_for_url(re.compile(r"/admin/$"))

    # The account's page, then its "Who saw what".
    page.goto(f"{live_server.url}/admin/accounts/account/")
    page.get_by_role("link", name="4000", exact=True).click()
    page.get_by_role("link", name=w["who"]).click()
    page.wait_for_url(re.compile(rf"/admin/accounts/auditlog/\?account__id__exact={account.pk}"))
    page.get_by_role("heading", name=f"{w['who']} — 4000-TEST").wait_for()
    rows = rows_on(page)
    assert not [r for r in rows if "zoe" in r]  # another account's reader
    assert len([r for r in rows if "marie" in r or "paul" in r]) == 4

    # One person, then one action, by the filters' labels.
    choose(page, w["person"], "marie")
    choose(page, w["action"], w["played"])
    rows = rows_on(page)
    assert len(rows) == 2
    assert all("marie" in r and w["played"] in r for r in rows)
    assert any("2026-11-19 21:30:00 EST" in r for r in rows)  # the account's zone
    axe(page)
    shoot(page, f"who-saw-what-{lang}")

    # A day range by the From / To fields, under their heading.
    assert page.locator("#changelist-filter summary", has_text=w["dates"]).is_visible()
    page.get_by_label(w["from"], exact=True).fill("2026-11-19")
    page.get_by_label(w["to"], exact=True).fill("2026-11-19")
    page.get_by_role("button", name=w["apply"]).click()
    page.wait_for_load_state()
    rows = rows_on(page)
    assert len(rows) == 1
    assert "2026-11-19 21:30:00 EST" in rows[0] and "calls.call · 41" in rows[0]
    assert "marie" in rows[0]  # the person and action filters were kept

    # The exports hold what the page shows, oldest first.
    with page.expect_download() as info:
        page.get_by_role("link", name=w["csv"]).click()
    assert info.value.suggested_filename.endswith(".csv")
    with open(info.value.path(), encoding="utf-8-sig") as file:
        text = file.read()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == w["header"]
    assert len(table) == 2
    assert table[1][:5] == [
        "2026-11-19 21:30:00",
        "America/Toronto",
        "marie",
        "203.0.113.7",
        w["played"],
    ]
    assert table[1][8] == "41"

    with page.expect_download() as info:
        page.get_by_role("link", name=w["excel"]).click()
    assert re.fullmatch(r"audit-4000-\d{8}-\d{4}\.xlsx", info.value.suggested_filename)
    with open(info.value.path(), "rb") as file:
        sheet = load_workbook(file).active
    values = list(sheet.iter_rows(values_only=True))
    header = values.index(tuple(table[0]))
    assert [r[:3] for r in values[header + 1 :]] == [
        (dt.datetime(2026, 11, 19, 21, 30), "America/Toronto", "marie")
    ]

    # Reading the trail is in the trail: the lists shown and the exports, as staffer.
    mine = AuditLog.objects.filter(actor="staffer", account=account)
    assert mine.filter(action="admin.list", object_type="accounts.auditlog").count() >= 3
    assert sorted(mine.filter(action="audit.export").values_list("detail__format", flat=True)) == [
        "csv",
        "xlsx",
    ]

    # A day that does not exist is refused with a clear message.
    page.get_by_label(w["from"], exact=True).evaluate("(el) => { el.type = 'text'; }")
    page.get_by_label(w["from"], exact=True).fill("2026-02-30")
    page.get_by_role("button", name=w["apply"]).click()
    page.wait_for_load_state()
    assert w["bad"] in plain(page.locator(".messagelist").inner_text())
    assert rows_on(page) == []  # nothing listed rather than more than was asked
