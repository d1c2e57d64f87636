from django.core.management.base import BaseCommand

from portal.stats.schedules import send_due


class Command(BaseCommand):
    help = (
        "Send the scheduled statistics / billable calls e-mails that are due. Each period is "
        "sent once, even when the command runs twice."
    )

    def handle(self, *args, **options):
        sent = send_due()
        for delivery in sent:
            sub = delivery.subscription
            self.stdout.write(
                f"{sub.account.number} {sub.frequency} {delivery.period_start}–"
                f"{delivery.period_end} → {sub.emails}"
            )
        self.stdout.write(f"{len(sent)} report(s) sent.")
