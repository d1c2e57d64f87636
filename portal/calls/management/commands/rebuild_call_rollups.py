"""Rebuild the statistics' rollups from the calls table (portal/calls/rollups.py)."""

from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import Account
from portal.calls.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Recounts the statistics' pre-aggregated rollups (per account, local day, hour, agent "
        "and distribution group) from the stored calls: after a restore, or after calls were "
        "written around ingest. Ingest keeps them current by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--account", action="append", default=[], help="an account number (repeatable)"
        )

    def handle(self, *args, account=(), **options):
        ids = None
        if account:
            found = dict(Account.objects.filter(number__in=account).values_list("number", "pk"))
            unknown = sorted(set(account) - set(found))
            if unknown:
                raise CommandError(f"Unknown account: {', '.join(unknown)}")
            ids = list(found.values())
        rows = rebuild(ids)
        self.stdout.write(f"{rows} rollup rows written.")
