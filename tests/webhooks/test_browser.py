"""In Chromium: a client closes and reopens a message on its page and the platform's receiver
gets both events, signed; staff read a failed delivery's last answer in the back office and
press "Send again", and the receiver gets the same delivery."""

import pytest

from portal.webhooks.models import WebhookDelivery
from portal.webhooks.services import save_webhook
from tests.calls.browser import sign_in
from tests.calls.helpers import make_message
from tests.twofactor import staff_sign_in
from tests.webhooks.conftest import SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"close": "Close the message", "reopen": "Reopen", "closed": "The message is closed."},
    "fr": {"close": "Fermer le message", "reopen": "Rouvrir", "closed": "Le message est fermé."},
}


def register(receiver):
    save_webhook(
        "platform",
        {"url": receiver.url, "secret": SECRET, "events": ["message.status_changed"]},
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_closing_a_message_in_the_browser_reaches_the_platform(
    page, live_server, make_account, make_user, receiver, shoot, lang
):
    account = make_account("4000", "TEST")
    user = make_user(f"client-{lang}", account, language=lang)
    register(receiver)
    message = make_message(account, urgent=True, message_id="2598662")
    sign_in(page, live_server, user)
    words = WORDS[lang]
    page.goto(f"{live_server.url}/a/4000/messages/{message.message_id}/")
    page.get_by_role("button", name=words["close"]).click()
    page.get_by_text(words["closed"]).wait_for()
    [closed] = receiver.wait_for(1)
    assert closed.signature_ok
    assert closed.json["event"] == "message.status_changed"
    assert closed.json["data"]["message_id"] == "2598662"
    assert closed.json["data"]["kind"] == "closed"
    assert closed.json["data"]["actor"] == f"client-{lang}"
    page.get_by_role("button", name=words["reopen"]).click()
    reopened = receiver.wait_for(2)[1]
    assert reopened.signature_ok and reopened.json["data"]["kind"] == "reopened"
    shoot(page, f"webhooks-message-reopened-{lang}")


def test_staff_send_a_failed_delivery_again(
    page, live_server, make_account, make_user, receiver, shoot
):
    account = make_account("4000", "TEST")
    client_user = make_user("client", account, language="en")
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    register(receiver)
    receiver.answers = [500]
    message = make_message(account, message_id="2598662")
    from portal.inbox.services import set_status

    set_status(message, "closed", client_user)  # the receiver answers 500
    d = WebhookDelivery.objects.get()
    assert d.status == "pending" and d.last_status_code == 500

    page.goto(f"{live_server.url}/admin/webhooks/webhook/")
    staff_sign_in(page, staffer)
    page.get_by_role("link", name="1 deliveries, 1 pending, 0 failed").click()
    page.locator("#result_list tbody th a").first.click()
    page.get_by_role("link", name="Send again").wait_for()
    assert "500" in page.locator(".field-last_status_code").inner_text()
    assert '"code": 500' in page.locator(".field-last_answer").inner_text()
    shoot(page, "webhooks-delivery-log")
    page.get_by_role("link", name="Send again").click()
    page.get_by_role("button", name="Send again").click()
    page.get_by_text("The delivery was sent again; its status: Delivered.").wait_for()
    first, again = receiver.wait_for(2)
    assert again.raw == first.raw and again.signature_ok and again.answered == 200
    d.refresh_from_db()
    assert d.status == "delivered" and d.tries == 2
