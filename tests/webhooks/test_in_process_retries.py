"""Without a task queue (`make run`, no REDIS_URL) the portal's own process makes the later
tries: a receiver that fails once gets the same delivery again after the delay, and nobody runs
`manage.py send_webhooks` (portal/webhooks/retrier.py)."""

import os
import time

import pytest
from django.urls import reverse

from portal.webhooks import retrier
from portal.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.calls.helpers import make_message

# The retrying thread reads the database through its own connection: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def retries_in_process(settings):
    settings.PORTAL_WEBHOOK_RETRY_IN_PROCESS = True
    settings.PORTAL_WEBHOOK_RETRY_SECONDS = 1  # the first retry one second after the failure
    retrier.stop()
    yield
    retrier.stop()


def delivered(timeout: float = 20) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while True:
        d = WebhookDelivery.objects.get()
        if d.status != "pending" or time.monotonic() > deadline:
            return d
        time.sleep(0.1)


def test_a_receiver_failing_once_gets_the_retry_from_the_portal_s_own_process(
    member_client, account, hook, receiver, retries_in_process
):
    receiver.answers = [500]
    message = make_message(account)
    assert not retrier.running()
    url = reverse("message_status", args=[account.number, message.message_id])
    r = member_client.post(url, {"status": "closed"}, follow=True)
    assert "The message is closed." in r.content.decode()
    assert retrier.running()  # the request started this process's thread

    [first, again] = receiver.wait_for(2, timeout=20)
    assert [first.answered, again.answered] == [500, 200]
    assert again.raw == first.raw and again.signature_ok  # the same id, body and signature
    d = delivered()
    assert (d.status, d.tries, d.last_status_code) == ("delivered", 2, 200)
    assert first.json["id"] == str(d.id)
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [500, 200]
    gap = (d.delivered_at - d.last_try_at).total_seconds()
    assert gap < 5
    time.sleep(1.5)
    assert len(receiver.received) == 2  # delivered: never sent again


def test_with_the_thread_running_the_person_never_waits_for_the_platform(
    member_client, account, hook, receiver, retries_in_process
):
    receiver.delay = 2.0  # a slow platform
    assert retrier.ensure_started()
    message = make_message(account)
    url = reverse("message_status", args=[account.number, message.message_id])
    started = time.monotonic()
    r = member_client.post(url, {"status": "closed"})
    assert r.status_code == 302
    assert time.monotonic() - started < 1.5  # the POST to the platform is the thread's
    [got] = receiver.wait_for(1, timeout=20)
    assert got.signature_ok and got.json["data"]["status"] == "closed"
    d = delivered()
    assert (d.status, d.tries) == ("delivered", 1)


def test_a_delivery_made_elsewhere_is_found_and_its_retries_wait_for_their_time(
    account, member, hook, receiver, retries_in_process, settings
):
    """A delivery another process made (a command, another worker) is found by the thread;
    a receiver failing twice is tried after 1 s, then 2 s — not sooner."""
    from portal.inbox.services import set_status

    receiver.answers = [500, 500]
    set_status(make_message(account), "closed", member)  # in-process: the first try here
    assert len(receiver.received) == 1 and not retrier.running()
    assert retrier.ensure_started()
    received = receiver.wait_for(3, timeout=20)
    assert [r.answered for r in received] == [500, 500, 200]
    d = delivered()
    assert (d.status, d.tries) == ("delivered", 3)
    at = list(WebhookAttempt.objects.order_by("at").values_list("at", flat=True))
    gaps = [(b - a).total_seconds() for a, b in zip(at, at[1:], strict=False)]
    assert 0.9 <= gaps[0] < 4 and 1.9 <= gaps[1] < 5  # the delays grow, none is skipped


def test_it_runs_only_without_a_queue_and_with_the_setting(settings, retries_in_process):
    from portal.celery import app

    assert retrier.enabled()  # this module: tasks in-process (tests/webhooks/conftest.py)
    settings.PORTAL_WEBHOOK_RETRY_IN_PROCESS = False
    assert not retrier.enabled() and not retrier.ensure_started()
    settings.PORTAL_WEBHOOK_RETRY_IN_PROCESS = True
    app.conf.task_always_eager = False  # a worker and the beat retry instead
    try:
        assert not retrier.enabled() and not retrier.ensure_started()
    finally:
        app.conf.task_always_eager = True
    assert not retrier.running()


def test_runserver_s_serving_process_starts_it_not_the_autoreloader():
    assert retrier.serving_runserver(["manage.py", "runserver"], {"RUN_MAIN": "true"})
    assert retrier.serving_runserver(["manage.py", "runserver", "--noreload"], {})
    assert not retrier.serving_runserver(["manage.py", "runserver"], {})  # the watcher
    assert not retrier.serving_runserver(["manage.py", "send_webhooks"], {"RUN_MAIN": "true"})
    assert not retrier.serving_runserver(["pytest"], dict(os.environ))
