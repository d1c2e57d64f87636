"""The later tries without a task queue: in-process, one daemon thread per serving process.

Without REDIS_URL (`make run`) a delivery's first try runs in the request that made the change
(portal.webhooks.tasks.deliver_webhook, eager). Its later tries are made here, so that the
portal's own process alone retries for 24 hours, as the contract says: a thread of the process
that serves the pages (started by `runserver`'s serving process when the app is ready, else by
the first request a process serves: gunicorn's workers) sleeps until the next pending
delivery's next try (at most POLL seconds, so it also sees deliveries made by another process),
then tries every one that is due (portal.webhooks.delivery.attempt, which claims each under a
row lock: several processes never send one at once). A failed in-process try wakes it to read
the next time again. It runs only when the tasks run in-process (with a queue, the worker and
the beat's retry_due_webhooks do this) and PORTAL_WEBHOOK_RETRY_IN_PROCESS is on (the default
outside a test run); `manage.py send_webhooks` still does the same once, by hand or from cron.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from django.conf import settings

log = logging.getLogger(__name__)

POLL = 60.0  # seconds: the longest sleep, so deliveries made by another process are seen
TROUBLE_WAIT = 10.0  # seconds after a try that raised (not a failed POST: that is recorded)

_lock = threading.Lock()
_wake = threading.Event()
_state: dict = {"thread": None, "stop": None, "pid": None}


def enabled() -> bool:
    """Whether this process makes the later tries itself: tasks in-process and the setting on."""
    from portal.celery import app

    return bool(settings.PORTAL_WEBHOOK_RETRY_IN_PROCESS and app.conf.task_always_eager)


def running() -> bool:
    thread = _state["thread"]
    return thread is not None and thread.is_alive() and _state["pid"] == os.getpid()


def ensure_started() -> bool:
    """Start this process's thread if it should run and is not running (a forked worker gets
    its own); whether it runs."""
    if running():
        return True
    if not enabled():
        return False
    with _lock:
        if running():
            return True
        stop = threading.Event()
        thread = threading.Thread(target=_loop, args=(stop,), name="webhook-retries", daemon=True)
        _state.update(thread=thread, stop=stop, pid=os.getpid())
        thread.start()
    return True


def stop(timeout: float = 10) -> None:
    """End this process's thread (the tests do, between tests)."""
    with _lock:
        thread, event = _state["thread"], _state["stop"]
        _state.update(thread=None, stop=None, pid=None)
    if event is not None:
        event.set()
        _wake.set()
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join(timeout)


def wake() -> None:
    """A delivery was made or failed in this process: read the next try's time again."""
    _wake.set()


def on_request(sender=None, **kwargs) -> None:
    """django.core.signals.request_started: a process serving requests starts its thread
    (after the first request, a cheap check)."""
    if not running():
        try:
            ensure_started()
        except Exception:  # noqa: BLE001 — never in the way of the request
            log.exception("The webhooks' in-process retries could not start")


def serving_runserver(argv: list[str], environ) -> bool:
    """Whether this is `manage.py runserver`'s serving process (not the autoreloader's
    watcher, which runs no request: RUN_MAIN marks its child)."""
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def run_due() -> int:
    """Try every delivery whose time has come, here; how many were tried."""
    from portal.webhooks.delivery import attempt, due

    tried = 0
    for delivery_id in due(early=dt.timedelta(0)):  # at their time, never before
        try:
            if attempt(delivery_id) is not None:
                tried += 1
        except Exception:  # noqa: BLE001 — one delivery's trouble does not stop the others
            log.exception("Webhook delivery %s could not be tried", delivery_id)
            raise _Trouble from None
    return tried


class _Trouble(Exception):
    """A try raised (the database, most likely): the loop waits before the next round."""


def seconds_to_next_try() -> float:
    """Until the earliest pending delivery's next try (0 if due; POLL at most)."""
    from portal import clock
    from portal.webhooks.models import WebhookDelivery

    nearest = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING, next_try_at__isnull=False)
        .order_by("next_try_at")
        .values_list("next_try_at", flat=True)
        .first()
    )
    if nearest is None:
        return POLL
    wait = (nearest - clock.now()).total_seconds()
    return min(max(wait, 0.0), POLL)


def _loop(stop: threading.Event) -> None:
    from django.apps import apps
    from django.db import connections

    while not apps.ready and not stop.is_set():  # started by ready(): the others' ready() first
        stop.wait(0.1)
    while not stop.is_set():
        _wake.clear()
        try:
            run_due()
            wait = seconds_to_next_try()
        except _Trouble:
            wait = TROUBLE_WAIT
        except Exception:  # noqa: BLE001 — the database away, not migrated yet: try later
            log.exception("Webhook retries: the pending deliveries could not be read")
            wait = POLL
        finally:
            connections.close_all()  # this thread's own connections only
        if stop.is_set():
            break
        _wake.wait(max(wait, 0.05))
