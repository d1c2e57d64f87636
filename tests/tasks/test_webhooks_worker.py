"""Webhooks through the real task queue: a `celery -A portal worker` process on Redis sends
each delivery to a real HTTP receiver (this process's thread), which checks the signature;
a 500 is tried again by the worker after its delay, with the same id; a delivery whose queued
message was lost is found and sent by the beat's task."""

import pytest

from portal.inbox.services import set_status
from portal.webhooks.models import WebhookDelivery
from portal.webhooks.services import save_webhook
from portal.webhooks.tasks import retry_due_webhooks
from tests.calls.helpers import make_message
from tests.tasks.test_worker import WAIT, wait_for
from tests.webhooks import receiver as receivers

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "worker-secret"


@pytest.fixture(scope="module")
def webhook_worker(task_queue):
    return task_queue.start_worker(PORTAL_WEBHOOK_RETRY_SECONDS="1")


@pytest.fixture
def receiver(webhook_worker):
    found, server = receivers.start(SECRET)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook(receiver):
    webhook, _ = save_webhook(
        "platform",
        {"url": receiver.url, "secret": SECRET, "events": ["message.status_changed"]},
    )
    return webhook


def test_the_worker_delivers_and_retries_with_the_same_id(
    member, account, hook, receiver, webhook_worker
):
    receiver.answers = [500]
    message = make_message(account)
    assert set_status(message, "closed", member)  # queued when its transaction commits
    first, second = receiver.wait_for(2, timeout=WAIT)
    assert [first.answered, second.answered] == [500, 200]
    assert first.raw == second.raw and first.signature_ok and second.signature_ok
    assert first.json["data"]["message_id"] == message.message_id
    d = wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").first(), "delivered")
    assert d.tries == 2 and str(d.id) == first.json["id"]
    assert b"portal.webhooks.tasks.deliver_webhook" in webhook_worker.log.read_bytes()


def test_a_lost_queue_message_is_sent_by_the_beat_s_task(
    member, account, hook, receiver, monkeypatch
):
    import portal.webhooks.events

    monkeypatch.setattr(portal.webhooks.events, "send_soon", lambda ids: None)  # Redis flushed
    message = make_message(account)
    assert set_status(message, "closed", member)
    d = WebhookDelivery.objects.get()
    assert d.status == "pending" and d.tries == 0
    assert retry_due_webhooks.delay().get(timeout=WAIT) == 1  # the worker runs the beat's task
    [got] = receiver.wait_for(1, timeout=WAIT)
    assert got.signature_ok and got.json["id"] == str(d.id)
    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists(), "delivered")
