"""Reports e-mailed from the pages (Call Log, Billable Calls, Statistics): at most
PORTAL["REPORT_EMAILS_PER_HOUR"] per login in any hour, counted together from the audit
trail (portal.reportmail); past it the page says why and when, in the person's language,
and nothing is sent. Each e-mailed report's audit entry names its recipients."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AuditLog
from tests.stats.smtp import smtp_inbox  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

REFUSED_EN = (
    "You have e-mailed 2 reports in the last hour, the most allowed. Nothing was sent. "
    "You can e-mail another report in {minutes} minutes."
)
REFUSED_FR = (
    "Vous avez envoyé 2 rapports par courriel dans la dernière heure, le maximum permis. "
    "Rien n’a été envoyé. Vous pourrez envoyer un autre rapport par courriel dans "
    "{minutes} minutes."
)
STATS_QUERY = "?start=2023-03-01&end=2023-03-22"


@pytest.fixture
def limit(settings):
    def set_to(n):
        settings.PORTAL = {**settings.PORTAL, "REPORT_EMAILS_PER_HOUR": n}

    set_to(2)
    return set_to


def email(client, page, to="boss@example.com"):
    """Press a page's e-mail button; the message the page then shows."""
    urls = {
        "billable": reverse("billable_email", args=["4000"]),
        "stats": reverse("stats_email", args=["4000"]) + STATS_QUERY,
        "calls": reverse("calls_email", args=["4000"]),
    }
    response = client.post(urls[page], {"email": to}, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_the_pages_share_the_hourly_limit_of_a_login(
    member_client,
    account,
    limit,
    smtp_inbox,  # noqa: F811
):
    assert email(member_client, "billable") == ["The report was sent to boss@example.com."]
    assert email(member_client, "stats") == ["The report was sent to boss@example.com."]
    for page in ("calls", "billable", "stats"):
        assert email(member_client, page) == [REFUSED_EN.format(minutes=60)], page
    assert len(smtp_inbox.messages) == 2
    assert AuditLog.objects.filter(action__endswith=".email").count() == 2


def test_another_login_has_its_own_count(
    member_client,
    make_user,
    account,
    limit,
    smtp_inbox,  # noqa: F811
):
    from django.test import Client

    limit(1)
    assert email(member_client, "billable")[0].startswith("The report was sent")
    assert email(member_client, "billable")[0].startswith("You have e-mailed 1 report in")
    colleague = Client()
    colleague.force_login(make_user("colleague", account))
    assert email(colleague, "billable")[0].startswith("The report was sent")
    assert len(smtp_inbox.messages) == 2


def test_the_page_says_when_another_may_go_and_an_hour_later_it_goes(
    member_client,
    member,
    account,
    limit,
    smtp_inbox,  # noqa: F811
):
    email(member_client, "billable")
    email(member_client, "calls")
    AuditLog.objects.filter(action="billable.email").update(
        at=timezone.now() - dt.timedelta(minutes=50, seconds=30)
    )
    assert email(member_client, "stats") == [REFUSED_EN.format(minutes=10)]
    AuditLog.objects.filter(action="billable.email").update(
        at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert email(member_client, "stats") == ["The report was sent to boss@example.com."]
    assert len(smtp_inbox.messages) == 3


def test_in_french(member_client, member, account, limit, smtp_inbox):  # noqa: F811
    member.language = "fr"
    member.save()
    email(member_client, "billable")
    email(member_client, "billable")
    assert email(member_client, "billable") == [REFUSED_FR.format(minutes=60)]
    assert len(smtp_inbox.messages) == 2


def test_zero_means_no_limit(member_client, account, limit, smtp_inbox):  # noqa: F811
    limit(0)
    for _ in range(4):
        assert email(member_client, "billable")[0].startswith("The report was sent")
    assert len(smtp_inbox.messages) == 4


def test_bad_input_is_said_first_and_not_counted(
    member_client,
    account,
    limit,
    smtp_inbox,  # noqa: F811
):
    limit(1)
    assert email(member_client, "billable", to="nobody-at-example.com") == [
        "“nobody-at-example.com” is not a valid e-mail address."
    ]
    assert email(member_client, "billable")[0].startswith("The report was sent")
    assert len(smtp_inbox.messages) == 1


def test_each_emailed_report_names_its_recipients_in_the_audit_trail(
    member_client,
    member,
    account,
    smtp_inbox,  # noqa: F811
):
    email(member_client, "billable", to="boss@example.com, cfo@example.com")
    email(member_client, "stats", to="boss@example.com")
    email(member_client, "calls", to="clerk@example.com")
    entries = {
        e.action: e
        for e in AuditLog.objects.filter(
            action__in=["billable.email", "stats.email", "calls.email"]
        )
    }
    assert {a: e.detail["to"] for a, e in entries.items()} == {
        "billable.email": "boss@example.com, cfo@example.com",
        "stats.email": "boss@example.com",
        "calls.email": "clerk@example.com",
    }
    for entry in entries.values():
        assert entry.user == member and entry.account == account and entry.actor == "member"
    assert {"start", "end", "count"} <= set(entries["billable.email"].detail)
    assert entries["stats.email"].detail["accounts"] == ["4000"]
    assert entries["stats.email"].detail["criteria"]["start"] == "2023-03-01"
    assert [m["To"] for m in smtp_inbox.messages] == [
        "boss@example.com, cfo@example.com",
        "boss@example.com",
        "clerk@example.com",
    ]


def test_scheduled_reports_are_not_held_back_by_a_login_s_limit(
    member_client,
    member,
    account,
    limit,
    smtp_inbox,  # noqa: F811
):
    from portal.stats.models import ReportSubscription

    limit(1)
    email(member_client, "billable")
    ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="daily", created_by=member
    )
    call_command("send_scheduled_reports", stdout=io.StringIO())
    assert len(smtp_inbox.messages) == 2
