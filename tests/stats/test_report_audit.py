"""Every e-mailed report is in the audit trail, naming its recipients and what was sent: the
Call Log, Billable Calls and Statistics e-mails of the pages, the scheduled reports and the
on-call gap alerts — each through a real local SMTP server, the entry matching the message
that arrived. A report that could not be sent records nothing."""

import datetime as dt
import io
import json
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AuditLog
from portal.stats.models import ReportSubscription
from tests.calls.helpers import make_call
from tests.conftest import free_port
from tests.oncall.helpers import STAFF, TORONTO
from tests.stats.examples import english_example, ingest, ingest_billable

pytestmark = pytest.mark.django_db


def arrived(inbox, n):
    for _ in range(100):
        if len(inbox.messages) >= n:
            break
        time.sleep(0.05)
    return inbox.messages


def exported(account_number="4000") -> list[dict]:
    out = io.StringIO()
    call_command("audit_export", "--account", account_number, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_statistics_e_mail_names_its_recipients(
    member_client, account, make_token, api, smtp_inbox
):
    ingest(api, make_token(), english_example())
    url = reverse("stats_email", args=["4000"]) + "?start=2023-03-01&end=2023-03-22"
    member_client.post(url, {"email": "boss@example.com, chief@example.com"})
    [message] = arrived(smtp_inbox, 1)
    assert message["To"] == "boss@example.com, chief@example.com"
    [entry] = [e for e in exported() if e["action"] == "stats.email"]
    assert entry["actor"] == "member"
    assert entry["detail"]["to"] == "boss@example.com, chief@example.com"
    assert entry["detail"]["criteria"]["start"] == "2023-03-01"
    assert entry["detail"]["criteria"]["end"] == "2023-03-22"


def test_the_billable_calls_e_mail_names_its_recipient_and_period(
    member_client, account, make_token, api, smtp_inbox
):
    today = timezone.now().astimezone(account.tz).date()
    ingest_billable(
        api,
        make_token(),
        [
            {
                "transaction_id": "T1",
                "account": "4000",
                "at": f"{today.isoformat()}T09:37:00-05:00",
                "description": "Message",
                "number": "",
                "caller_name": "",
                "agent": "CL2",
                "statistic_s": 105,
            }
        ],
    )
    member_client.post(reverse("billable_email", args=["4000"]), {"email": "a@example.com"})
    [message] = arrived(smtp_inbox, 1)
    assert message["To"] == "a@example.com"
    [entry] = [e for e in exported() if e["action"] == "billable.email"]
    assert entry["detail"]["to"] == "a@example.com"
    assert entry["detail"]["start"] <= today.isoformat() <= entry["detail"]["end"]


def test_the_call_log_e_mail_names_its_recipient(member_client, account, smtp_inbox):
    make_call(account, call_id="15325576")
    member_client.post(
        reverse("calls_email", args=["4000"]) + "?preset=3hours", {"email": "boss@client.ca"}
    )
    [message] = arrived(smtp_inbox, 1)
    assert message["To"] == "boss@client.ca"
    [entry] = [e for e in exported() if e["action"] == "calls.email"]
    assert entry["detail"]["to"] == "boss@client.ca"


def test_a_scheduled_report_names_its_recipients_reports_and_period(
    account, make_token, api, smtp_inbox
):
    sub = ReportSubscription.objects.create(
        account=account,
        emails="boss@example.com, desk@example.com",
        frequency="daily",
        statistics=True,
        billable=True,
        language="en",
    )
    yesterday = timezone.now().astimezone(account.tz).date() - dt.timedelta(days=1)
    call = english_example()[0]
    call["started_at"] = f"{yesterday.isoformat()}T10:00:00-05:00"
    ingest(api, make_token(), [call])
    call_command("send_scheduled_reports", stdout=io.StringIO())
    call_command("send_scheduled_reports", stdout=io.StringIO())  # the period is sent once
    # One message per address (each with its own unsubscribe link), one entry naming both.
    first, second = arrived(smtp_inbox, 2)
    assert {first["To"], second["To"]} == {"boss@example.com", "desk@example.com"}
    message = first
    [entry] = [e for e in exported() if e["action"] == "report.scheduled"]
    assert entry["actor"] == "send_scheduled_reports"
    assert entry["ip"] is None
    assert (entry["object_type"], entry["object_id"]) == ("stats.reportsubscription", str(sub.pk))
    detail = entry["detail"]
    assert detail["to"] == "boss@example.com, desk@example.com"
    assert detail["reports"] == ["statistics", "billable"]
    assert detail["start"] == detail["end"] == yesterday.isoformat()
    assert detail["frequency"] == "daily"
    [(name, _content)] = smtp_inbox.attachments(message)
    assert detail["files"] == [name]


def test_a_scheduled_report_that_could_not_be_sent_records_nothing(account, settings, smtp_inbox):
    from portal.stats.schedules import send_due

    ReportSubscription.objects.create(account=account, emails="boss@example.com")
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    assert send_due() == []
    assert not AuditLog.objects.filter(action="report.scheduled").exists()
    settings.EMAIL_PORT = real_port
    assert len(send_due()) == 1
    assert AuditLog.objects.filter(action="report.scheduled").count() == 1


def test_a_gap_alert_names_the_admins_it_went_to(make_user, account, other_account, smtp_inbox):
    from portal.accounts.models import Membership
    from portal.oncall import services

    make_user("boss", account, email="boss@example.com")
    make_user("patron", account, email="patron@example.com", language="fr")
    make_user("clerk", account, role=Membership.USER, email="clerk@example.com")
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    day = timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(8), tzinfo=TORONTO)
    services.upsert_shift(
        schedule, "tomorrow", start=start, end=start + dt.timedelta(hours=12), actor=STAFF
    )
    call_command("oncall_gap_alerts", stdout=io.StringIO(), stderr=io.StringIO())
    mails = arrived(smtp_inbox, 2)
    assert sorted(m["To"] for m in mails) == ["boss@example.com", "patron@example.com"]
    [entry] = [e for e in exported() if e["action"] == "oncall.gap_alert"]
    assert entry["actor"] == "oncall_gap_alerts"
    assert entry["detail"]["to"] == "boss@example.com, patron@example.com"
    assert entry["detail"]["days"] == 7
    # The other account has no gap and no admin: nothing was sent, nothing recorded for it.
    assert not [e for e in exported("5000") if e["action"] == "oncall.gap_alert"]
