"""Accessibility sweep: axe-core (WCAG 2.x A/AA and best practices) on every client page and
every dialog, with the demo data and with an account that has nothing yet, on a 1366 px
desktop and a 375 px phone (menu closed and open), in English and in French; the sign-in
page (also with its error) and the 404 page too. Any violation fails.

The pages come from the tenancy walk's list (tests/*/access_cases.py), so a new page under
/a/<number>/ fails test_every_client_page_is_swept until it is added here. As a sweep, pages
are reached by URL; dialogs are opened by clicking their buttons. No axe rule is disabled.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import axe_violations
from tests.test_tenancy_walk import CASES, account_url_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-portal-2026"
PASSWORD = "correct horse 42"


def _message(account):
    from portal.inbox.models import Message

    message = Message.objects.filter(account=account).order_by("-urgent", "pk").first()
    return {"message_id": message.message_id}  # an urgent one: its banner too


def _transaction(account):
    from portal.calls.models import Call

    call = Call.objects.filter(account=account, kind="transaction").first()
    return {"call_id": call.call_id}


def _voice(account):
    from portal.calls.models import Recording

    return {"call_id": Recording.objects.filter(call__account=account).first().call.call_id}


# Every client page (GET, HTML), with how to find what its URL needs in the demo data; None
# when it needs nothing (those are also swept for the account with no data).
PAGES = {
    "home": None,
    "settings": None,
    "inbox": None,
    "message_detail": _message,
    "directory": None,
    "info_pages": None,
    "calls": None,
    "call_details": _transaction,
    "call_voice": _voice,
    "oncall": None,
    "oncall_assign": None,
    "oncall_override": None,
    "oncall_unassign": None,
    "oncall_swap": None,
    "oncall_comment": None,
    "oncall_history": None,
    "oncall_feeds": None,
    "billing": None,
    "billable": None,
    "stats": None,
    "stats_schedules": None,
    "two_factor_setup_account": None,  # turning on two-step verification (QR code, key)
    "exports": None,  # the login's recent background exports
}
# Client URLs that are not pages a person reads.
NOT_PAGES = {
    "inbox_poll": "an htmx fragment of new rows, swept as part of the inbox",
    "inbox_export": "a file (CSV / Excel)",
    "message_status": "an action (POST) that goes back to the message",
    "message_confirm": "an action (POST) that goes back to the list or the message (its "
    "answer in the list is a row, swept in tests/web/test_confirm_message.py)",
    "calls_excel": "a file (Excel)",
    "calls_download": "a file (ZIP of recordings)",
    "calls_email": "an action (POST) that goes back to the call log",
    "call_recording": "an audio file",
    "oncall_pdf": "a file (PDF)",
    "oncall_history_csv": "a file (CSV)",
    "oncall_history_xlsx": "a file (Excel)",
    "billable_export": "a file (Excel)",
    "billable_email": "an action (POST) that goes back to the billable calls",
    "stats_export": "a file (Excel)",
    "stats_email": "an action (POST) that goes back to the statistics",
    "stats_schedule_delete": "an action (POST) that goes back to the scheduled reports",
    "two_factor_codes_account": "shown once after new codes; axe in tests/web/test_two_factor.py",
    "two_factor_new_codes": "an action (POST) that leads to the new recovery codes",
    "two_factor_off": "an action (POST) that goes back to Settings",
    "client_token_create": "an action (POST) that goes back to Settings (the new token shown "
    "once on Settings, swept in tests/web/test_client_tokens.py)",
    "client_token_revoke": "an action (POST) that goes back to Settings",
    "export_job": "one background export's page; axe in tests/tasks/test_exports_browser.py "
    "and tests/web/test_background_exports.py",
    "export_download": "a file (the background export's)",
}

WORDS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "french": "Français",
        "sign_out": "Sign out",
        "details": "Details",
        "voice": "Voice",
        "oncall": ["Assign", "Override", "UnAssign", "Swap Shift", "Comment"],
        "add": "Add",
        "change_password": "Change password",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "french": "Français",
        "sign_out": "Sortie",
        "details": "Détails",
        "voice": "Voix",
        "oncall": ["Assigner", "Remplacement", "Désassigner", "Échanger le quart", "Commentaire"],
        "add": "Ajouter",
        "change_password": "Modifier le mot de passe",
    },
}


def test_every_client_page_is_swept():
    names = account_url_names() | {c.name for c in CASES}
    assert not names - PAGES.keys() - NOT_PAGES.keys(), "add these to PAGES or NOT_PAGES"
    assert not (PAGES.keys() | NOT_PAGES.keys()) - names, "no such URL any more"


class Sweep:
    """Runs axe on each state of one browser page; collects every violation, each once with
    the states it was found in."""

    def __init__(self, page, phone):
        self.page, self.phone, self.found, self.states = page, phone, {}, 0

    def check(self, state, selector=None):
        self.states += 1
        for v in axe_violations(self.page, selector):
            for node in v["nodes"]:
                key = f"{v['id']} ({v['impact']}): {v['help']}\n      {node}"
                self.found.setdefault(key, []).append(state)

    def page_states(self, state):
        """The page as it is; on a phone, also with the three-line menu open."""
        self.check(state)
        menu = self.page.locator("[data-menu-toggle]")
        if self.phone and menu.count():
            menu.click()
            self.page.locator("#sidebar").wait_for(state="visible")
            # What opening the menu changes: the menu and the bar above it.
            self.check(state + " (menu open)", {"include": [["#sidebar"], [".topbar"]]})
            menu.click()
            self.page.locator("#sidebar").wait_for(state="hidden")

    def goto(self, url, state):
        response = self.page.goto(url)
        assert response.ok, f"{url}: {response.status}"
        self.page_states(state)

    def report(self):
        assert not self.found, f"axe-core violations ({len(self.found)}):\n" + "\n".join(
            f"- {key}\n      on: {', '.join(states[:6])}{' …' if len(states) > 6 else ''}"
            for key, states in self.found.items()
        )


def _sign_in(page, base, w, username, password):
    page.goto(f"{base}/login/")
    page.get_by_label(w["user"]).fill(username)
    page.get_by_label(w["password"], exact=True).fill(password)
    page.get_by_role("button", name=w["enter"]).click()
    page.wait_for_url("**/a/*/")


def _in_language(page, lang, w):
    if page.locator("html").get_attribute("lang") != lang:
        page.get_by_role("button", name=w["french"] if lang == "fr" else "English").click()
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")


def _close_dialog(page, dialog):
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


def _dialogs(sweep, page, base, account, w):
    """Every dialog of the demo account, opened by its button or link."""
    # The call log over its whole period: both sections, each with its pager; Details and
    # Voice open in the call dialog.
    today = timezone.localdate(timezone=account.tz)
    start = today - dt.timedelta(days=account.retention_days - 1)
    sweep.goto(
        f"{base}/a/{account.number}/calls/?start_date={start}&end_date={today}", "calls, all"
    )
    dialog = page.locator("#call-dialog")
    for label in (w["details"], w["voice"]):
        link = page.locator("tbody").get_by_role("link", name=label, exact=True)
        if label == w["voice"]:
            # On a phone the card's play button opens the player (its Voice button is hidden).
            link = page.locator("tbody").locator("a.voice:visible, a.play-link:visible")
        link.first.click()
        dialog.wait_for(state="visible")
        page.locator("#call-dialog-body .dialog-title").wait_for()
        sweep.check(f"call log, {label} dialog")
        _close_dialog(page, dialog)
    page.locator("#report-email").fill("boss@example.com")
    page.locator(".email-form").get_by_role("button").click()  # Send
    page.locator(".flash li").wait_for()
    sweep.check("calls, report sent")

    # A message, from the inbox.
    page.goto(f"{base}/a/{account.number}/messages/")
    page.locator("#message-rows a[href*='/messages/']").first.click()
    page.wait_for_url("**/messages/*/**")
    sweep.page_states("a message opened from the inbox")
    page.locator(".status-box button").click()  # Close the message (or Reopen)
    page.locator(".flash li").wait_for()
    sweep.check("a message, its status changed")

    # On call: each action on a chosen shift.
    page.goto(f"{base}/a/{account.number}/oncall/")
    dialog = page.locator("#oncall-dialog")
    for label in w["oncall"]:
        page.locator("tr.oc-row td").nth(1).click()
        page.get_by_role("button", name=label, exact=True).click()
        dialog.wait_for(state="visible")
        dialog.locator("[data-dialog-body], .dlg").first.wait_for()
        sweep.check(f"on call, {label} dialog")
        _close_dialog(page, dialog)
    # With no shift chosen.
    page.goto(f"{base}/a/{account.number}/oncall/")
    page.get_by_role("button", name=w["oncall"][0], exact=True).click()
    dialog.wait_for(state="visible")
    sweep.check("on call, a dialog with no shift chosen")
    _close_dialog(page, dialog)

    # The scheduled reports' form, refused.
    page.goto(f"{base}/a/{account.number}/stats/schedules/")
    page.locator("#sched-emails").fill("not an address")
    page.get_by_role("button", name=w["add"], exact=True).click()
    page.locator(".report-form [role=alert]").wait_for()
    sweep.page_states("scheduled reports, refused address")
    page.locator("#sched-emails").fill("boss@example.com")
    page.get_by_role("button", name=w["add"], exact=True).click()
    page.locator(".flash li").wait_for()
    sweep.page_states("scheduled reports, one added")
    page.locator(".table-wrap").get_by_role("button").click()  # Remove
    page.locator(".flash li").wait_for()
    sweep.check("scheduled reports, removed")

    # Settings: the password form, refused.
    page.goto(f"{base}/a/{account.number}/settings/")
    page.get_by_role("button", name=w["change_password"]).click()
    page.locator(".field-errors, .alert.error").first.wait_for()
    sweep.page_states("settings, refused password")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_accessibility_violation_anywhere(
    new_page, live_server, make_account, make_user, lang, phone
):
    from portal.accounts.models import Account

    call_command("seed_demo", days=12, stdout=io.StringIO())
    demo = Account.objects.get(number="4000")
    empty = make_account("7000", "EMPTY", language=lang)
    make_user("empty", empty, language=lang)
    make_user("nobody", language=lang)

    w = WORDS[lang]
    base = live_server.url
    page = new_page(phone=phone, locale="fr-CA" if lang == "fr" else "en-US")
    sweep = Sweep(page, phone)

    # Signed out: a missing page, the sign-in page, also refused.
    page.goto(f"{base}/no-such-page/")
    sweep.check("404, signed out")
    page.goto(f"{base}/login/")
    sweep.check("sign-in")
    page.get_by_label(w["user"]).fill("demo")
    page.get_by_label(w["password"], exact=True).fill("wrong")
    page.get_by_role("button", name=w["enter"]).click()
    page.get_by_role("alert").wait_for()
    sweep.check("sign-in, refused")

    # Every page of the demo account (two accounts: the switcher is a list).
    _sign_in(page, base, w, "demo", DEMO_PASSWORD)
    _in_language(page, lang, w)
    # The stylesheet applies (without it, colour contrast and what phones hide are not judged).
    topbar = page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert topbar == "rgb(31, 78, 121)"
    for name, needs in PAGES.items():
        kwargs = needs(demo) if needs else {}
        url = base + reverse(name, kwargs={"account_number": demo.number, **kwargs})
        sweep.goto(url, name)
    _dialogs(sweep, page, base, demo, w)
    page.goto(f"{base}/a/9999/")
    sweep.page_states("404")
    page.get_by_role("button", name=w["sign_out"]).click()
    page.wait_for_url("**/login/")

    # An account with nothing yet (one account: no list): every page without results.
    _sign_in(page, base, w, "empty", PASSWORD)
    for name, needs in PAGES.items():
        if needs is None:
            sweep.goto(
                base + reverse(name, kwargs={"account_number": empty.number}), f"{name}, empty"
            )
    page.get_by_role("button", name=w["sign_out"]).click()
    page.wait_for_url("**/login/")

    # A login without any account.
    page.get_by_label(w["user"]).fill("nobody")
    page.get_by_label(w["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=w["enter"]).click()
    page.wait_for_url(base + "/")
    sweep.page_states("a login without account")
    assert sweep.states > 40
    sweep.report()


# The focused element's ring: its outline (style, width, colour) and the page behind it.
FOCUS_RING = """() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    return {tag: el.tagName + (el.className ? "." + el.className : ""), text: el.textContent.trim().slice(0, 30),
            id: el.id || el.name || el.value || "",
            style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor,
            top: !!el.closest(".topbar, .skip")};
}"""


@pytest.mark.parametrize("lang", ["en"])
def test_the_keyboard_focus_is_always_visible(new_page, live_server, lang):
    """Tab through the sign-in page and the call log: every stop shows a 3 px ring, dark on
    the light page and yellow on the dark top bar (and around the skip link, shown over it)."""
    call_command("seed_demo", days=2, stdout=io.StringIO())
    w = WORDS[lang]
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_RING))
    _sign_in(page, live_server.url, w, "demo", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Call Log").click()
    page.wait_for_url("**/calls/")
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_RING))
    assert len({(s["tag"], s["text"], s["id"]) for s in stops}) > 30
    for stop in stops:
        if stop["tag"] == "BODY":  # past the last stop of the sign-in page
            continue
        assert stop["style"] != "none" and stop["width"] >= 3, repr(stop)
        dark_ring = stop["color"] in ("rgb(22, 58, 92)",)  # --brand-dark
        yellow_ring = stop["color"] in ("rgb(255, 191, 71)",)  # --focus
        assert yellow_ring if stop["top"] else dark_ring, stop
