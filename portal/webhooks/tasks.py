"""The webhooks' background work (portal/tasks.py's style: thin wrappers, safe to run again).

`deliver_webhook` tries one delivery (portal.webhooks.delivery.attempt) and, on a worker, queues
its next try at the moment the delivery says when it is a few minutes away (further tries wait
in the database); `retry_due_webhooks` (the beat, every minute)
queues every pending delivery whose next try has passed, so a delivery outlives a worker's
restart or a flushed Redis. Both may reach the same delivery: whoever claims it first sends
it, the other finds it in flight and does nothing. Without REDIS_URL they run in the caller
and never raise into it: a failed try is recorded on the delivery, whose next try the serving
process's own thread makes (portal.webhooks.retrier; or `manage.py send_webhooks`).
"""

from __future__ import annotations

import logging

from celery import shared_task

from portal.tasks import PortalTask

log = logging.getLogger(__name__)

# The next try is queued with a countdown only when it is this near (the first tries, 30 s to
# 4 min apart); later ones are sent by the beat's retry_due_webhooks, within a minute of their
# time.
QUEUED_RETRY_MAX = 300


@shared_task(base=PortalTask, bind=True, name="portal.webhooks.tasks.deliver_webhook")
def deliver_webhook(self, delivery_id: str, force: bool = False) -> str | None:
    """One try of one delivery; its status after it (None: nothing was due)."""
    from portal import clock
    from portal.webhooks.delivery import attempt
    from portal.webhooks.models import WebhookDelivery

    d = attempt(delivery_id, force=force)
    if d is None:
        return None
    if d.status == WebhookDelivery.PENDING and self.request.is_eager:
        from portal.webhooks import retrier

        retrier.wake()  # in-process: this process's thread makes the next try
    elif d.status == WebhookDelivery.PENDING and d.next_try_at:
        countdown = max((d.next_try_at - clock.now()).total_seconds(), 0)
        if countdown < QUEUED_RETRY_MAX:
            deliver_webhook.apply_async((str(d.id),), countdown=countdown)
        # Later tries wait in the database for the beat: a task held back longer than the
        # broker's visibility timeout would be handed out again and again (as pretix notes).
    return d.status


@shared_task(base=PortalTask, name="portal.webhooks.tasks.retry_due_webhooks")
def retry_due_webhooks() -> int:
    """Queue every pending delivery whose next try has passed; how many."""
    from portal.tasks import enqueue
    from portal.webhooks.delivery import due

    ids = due()
    for delivery_id in ids:
        try:
            enqueue(deliver_webhook, delivery_id)
        except Exception:  # noqa: BLE001 — one delivery's trouble does not stop the others
            log.exception("Webhook delivery %s could not be tried", delivery_id)
    return len(ids)
