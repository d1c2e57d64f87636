"""audit_export [--account NUMBER] [--since YYYY-MM-DD]: the audit trail as JSON lines."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts import audit, auditing


class Command(BaseCommand):
    help = (
        "Print the audit trail as JSON lines, oldest first: one document per entry with at, "
        "actor, ip, action, account, object_type, object_id and detail. Streamed, so it "
        "suits millions of entries (redirect it to a file)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--account", metavar="NUMBER", help="only this client account's entries"
        )
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="only entries from the start of this day (in the account's time zone with "
            "--account, else in the portal's, UTC)",
        )

    def handle(self, *args, account=None, since=None, **options):
        try:
            found = auditing.find_account(account) if account is not None else None
            day = auditing.parse_day(since) if since is not None else None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        entries = auditing.as_it_stands(auditing.entries(found, since=day))
        # Reading the trail is in the trail too (after the entries this export prints).
        audit.record(
            "audit.export",
            actor="audit_export",
            account=found,
            format="jsonl",
            criteria={k: v for k, v in (("account", account), ("since", since)) if v},
        )
        write = self.stdout.write
        for line in auditing.json_lines(entries):
            write(line, ending="")
