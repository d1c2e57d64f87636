"""At least once, signed, for 24 hours: a receiver answering 500 then 200 gets the same body
(same id, same signature) again after the growing delays; one that never answers 2xx is
given up 24 hours after the event; the beat's task sends what is due; a receiver that is
down never breaks the client's action."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal import clock
from portal.webhooks import events
from portal.webhooks.delivery import retry_delay, signature
from portal.webhooks.models import WebhookAttempt, WebhookDelivery
from portal.webhooks.services import purge_deliveries, save_webhook
from portal.webhooks.tasks import retry_due_webhooks
from tests.calls.helpers import make_message
from tests.conftest import free_port
from tests.webhooks.conftest import SECRET

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def close(message, member, capture):
    from portal.inbox.services import set_status

    with capture(execute=True):
        assert set_status(message, "closed", member)


@pytest.fixture
def moved_clock():
    with clock.clock_at(T0):
        yield clock.set_clock


def test_the_signature_is_the_hmac_of_the_raw_body():
    body = '{"id":"x","data":{"name":"Élise"}}'.encode()
    import hashlib
    import hmac

    assert signature("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert signature("k", body) != signature("k", body + b" ")


def test_the_delays_grow_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


def test_a_500_then_a_200_is_retried_with_the_same_id_and_body(
    account, member, hook, receiver, moved_clock, django_capture_on_commit_callbacks
):
    receiver.answers = [500, 503]
    message = make_message(account)
    close(message, member, django_capture_on_commit_callbacks)
    [first] = receiver.wait_for(1)
    d = WebhookDelivery.objects.get()
    assert (d.status, d.tries, d.last_status_code) == ("pending", 1, 500)
    assert json.loads(d.last_answer) == {"ok": False, "code": 500}
    assert d.next_try_at == T0 + dt.timedelta(seconds=30)

    assert retry_due_webhooks() == 0  # not yet due: nothing sent
    assert len(receiver.received) == 1
    moved_clock(T0 + dt.timedelta(seconds=31))
    assert retry_due_webhooks() == 1
    d.refresh_from_db()
    assert (d.status, d.tries, d.last_status_code) == ("pending", 2, 503)
    assert d.next_try_at == T0 + dt.timedelta(seconds=31 + 60)  # the delay doubled

    moved_clock(T0 + dt.timedelta(seconds=92))
    assert retry_due_webhooks() == 1
    d.refresh_from_db()
    assert (d.status, d.tries, d.last_status_code, d.next_try_at) == ("delivered", 3, 200, None)
    assert d.delivered_at == T0 + dt.timedelta(seconds=92)
    received = receiver.wait_for(3)
    assert [r.answered for r in received] == [500, 503, 200]
    assert {r.raw for r in received} == {first.raw}  # the same bytes: the same id and signature
    assert {r.headers["X-Portal-Signature"] for r in received} == {
        receiver.expected_signature(first.raw)
    }
    assert all(r.signature_ok for r in received)
    assert first.json["id"] == str(d.id)
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [500, 503, 200]
    assert retry_due_webhooks() == 0  # delivered: never again


def test_given_up_24_hours_after_the_event(
    account, member, hook, receiver, moved_clock, django_capture_on_commit_callbacks
):
    receiver.answers = [500] * 100
    close(make_message(account), member, django_capture_on_commit_callbacks)
    d = WebhookDelivery.objects.get()
    assert d.give_up_at == T0 + dt.timedelta(hours=24)
    now = T0
    while d.status == "pending":
        now = d.next_try_at
        moved_clock(now)
        retry_due_webhooks()
        d.refresh_from_db()
        assert d.tries < 40
    assert d.status == "failed" and d.next_try_at is None
    assert now == T0 + dt.timedelta(hours=24)  # the last try at its very end
    gaps = [
        (b - a).total_seconds()
        for a, b in zip(
            WebhookAttempt.objects.values_list("at", flat=True),
            list(WebhookAttempt.objects.values_list("at", flat=True))[1:],
            strict=False,
        )
    ]
    assert gaps[:8] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert max(gaps) == 3600
    assert d.tries == len(receiver.received) == WebhookAttempt.objects.count()
    moved_clock(T0 + dt.timedelta(days=2))
    assert retry_due_webhooks() == 0


def test_a_receiver_that_is_down_never_breaks_the_client_s_action(
    member_client, account, receiver, moved_clock, django_capture_on_commit_callbacks
):
    dead = f"http://127.0.0.1:{free_port()}/nobody"  # nothing listens there
    save_webhook("down", {"url": dead, "secret": SECRET, "events": ["message.status_changed"]})
    message = make_message(account)
    url = reverse("message_status", args=[account.number, message.message_id])
    with django_capture_on_commit_callbacks(execute=True):
        r = member_client.post(url, {"status": "closed"}, follow=True)
    assert r.status_code == 200
    assert "The message is closed." in r.content.decode()
    message.refresh_from_db()
    assert message.status == "closed"
    d = WebhookDelivery.objects.get()
    assert d.status == "pending" and d.tries == 1 and d.last_status_code is None
    assert "ConnectionError" in d.last_error
    assert d.next_try_at == T0 + dt.timedelta(seconds=30)

    # The platform is back at the same address: the next try delivers.
    hook = d.webhook
    hook.url = receiver.url
    hook.save()
    moved_clock(T0 + dt.timedelta(minutes=1))
    call_command("send_webhooks", stdout=open("/dev/null", "w"))
    d.refresh_from_db()
    assert d.status == "delivered" and d.tries == 2
    [got] = receiver.wait_for(1)
    assert got.signature_ok and got.json["id"] == str(d.id)


def test_a_queue_that_raises_leaves_the_delivery_pending(
    account, member, hook, receiver, moved_clock, monkeypatch, django_capture_on_commit_callbacks
):
    import portal.tasks

    def broken(*args, **kwargs):
        raise RuntimeError("Redis flushed")

    monkeypatch.setattr(portal.tasks, "enqueue", broken)
    message = make_message(account)
    close(message, member, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == "closed"
    d = WebhookDelivery.objects.get()
    assert d.status == "pending" and d.tries == 0 and receiver.received == []
    monkeypatch.undo()
    assert retry_due_webhooks() == 1  # the beat finds it
    d.refresh_from_db()
    assert d.status == "delivered"


def test_a_delivery_in_flight_is_not_sent_twice(account, hook, receiver, moved_clock):
    from portal.webhooks.delivery import _claim, attempt

    message = make_message(account)
    [d] = events.message_status_changed(message, status="closed", actor="x", at=T0, kind="closed")
    assert _claim(d.id) is not None  # a worker took it and is POSTing
    assert attempt(d.id) is None  # the beat's copy finds it in flight
    assert retry_due_webhooks() == 0
    moved_clock(T0 + dt.timedelta(minutes=5))  # the worker died: its claim ran out
    assert retry_due_webhooks() == 1
    d.refresh_from_db()
    assert d.status == "delivered" and d.tries == 2
    assert len(receiver.received) == 1


def test_old_deliveries_are_purged_with_the_retention(account, hook, moved_clock):
    message = make_message(account)
    old = events.message_status_changed(message, status="closed", actor="x", at=T0, kind="closed")
    WebhookDelivery.objects.filter(pk=old[0].pk).update(status="delivered")
    moved_clock(T0 + dt.timedelta(days=61))
    pending = events.message_status_changed(
        message, status="open", actor="x", at=T0, kind="reopened"
    )
    WebhookDelivery.objects.filter(pk=pending[0].pk).update(created_at=T0)  # still pending
    account.retention_days = 90
    account.save()
    assert purge_deliveries() == 0  # the account keeps 90 days
    account.retention_days = 60
    account.save()
    assert purge_deliveries() == 1
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [pending[0].pk]
    from io import StringIO

    WebhookDelivery.objects.filter(pk=pending[0].pk).update(status="failed")
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "Removed 1 webhook deliveries." in out.getvalue()
    assert not WebhookDelivery.objects.exists()
