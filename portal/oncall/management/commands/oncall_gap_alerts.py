from django.core.management.base import BaseCommand

from portal.oncall.alerts import send_gap_alerts


class Command(BaseCommand):
    help = (
        "E-mail each account's client admins when unassigned on-call time lies in the next "
        "days (7 by default), saying where."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="how many days ahead (default 7)")

    def handle(self, *args, days: int, **options):
        unreached: list[str] = []
        sent = send_gap_alerts(days=days, unreached=unreached)
        for number, recipients in sent:
            self.stdout.write(f"{number}: {', '.join(recipients)}")
        for number in unreached:
            self.stderr.write(
                f"{number}: unassigned time ahead, but no client admin of the account has an "
                "e-mail address: nobody was told."
            )
        self.stdout.write(f"{len(sent)} alert(s) sent.")
