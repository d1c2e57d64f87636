"""Staff "view as client" in a real browser (issue 13, item 8).

A staff member signs in (password, then the code of their authenticator app), opens the client
account in the back office, presses "View as client", types the reason, reads the Inbox, the
Call Log and the On Call page under the banner, tries to close a message and is refused, then
presses "Stop viewing" and is back on the account in the back office. The audit trail holds the
start, the reads (as the staff member, marked view-as) and the stop. English and French,
desktop and phone, axe on every page.
"""

import re

import pytest

from portal.accounts.models import AuditLog
from tests.calls.helpers import make_call, make_message
from tests.oncall.helpers import seed_schedule
from tests.twofactor import enrol, pass_code_step
from tests.web.portal_pages import BROWSER_IDS, BROWSERS, fill_sign_in, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "ticket 4521"

WORDS = {
    "en": {
        "view_as": "View as client",
        "reason": "Reason",
        "required": "Give the reason for viewing this account as the client",
        "region": "Viewing as the client",
        "banner": f"You are viewing 4000-TEST as the client, read-only — reason: {REASON}",
        "stop": "Stop viewing",
        "inbox": "Inbox / Messages",
        "calls": "Call Log",
        "oncall": "On Call",
        "close": "Close the message",
        "refused": "You are viewing this account as the client, read-only: nothing was changed.",
        "back": "Back to the page",
        "open": "Open",
    },
    "fr": {
        "view_as": "Voir comme le client",
        "reason": "Motif",
        "required": "Indiquez le motif de la consultation de ce compte comme le client",
        "region": "Consultation comme le client",
        "banner": f"Vous consultez 4000-TEST comme le client, en lecture seule — motif : {REASON}",
        "stop": "Arrêter la consultation",
        "inbox": "Messages",
        "calls": "Journal d'appels",
        "oncall": "Garde",
        "close": "Fermer le message",
        "refused": "Vous consultez ce compte comme le client, en lecture seule : rien n'a été modifié.",
        "back": "Retour à la page",
        "open": "Ouvert",
    },
}


def plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def banner_of(page, w):
    region = page.get_by_role("region", name=w["region"])
    region.wait_for()
    return plain(region.inner_text())


@pytest.mark.parametrize(("phone", "locale", "lang"), BROWSERS, ids=BROWSER_IDS)
def test_staff_view_an_account_as_the_client_read_only(
    phone, locale, lang, new_page, live_server, make_user, account, axe, shoot
):
    w = WORDS[lang]
    staff = make_user("staffer", is_staff=True, is_superuser=True, language=lang)
    enrol(staff)
    message = make_message(account)
    make_call(account)
    seed_schedule(account)
    page = new_page(phone=phone, locale=locale)
    shot = f"view-as-{lang}-{'phone' if phone else 'desktop'}"

    # Sign in to the back office: password, then the code.
    page.goto(f"{live_server.url}/admin/")
    fill_sign_in(page, lang, "staffer")
    pass_code_step(page, staff, lang)
    page.wait_for_url(re.compile(r"/admin/$"))

    # The account in the back office, and its "View as client".
    page.goto(f"{live_server.url}/admin/accounts/account/")
    page.get_by_role("link", name="4000", exact=True).click()
    page.get_by_role("link", name=w["view_as"]).click()
    field = page.get_by_label(w["reason"])
    field.wait_for()
    axe(page)
    shoot(page, f"{shot}-reason")
    page.get_by_role("button", name=w["view_as"]).click()  # no reason: refused
    assert w["required"] in plain(page.locator(".errorlist").inner_text())
    page.get_by_label(w["reason"]).fill(REASON)
    page.get_by_role("button", name=w["view_as"]).click()
    page.wait_for_url(re.compile(r"/a/4000/$"))
    assert banner_of(page, w).startswith(w["banner"])
    assert AuditLog.objects.filter(action="view_as.start", user=staff).count() == 1

    # Reading: the banner on the Inbox, the Call Log and the On Call page.
    for section in ("inbox", "calls", "oncall"):
        open_section(page, lang, w[section], phone)
        assert banner_of(page, w).startswith(w["banner"]), section
        page.get_by_role("button", name=w["stop"]).wait_for()
        axe(page)
        shoot(page, f"{shot}-{section}")

    # Closing a message is refused, and it stays open.
    open_section(page, lang, w["inbox"], phone)
    page.get_by_role("link", name="RENDEZ-VOUS").click()
    page.get_by_role("button", name=w["close"]).click()
    alert = page.get_by_role("alert")
    assert plain(alert.inner_text()) == w["refused"]
    assert banner_of(page, w).startswith(w["banner"])
    axe(page)
    shoot(page, f"{shot}-refused")
    message.refresh_from_db()
    assert message.status == "open" and message.closed_by is None
    page.get_by_role("link", name=w["back"]).click()
    page.get_by_role("button", name=w["close"]).wait_for()  # the message, still open
    assert w["open"] in page.locator(".status-box").inner_text()

    # "Stop viewing": back on the account in the back office; its client pages are gone.
    page.get_by_role("button", name=w["stop"]).click()
    page.wait_for_url(re.compile(rf"/admin/accounts/account/{account.pk}/change/$"))
    page.get_by_role("link", name=w["view_as"]).wait_for()
    assert page.goto(f"{live_server.url}/a/4000/messages/").status == 404
    assert page.get_by_role("region", name=w["region"]).count() == 0
    assert "RENDEZ-VOUS" not in page.content()

    # The audit trail: the start, the reads as the staff member marked view-as, the stop.
    trail = list(AuditLog.objects.filter(user=staff).order_by("at", "pk"))
    actions = [e.action for e in trail]
    assert actions.count("view_as.start") == 1 and actions.count("view_as.stop") == 1
    start, stop = actions.index("view_as.start"), actions.index("view_as.stop")
    during = trail[start + 1 : stop]
    reads = [e for e in during if not e.action.startswith("view_as")]
    assert reads, actions
    assert all(e.detail.get("view_as") is True and e.detail["reason"] == REASON for e in during)
    assert {e.account for e in during} == {account}
    assert "view_as.refused" in actions[start:stop]
    assert trail[stop].detail["ended"] == "stopped" and trail[stop].detail["reason"] == REASON
