"""create_api_token NAME --scope SCOPE [--account NUMBER ...]"""

from django.core.management.base import BaseCommand, CommandError

from portal.accounts import audit
from portal.accounts.models import Account
from portal.api.auth import ACCOUNT_LIMITED
from portal.api.models import ApiToken
from portal.api.services import create_token

SCOPE_HELP = {
    ApiToken.INGEST: "write calls, recordings, messages, billable and billing lines (all accounts)",
    ApiToken.PROVISION: "create and update accounts, contacts, schedules and shifts",
    ApiToken.ONCALL_READ: "look up who is on call",
    ApiToken.CLIENT: "read-only, limited to the accounts named",
    ApiToken.ONCALL_WRITE: "the client's on-call actions, limited to the accounts named",
}


class Command(BaseCommand):
    help = (
        "Create an API token and print it once (only its hash is stored). "
        "The token alone goes to standard output, so that "
        "TOKEN=$(manage.py create_api_token NAME --scope ingest) captures it. Scopes: "
        + "; ".join(f"{scope}: {text}" for scope, text in SCOPE_HELP.items())
        + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses the token (shown in the audit log)")
        parser.add_argument(
            "--scope",
            required=True,
            choices=[scope for scope, _label in ApiToken.SCOPES],
            help="what the token may do",
        )
        parser.add_argument(
            "--account",
            dest="accounts",
            action="append",
            default=[],
            metavar="NUMBER",
            help="an account the token is limited to (repeat for several); required for the "
            "client and oncall:write scopes",
        )

    def handle(self, name, scope, accounts, **options):
        name = name.strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:
            raise CommandError("The name must be 1 to 100 characters.")
        numbers = list(dict.fromkeys(accounts))
        known = set(Account.objects.filter(number__in=numbers).values_list("number", flat=True))
        unknown = [n for n in numbers if n not in known]
        if unknown:
            raise CommandError(f"Unknown account(s): {', '.join(unknown)}")
        if scope in ACCOUNT_LIMITED and not numbers:
            raise CommandError(f"A {scope} token needs at least one --account.")
        token, raw = create_token(name, scope, numbers)
        audit.record(
            "token.create",
            actor="create_api_token",
            obj=token,
            scope=scope,
            accounts=numbers,
        )
        limited = f" for account(s) {', '.join(numbers)}" if numbers else ""
        self.stderr.write(
            f"Created token {name!r} ({scope}){limited}. It is shown once; keep it safe:"
        )
        self.stdout.write(raw)
