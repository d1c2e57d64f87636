"""create_client_user USERNAME --account NUMBER [--account NUMBER ...] [--role admin|user]"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import Membership
from portal.accounts.users import create_client_user


class Command(BaseCommand):
    help = (
        "Create a client login with access to one or several accounts. "
        "The password is read from standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the new login's user name")
        parser.add_argument(
            "--account",
            dest="accounts",
            action="append",
            required=True,
            metavar="NUMBER",
            help="an account number the login may see (repeat for several accounts)",
        )
        parser.add_argument(
            "--role",
            choices=[Membership.ADMIN, Membership.USER],
            default=Membership.USER,
            help="client admin or client user (default: user)",
        )

    def read_password(self) -> str:
        if sys.stdin.isatty():
            first = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != first:
                raise CommandError("The two passwords differ.")
            return first
        return sys.stdin.readline().rstrip("\r\n")

    def handle(self, username, accounts, role, **options):
        password = self.read_password()
        if not password:
            raise CommandError("No password on standard input.")
        try:
            user = create_client_user(
                username, password, accounts, role, actor="create_client_user"
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        numbers = ", ".join(accounts)
        self.stdout.write(f"Created {user.username} ({role}) for account(s) {numbers}.")
