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
        sent = send_gap_alerts(days=days)
        for number, recipients in sent:
            self.stdout.write(f"{number}: {', '.join(recipients)}")
        self.stdout.write(f"{len(sent)} alert(s) sent.")
