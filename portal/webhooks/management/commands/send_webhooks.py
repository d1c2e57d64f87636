"""Try every pending webhook delivery whose next try has come, here and now (what the beat's
`retry_due_webhooks` does through the queue, and without REDIS_URL the serving process's own
thread, portal.webhooks.retrier): by hand, or from cron where that thread is turned off."""

from django.core.management.base import BaseCommand

from portal.webhooks.delivery import attempt, due
from portal.webhooks.models import WebhookDelivery


class Command(BaseCommand):
    help = (
        "Send the pending webhook deliveries whose next try has come (the beat does it every "
        "minute with REDIS_URL, the portal's own process without it; run this from cron when "
        "PORTAL_WEBHOOK_RETRY_IN_PROCESS=0); print what happened."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help="at most this many deliveries (500)"
        )

    def handle(self, *args, limit: int, **options):
        counts = {
            WebhookDelivery.DELIVERED: 0,
            WebhookDelivery.PENDING: 0,
            WebhookDelivery.FAILED: 0,
        }
        for delivery_id in due(limit=max(limit, 1)):
            d = attempt(delivery_id)
            if d is not None:
                counts[d.status] += 1
        self.stdout.write(
            f"Delivered {counts['delivered']}, to try again {counts['pending']}, "
            f"given up {counts['failed']}."
        )
