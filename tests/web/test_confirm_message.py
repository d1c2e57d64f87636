"""Confirm an urgent message in a real browser (issue 15, item 3): the client opens the Messages
page from the menu, sees the urgent message, presses "Confirm" / « Confirmer » in its row or
on its page, and reads the confirmation off the page: who confirmed it in the row, the
"Confirmed by …" event in the dispatch history, the answer in the person's language. In English
and French, on a desktop and a phone, without JavaScript too; axe-core on each page.

And the issue's "done when": the platform registered a webhook through the provisioning API;
a press of Confirm in the browser reaches a local HTTP receiver as a signed
`message.status_changed` (kind `confirmed`, the message, who)."""

import hashlib
import hmac
import json
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portal.inbox.models import MessageEvent
from tests.calls.helpers import make_message
from tests.conftest import free_port
from tests.twofactor import enrol, pass_code_step
from tests.web.inbox_pages import WORDS, practice_messages, sign_in_and_open_inbox
from tests.web.portal_pages import fill_sign_in, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_LOCALE = {"en": "en-US", "fr": "fr-CA"}
NB = "\u00a0"
SAY = {
    "en": {
        "confirm": "Confirm",
        "by": "Confirmed by {who}",
        "history": "Confirmed by {who} (portal)",
        "page_by": "Confirmed by {who} on ",
        "done": "Message {id} is confirmed: the dispatch stops escalating it.",
        "urgent": "Urgent",
    },
    "fr": {
        "confirm": "Confirmer",
        "by": "Confirmé par {who}",
        "history": "Confirmé par {who} (portail)",
        "page_by": "Confirmé par {who} le ",
        "done": f"Le message {{id}} est confirmé{NB}: la répartition cesse de le relancer.",
        "urgent": "Urgent",
    },
}


@pytest.fixture
def practice(make_account, make_user):
    account = make_account("4000", "TEST")
    made = practice_messages(account)
    made["second"] = make_message(
        account, subject="ALARME", fields=[["Ville", "Laval"]], urgent=True, message_id="2598670"
    )
    for lang in ("en", "fr"):
        make_user(f"marie-{lang}", account, language=lang)
    return made


def row(page, message_id):
    return page.locator(f"#msg-{message_id}")


def history(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".history .events li").all_inner_texts()]


def confirmed(message) -> list[MessageEvent]:
    return list(MessageEvent.objects.filter(message=message, kind="confirmed"))


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("fr", False), ("en", True)])
def test_confirm_in_the_list_then_on_the_message_page(
    new_page, live_server, practice, lang, phone, shoot, axe
):
    say, w, who = SAY[lang], WORDS[lang], f"marie-{lang}"
    page = new_page(phone=phone, locale=BROWSER_LOCALE[lang])
    sign_in_and_open_inbox(page, live_server, who, lang, phone=phone)
    shot = f"confirm-{lang}{'-phone' if phone else ''}"

    # The urgent messages carry the badge and a Confirm button; the others have none.
    urgent = row(page, "2598662")
    expect(urgent.get_by_text(say["urgent"], exact=True)).to_be_visible()
    expect(urgent.get_by_role("button", name=say["confirm"])).to_be_visible()
    expect(row(page, "2598664").get_by_role("button", name=say["confirm"])).to_have_count(0)
    axe(page)

    # In the list: the row is swapped in place and says who confirmed it.
    urgent.get_by_role("button", name=say["confirm"]).click()
    expect(urgent.get_by_text(say["by"].format(who=who), exact=True)).to_be_visible()
    expect(urgent.get_by_role("button", name=say["confirm"])).to_have_count(0)
    expect(page.locator("#confirm-answer")).to_have_text(say["done"].format(id="2598662"))
    # The other urgent message still offers Confirm.
    expect(row(page, "2598670").get_by_role("button", name=say["confirm"])).to_be_visible()
    shoot(page, f"{shot}-list")
    axe(page)
    [event] = confirmed(practice["today"])
    assert (event.channel, event.recipient) == ("portal", who)

    # Its page shows the event in the dispatch history, and no second Confirm.
    urgent.get_by_role("link", name="RENDEZ-VOUS").click()
    page.wait_for_url("**/messages/2598662/**")
    expect(page.get_by_role("heading", name=w["history"])).to_be_visible()
    lines = history(page)
    assert lines[0].endswith(say["history"].format(who=who)), lines
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", lines[0])
    expect(page.get_by_text(say["page_by"].format(who=who))).to_be_visible()
    expect(page.get_by_role("button", name=say["confirm"], exact=True)).to_have_count(0)
    axe(page)

    # On the page of the other urgent message: Confirm there, the page answers in place.
    page.get_by_role("link", name=w["back"]).click()
    page.wait_for_url(re.compile(r".*/messages/(\?.*)?$"))
    row(page, "2598670").get_by_role("link", name="ALARME").click()
    page.wait_for_url("**/messages/2598670/**")
    assert not any("(portal)" in line or "(portail)" in line for line in history(page))
    page.get_by_role("button", name=say["confirm"], exact=True).click()
    expect(page.locator(".flash")).to_have_text(say["done"].format(id="2598670"))
    expect(page.locator(".history .events li").first).to_contain_text(
        say["history"].format(who=who)
    )
    expect(page.get_by_role("button", name=say["confirm"], exact=True)).to_have_count(0)
    shoot(page, f"{shot}-message")
    axe(page)
    assert [e.recipient for e in confirmed(practice["second"])] == [who]


def test_confirm_works_without_javascript(browser, live_server, practice, shoot):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_and_open_inbox(page, live_server, "marie-en")
        row(page, "2598662").get_by_role("button", name="Confirm").click()
        page.wait_for_url("**/messages/**#msg-2598662")
        expect(page.locator(".flash")).to_have_text(SAY["en"]["done"].format(id="2598662"))
        expect(
            row(page, "2598662").get_by_text("Confirmed by marie-en", exact=True)
        ).to_be_visible()
        shoot(page, "confirm-nojs-list")
        row(page, "2598670").get_by_role("link", name="ALARME").click()
        page.get_by_role("button", name="Confirm", exact=True).click()
        page.wait_for_url("**/messages/2598670/**")
        expect(page.locator(".flash")).to_have_text(SAY["en"]["done"].format(id="2598670"))
        assert history(page)[0].endswith("Confirmed by marie-en (portal)")
    finally:
        context.close()
    assert len(confirmed(practice["today"])) == 1 and len(confirmed(practice["second"])) == 1


# --- The event arrives at the platform -------------------------------------------------------


class Receiver:
    """A local HTTP server standing for the platform: it keeps each delivery's raw body and
    headers, and answers 200."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((dict(self.headers.items()), raw))
                receiver.arrived.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/portal-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def provision_webhook(live_server, token: str, url: str, secret: str):
    """The platform registers its webhook through the provisioning API (PUT)."""
    body = json.dumps(
        {"url": url, "secret": secret, "events": ["message.status_changed"], "accounts": ["4000"]}
    ).encode()
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/webhooks/dispatch-escalation",
        data=body,
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201)


def test_a_confirmation_in_the_browser_reaches_the_platform_signed(
    new_page, live_server, practice, receiver, make_token, shoot
):
    secret = "escalation-secret-42"
    provision_webhook(live_server, make_token("provision"), receiver.url, secret)
    page = new_page(locale="fr-CA")
    sign_in_and_open_inbox(page, live_server, "marie-fr", "fr")
    row(page, "2598662").get_by_role("button", name="Confirmer").click()
    expect(row(page, "2598662").get_by_text("Confirmé par marie-fr", exact=True)).to_be_visible()
    assert receiver.arrived.wait(20), "no delivery reached the receiver"
    [(headers, raw)] = receiver.received
    # Signed: HMAC-SHA256 of the raw body with the webhook's secret.
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Portal-Signature"], expected)
    assert headers["Content-Type"].startswith("application/json")
    body = json.loads(raw)
    assert body["event"] == "message.status_changed" and body["account"] == "4000"
    assert body["id"]
    data = body["data"]
    assert data["kind"] == "confirmed" and data["message_id"] == "2598662"
    assert data["actor"] == "marie-fr" and data["status"] == "open"
    [event] = confirmed(practice["today"])
    local = event.at.astimezone(practice["today"].account.tz)
    assert data["at"] == local.isoformat() and body["at"] == local.isoformat()
    shoot(page, "confirm-webhook-fr")


# --- Staff viewing the account as the client: refused where the button is -------------------


def test_staff_viewing_as_the_client_are_refused_in_place(
    new_page, live_server, practice, make_user, shoot, axe
):
    refused = "You are viewing this account as the client, read-only: nothing was changed."
    staff = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    enrol(staff)
    page = new_page()
    page.goto(f"{live_server.url}/admin/")
    fill_sign_in(page, "en", "staffer")
    pass_code_step(page, staff, "en")
    page.wait_for_url(re.compile(r"/admin/$"))
    account = practice["today"].account
    page.goto(live_server.url + reverse("admin:accounts_account_view_as", args=[account.pk]))
    page.get_by_label("Reason").fill("Ticket 88: the client asks about Confirm")
    page.get_by_role("button", name="View as client").click()
    page.wait_for_url(re.compile(r"/a/4000/$"))
    open_section(page, "en", "Inbox / Messages", False)

    # In the list: the refusal shows beside the list (htmx), the row keeps its button.
    row(page, "2598662").get_by_role("button", name="Confirm").click()
    expect(page.locator("#confirm-answer [role=alert]")).to_have_text(refused)
    expect(row(page, "2598662").get_by_role("button", name="Confirm")).to_be_visible()
    axe(page)
    # On the message's page: the same, under the button.
    row(page, "2598662").get_by_role("link", name="RENDEZ-VOUS").click()
    page.wait_for_url("**/messages/2598662/**")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator("#confirm-answer [role=alert]")).to_have_text(refused)
    expect(page.get_by_role("button", name="Confirm", exact=True)).to_be_visible()
    shoot(page, "confirm-view-as-refused")
    axe(page)
    assert not confirmed(practice["today"])
