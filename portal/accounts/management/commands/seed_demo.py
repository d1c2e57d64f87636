"""seed_demo [--days N] [--if-empty] [--now TIMESTAMP] [--yes-demo] — the demo data, through the
ingest services.

The only way demo data gets into a database: no migration, signal or start-up loads it. Its
logins' password is published (README), so outside a development setup (DEBUG or PORTAL_DEV,
which `make run` sets) the command refuses unless --yes-demo says it is meant."""

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from portal import demo
from portal.accounts.models import Account


class Command(BaseCommand):
    help = (
        "Load the demo data: three client accounts (4000-TEST, a clinic, a plumber), their "
        "calls, recordings, messages, directory, information pages, on-call schedule, "
        "billable calls and billing history, and the demo logins. Everything goes through "
        "the same services as the ingest API. Idempotent: running it again stores nothing "
        "twice. Prints the demo sign-ins at the end. Outside a development setup (DEBUG or "
        "PORTAL_DEV) it refuses unless --yes-demo is given: the demo logins' password is "
        "published."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=60,
            help="how many days of calls and messages, ending now (default 60)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the sign-ins) when client accounts already exist",
        )
        parser.add_argument(
            "--now",
            metavar="TIMESTAMP",
            help="pretend it is this moment, ISO 8601 with an offset (default: now); "
            "the data ends at the hour before it",
        )
        parser.add_argument(
            "--yes-demo",
            action="store_true",
            help="load the demo data (and its logins with their published password) even "
            "though this is not a development setup (DEBUG and PORTAL_DEV are off)",
        )

    def handle(self, *args, days, if_empty, now, yes_demo=False, **options):
        if not (settings.DEBUG or getattr(settings, "PORTAL_DEV", False) or yes_demo):
            raise CommandError(
                "This is not a development setup (DEBUG and PORTAL_DEV are off): the demo "
                "data would add logins whose password is published. Nothing was loaded. Add "
                "--yes-demo if you really want the demo data here."
            )
        if days < 1 or days > 400:
            raise CommandError("--days must be between 1 and 400.")
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None or moment.tzinfo is None:
                raise CommandError("--now needs an ISO 8601 timestamp with an offset.")
            moment = moment.astimezone(dt.UTC)
        if if_empty and Account.objects.exists():
            self.stdout.write("Client accounts already exist: the demo data is not loaded again.")
        else:
            began = time.monotonic()
            self.stdout.write(f"Loading {days} days of demo data…")
            log = self.stdout.write if options["verbosity"] >= 1 else (lambda _msg: None)
            demo.seed(days=days, now=moment, log=log)
            self.stdout.write(f"Demo data ready in {time.monotonic() - began:.1f} s.")
        self.stdout.write("")
        self.stdout.write(demo.sign_ins_text())
