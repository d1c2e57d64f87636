"""Apply each account's retention period: delete older messages, calls and recording files."""

from django.core.management.base import BaseCommand

from portal.inbox.services import purge_expired


class Command(BaseCommand):
    help = (
        "Delete the messages, calls and recordings (rows and files) older than each account's "
        "retention period (60 days by default), in batches, the background exports past "
        "their expiry and the webhooks' deliveries past the retention period; print what was "
        "removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="rows deleted per transaction (1000)"
        )
        parser.add_argument(
            "--account", action="append", default=[], help="only this account number (repeatable)"
        )

    def handle(self, *args, batch_size: int, account: list[str], **options):
        total = {"messages": 0, "calls": 0, "recordings": 0}
        for acc, removed in purge_expired(account, batch_size=batch_size):
            for key, n in removed.items():
                total[key] += n
            if any(removed.values()):
                self.stdout.write(
                    f"{acc.number}: {removed['messages']} messages, {removed['calls']} calls, "
                    f"{removed['recordings']} recordings (older than {acc.retention_days} days)"
                )
        self.stdout.write(
            f"Removed {total['messages']} messages, {total['calls']} calls, "
            f"{total['recordings']} recordings."
        )
        if not account:  # the background exports past their expiry, with their files
            from portal.exports.services import purge_expired as purge_exports

            exports = purge_exports()
            if exports:
                self.stdout.write(f"Removed {exports} expired exports.")
            from portal.webhooks.services import purge_deliveries

            deliveries = purge_deliveries(batch_size=max(batch_size, 1))
            if deliveries:
                self.stdout.write(f"Removed {deliveries} webhook deliveries.")
