"""Without REDIS_URL the same tasks run in-process, in the caller, at once: `make run` needs no
worker. A mail server's failure reaches the page at once, tried once. And the schedule the beat
runs is the project's own, in code. (The rest of the suite sends its tasks through Redis when
there is one, tests/taskqueue.py: this module forces the in-process mode, `tasks_in_process`.)"""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse

from portal import reportmail, tasks
from portal.accounts.models import AuditLog
from portal.celery import app
from portal.inbox.models import Message
from portal.oncall import services as oncall
from portal.stats.models import ReportSubscription
from tests.calls.helpers import make_call, make_message
from tests.conftest import free_port
from tests.stats.smtp import smtp_inbox  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def celery_conf(**env) -> dict:
    """The Celery settings a process started with this environment reads."""
    code = (
        "import django, json; django.setup(); from portal.celery import app; "
        "print(json.dumps({k: app.conf[k] for k in ('task_always_eager', "
        "'task_eager_propagates', 'broker_url', 'result_backend', 'task_acks_late')}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "PYTEST_VERSION", "PORTAL_TASKS_IN_PROCESS")
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_without_redis_url_tasks_run_in_the_caller():
    assert celery_conf() == {
        "task_always_eager": True,
        "task_eager_propagates": True,
        "broker_url": "memory://",
        "result_backend": None,
        "task_acks_late": True,
    }
    url = "redis://127.0.0.1:6379/3"
    assert celery_conf(REDIS_URL=url) == {
        "task_always_eager": False,
        "task_eager_propagates": True,
        "broker_url": url,
        "result_backend": url,
        "task_acks_late": True,
    }
    # A test run forces it with PORTAL_TASKS_IN_PROCESS=1 (this module, the fixture).
    assert celery_conf(REDIS_URL=url, PORTAL_TASKS_IN_PROCESS="1")["task_always_eager"] is True
    assert app.conf.task_always_eager and app.conf.task_eager_propagates


def test_a_report_goes_at_once(smtp_inbox):  # noqa: F811
    reportmail.queue_report(["boss@example.com"], "Now", "Body", [("a.xlsx", b"PK\x03\x04")])
    [message] = smtp_inbox.messages
    assert message["Subject"] == "Now"
    assert smtp_inbox.attachments(message) == [("a.xlsx", b"PK\x03\x04")]


def test_a_mail_server_that_is_down_is_said_on_the_page_at_once(member_client, account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody there
    response = member_client.post(
        reverse("calls_email", args=[account.number]), {"email": "boss@example.com"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The report could not be sent. Try again later."
    ]
    assert not AuditLog.objects.filter(action="calls.email").exists()


def test_the_billable_calls_page_e_mails_through_the_task(
    member_client,
    account,
    smtp_inbox,  # noqa: F811
):
    response = member_client.post(
        reverse("billable_email", args=[account.number]), {"email": "boss@example.com"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The report was sent to boss@example.com."
    ]
    [message] = smtp_inbox.messages
    assert message["To"] == "boss@example.com"


def test_the_scheduled_tasks_run_in_process(account, member, smtp_inbox):  # noqa: F811
    member.email = "admin@example.com"
    member.save()
    oncall.upsert_schedule(account, "01", "01 Horaire", actor=oncall.Actor(name="tester"))
    ReportSubscription.objects.create(
        account=account, emails="ops@example.com", frequency="daily", language="en"
    )
    make_message(account, ago=dt.timedelta(days=61))
    make_call(account, ago=dt.timedelta(days=61))

    assert tasks.send_scheduled_reports.delay().get() == 1
    assert tasks.oncall_gap_alerts.delay().get() == 1
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "admin@example.com",
        "ops@example.com",
    ]
    assert tasks.purge_expired.delay().get() == {"messages": 1, "calls": 1, "recordings": 0}
    assert not Message.objects.exists()
    assert tasks.recordings_orphans.delay().get()["orphans"] == 0


def test_the_beat_schedule_is_the_project_s():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {name: entry["task"] for name, entry in schedule.items()} == {
        "scheduled-reports": "portal.tasks.send_scheduled_reports",
        "gap-alerts": "portal.tasks.oncall_gap_alerts",
        "retention-purge": "portal.tasks.purge_expired",
        "recordings-orphans": "portal.tasks.recordings_orphans",
        "webhook-retries": "portal.webhooks.tasks.retry_due_webhooks",
    }
    for entry in schedule.values():
        assert entry["task"] in app.tasks
    assert schedule["scheduled-reports"]["schedule"] == crontab(minute="*/5")
    assert schedule["webhook-retries"]["schedule"] == crontab(minute="*")
    assert schedule["retention-purge"]["schedule"] == crontab(hour=3, minute=30)
    assert schedule["recordings-orphans"]["schedule"] == crontab(hour=3, minute=45)
    assert schedule["gap-alerts"]["schedule"] == crontab(hour=8, minute=0)
    assert app.conf.beat_schedule_filename == str(settings.DATA_DIR / "celerybeat-schedule")
