from tests.access import AccessCase


def _subscription(account):
    from portal.stats.models import ReportSubscription

    sub = ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="weekly"
    )
    return {"subscription_id": sub.pk}


CASES = [
    AccessCase("stats"),
    AccessCase("stats_export"),
    AccessCase("stats_email", method="post", data={"email": "boss@example.com"}, member_status=302),
    AccessCase("stats_schedules"),
    AccessCase(
        "stats_schedules",
        method="post",
        data={"emails": "boss@example.com", "frequency": "daily", "statistics": "1"},
        member_status=302,
    ),
    AccessCase("stats_schedule_delete", setup=_subscription, method="post", member_status=302),
]
