"""The back office: staff register a webhook (the API's checks and service), read each
webhook's delivery log (status, tries, last answer, dates) and send a delivery again
(audited). Clients never reach it."""

import re

import pytest

from portal.accounts.models import AuditLog
from portal.webhooks import events
from portal.webhooks.models import Webhook, WebhookDelivery
from tests.calls.helpers import make_message
from tests.twofactor import staff_login
from tests.webhooks.conftest import SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    return staff_login(client, make_user("staffer", is_staff=True, is_superuser=True))


def test_staff_register_a_webhook_with_the_api_s_checks(staff_client, account, receiver):
    r = staff_client.post(
        "/admin/webhooks/webhook/add/",
        {"webhook_id": "platform", "url": "ftp://x.example.com", "secret": "",
         "events": ["oncall.changed"], "accounts": [account.pk]},
    )  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    assert "Enter an http:// or https:// address." in html or "Enter a valid URL." in html
    assert "Enter the secret the portal signs each delivery with." in html
    assert not Webhook.objects.exists()

    r = staff_client.post(
        "/admin/webhooks/webhook/add/",
        {"webhook_id": "platform", "url": receiver.url, "secret": SECRET,
         "events": ["oncall.changed", "message.status_changed"], "accounts": [account.pk]},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    hook = Webhook.objects.get()
    assert hook.secret == SECRET and hook.events == ["oncall.changed", "message.status_changed"]
    assert list(hook.accounts.all()) == [account] and not hook.all_accounts
    entry = AuditLog.objects.get(action="webhook.save")
    assert entry.actor == "staffer" and entry.detail["outcome"] == "created"

    # Changed without retyping the secret: it is kept; no account: every account.
    page = staff_client.get(f"/admin/webhooks/webhook/{hook.pk}/change/").content.decode()
    assert SECRET not in page
    r = staff_client.post(
        f"/admin/webhooks/webhook/{hook.pk}/change/",
        {"url": receiver.url, "secret": "", "events": ["oncall.changed"]},
    )
    assert r.status_code == 302
    hook.refresh_from_db()
    assert hook.secret == SECRET and hook.all_accounts and hook.events == ["oncall.changed"]


def test_the_delivery_log_and_send_again(
    staff_client, account, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    message = make_message(account)
    with django_capture_on_commit_callbacks(execute=True):
        [d] = events.message_status_changed(
            message, status="closed", actor="member", at=message.taken_at, kind="closed"
        )
    d.refresh_from_db()
    assert d.status == "pending" and d.tries == 1

    listing = staff_client.get("/admin/webhooks/webhook/").content.decode()
    assert "1 deliveries, 1 pending, 0 failed" in listing
    log_url = re.search(
        r'href="(/admin/webhooks/webhookdelivery/\?webhook__id__exact=\d+)"', listing
    )
    log = staff_client.get(log_url.group(1).replace("&amp;", "&")).content.decode()
    assert "message.status_changed" in log and "Pending" in log
    assert '"code": 500' in log or "&quot;code&quot;: 500" in log  # the last answer

    page = staff_client.get(f"/admin/webhooks/webhookdelivery/{d.pk}/change/").content.decode()
    assert str(d.id) in page and "500" in page
    assert 'name="_save"' not in page  # read-only
    assert f"/admin/webhooks/webhookdelivery/{d.pk}/send-again/" in page

    confirm = staff_client.get(f"/admin/webhooks/webhookdelivery/{d.pk}/send-again/")
    assert "the same id and signature" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = staff_client.post(f"/admin/webhooks/webhookdelivery/{d.pk}/send-again/", follow=True)
    assert "The delivery was sent again; its status: Delivered." in r.content.decode()
    d.refresh_from_db()
    assert (d.status, d.tries, d.last_status_code) == ("delivered", 2, 200)
    first, again = receiver.wait_for(2)
    assert first.raw == again.raw and again.signature_ok
    entry = AuditLog.objects.get(action="webhook.send_again")
    assert entry.actor == "staffer" and entry.account == account
    assert entry.detail["delivery"] == str(d.id)

    # The action on the log sends a delivered one again too (at least once).
    with django_capture_on_commit_callbacks(execute=True):
        r = staff_client.post(
            "/admin/webhooks/webhookdelivery/",
            {"action": "send_again_action", "_selected_action": [str(d.pk)]},
            follow=True,
        )
    assert "1 delivery was sent again." in r.content.decode()
    assert len(receiver.wait_for(3)) == 3
    assert AuditLog.objects.filter(action="webhook.send_again").count() == 2


def test_the_french_back_office(client, make_user, account, hook, receiver):
    staffer = make_user("equipe", is_staff=True, is_superuser=True, language="fr")
    staff_client = staff_login(client, staffer)
    receiver.answers = [500]
    message = make_message(account)
    [d] = events.message_status_changed(
        message, status="closed", actor="member", at=message.taken_at, kind="closed"
    )
    index = staff_client.get("/admin/").content.decode()
    assert "Webhooks" in index and "Envois de webhooks" in index
    log = staff_client.get("/admin/webhooks/webhookdelivery/").content.decode()
    assert "En attente" in log and "Renvoyer les envois sélectionnés" in log
    assert "dernière réponse" in log.lower()
    confirm = staff_client.get(f"/admin/webhooks/webhookdelivery/{d.pk}/send-again/")
    assert "le même identifiant et la même signature" in confirm.content.decode()
    r = staff_client.post(
        "/admin/webhooks/webhook/add/",
        {"webhook_id": "x", "url": "https://x.example.com", "secret": "", "events": []},
    )
    assert "Saisissez le secret avec lequel le portail signe chaque envoi." in r.content.decode()


def test_clients_never_reach_it(member_client, hook):
    for url in ("/admin/webhooks/webhook/", "/admin/webhooks/webhookdelivery/"):
        r = member_client.get(url)
        assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert not WebhookDelivery.objects.exists()


def test_staff_remove_a_webhook_with_its_log(staff_client, account, hook, receiver):
    message = make_message(account)
    [d] = events.message_status_changed(
        message, status="closed", actor="member", at=message.taken_at, kind="closed"
    )
    page = staff_client.get(f"/admin/webhooks/webhookdelivery/{d.pk}/change/").content.decode()
    assert "/delete/" not in page  # the log is never deleted on its own
    assert staff_client.post(f"/admin/webhooks/webhookdelivery/{d.pk}/delete/").status_code == 403
    confirm = staff_client.get(f"/admin/webhooks/webhook/{hook.pk}/delete/").content.decode()
    assert "permission" not in confirm.lower()
    r = staff_client.post(f"/admin/webhooks/webhook/{hook.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
    entry = AuditLog.objects.get(action="webhook.delete")
    assert entry.actor == "staffer" and entry.object_id == "platform"


def test_staff_correcting_who_was_on_call_is_sent(
    staff_client, account, hook, receiver, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.oncall.helpers import seed_schedule

    _schedule, first, _second, _anthony, luc = seed_schedule(account)  # 2023: the past
    action = {"action": "correct_who_was_on_call", "_selected_action": [first.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        r = staff_client.post(
            reverse("admin:oncall_shift_changelist"),
            {**action, "apply": "1", "contact": luc.pk, "past_reason": "Luc took the calls."},
        )
    assert r.status_code == 302
    [got] = receiver.wait_for(1)
    assert got.signature_ok
    data = got.json["data"]
    assert (data["action"], data["actor"], data["shift"]["id"]) == (
        "assign",
        "staff:staffer",
        "2023-04-24",
    )
    assert data["start"] == "2023-04-24T07:30:00-04:00"  # the whole shift, past included
    assert data["after"][0]["contact"]["name"] == "Luc Lambert"
