"""The task queue for real: a `celery -A portal worker` process on the local Redis (its own
database number, queue and key prefix for this run), sharing the test database; each task is
enqueued here and its effect read where it lands (the real SMTP server, the database).
A worker killed mid-task leaves the task to the next one (acks_late); a mail server that is
down is tried again until it answers."""

import datetime as dt
import os
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from portal import reportmail, tasks
from portal.accounts.models import AuditLog
from portal.calls.models import Call, Recording
from portal.inbox.models import Message
from portal.oncall import services as oncall
from portal.stats.models import ReportDelivery, ReportSubscription
from tests.calls.helpers import make_call, make_message
from tests.conftest import free_port
from tests.stats.smtp import Inbox, smtp_inbox  # noqa: F401
from tests.tasks.conftest import use_broker

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 30  # seconds


@pytest.fixture(scope="module")
def mail_server():
    """The real SMTP server the module's worker sends through."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def worker(task_queue, mail_server):
    _inbox, port = mail_server
    return task_queue.start_worker(EMAIL_URL=f"smtp://127.0.0.1:{port}")


@pytest.fixture
def inbox(mail_server, worker):
    inbox, _port = mail_server
    inbox.messages.clear()
    return inbox


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)
    return found


def test_the_worker_runs_in_its_own_process_on_redis(worker, task_queue):
    result = tasks.purge_expired.delay()
    assert result.get(timeout=WAIT) == {"messages": 0, "calls": 0, "recordings": 0}
    assert result.state == "SUCCESS"
    assert worker.pid != os.getpid()
    assert b"portal.tasks.purge_expired" in worker.log.read_bytes()


def test_a_report_emailed_from_the_call_log_is_sent_by_the_worker(member_client, account, inbox):
    make_call(account)
    response = member_client.post(
        reverse("calls_email", args=[account.number]), {"email": "boss@example.com"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The report was sent to boss@example.com."
    ]
    # The limit and the audit are as before: one entry, naming the recipient.
    assert AuditLog.objects.get(action="calls.email").detail["to"] == "boss@example.com"
    message = wait_for(lambda: inbox.messages and inbox.messages[0], "the e-mail")
    assert message["To"] == "boss@example.com"
    assert message["Subject"] == "Call log report — account 4000"
    [(name, content)] = inbox.attachments(message)
    assert name.endswith(".xlsx") and content[:2] == b"PK"  # a real workbook, whole


def test_a_password_reset_link_is_sent_by_the_worker(member, inbox):
    from portal.accounts.reset import send_reset_link

    member.email = "alice@example.com"
    member.save()
    assert send_reset_link(member)
    message = wait_for(lambda: inbox.messages and inbox.messages[0], "the e-mail")
    assert message["To"] == "alice@example.com"
    assert "/reset/" in message.get_body().get_content()


def test_scheduled_reports_are_sent_by_the_worker_once(account, inbox):
    ReportSubscription.objects.create(
        account=account, emails="ops@example.com", frequency="daily", language="en"
    )
    assert tasks.send_scheduled_reports.delay().get(timeout=WAIT) == 1
    assert tasks.send_scheduled_reports.delay().get(timeout=WAIT) == 0  # the period is sent
    [message] = inbox.messages
    assert message["To"] == "ops@example.com"
    assert ReportDelivery.objects.get().sent_at is not None


def test_gap_alerts_go_to_each_account_s_admins(account, member, inbox):
    member.email = "admin@example.com"
    member.save()
    oncall.upsert_schedule(account, "01", "01 Horaire", actor=oncall.Actor(name="tester"))
    assert tasks.oncall_gap_alerts.delay(7).get(timeout=WAIT) == 1  # one task per account
    message = wait_for(lambda: inbox.messages and inbox.messages[0], "the gap alert")
    assert message["To"] == "admin@example.com"
    assert "nobody is on call" in message["Subject"]
    wait_for(lambda: AuditLog.objects.filter(action="oncall.gap_alert").exists(), "its audit")


def test_the_purge_removes_what_is_older_than_the_retention(account):
    old_message = make_message(account, ago=dt.timedelta(days=61))
    new_message = make_message(account)
    make_call(account, ago=dt.timedelta(days=70))
    new_call = make_call(account)
    removed = tasks.purge_expired.delay().get(timeout=WAIT)
    assert removed == {"messages": 1, "calls": 1, "recordings": 0}
    assert list(Message.objects.all()) == [new_message]
    assert list(Call.objects.all()) == [new_call]
    assert not Message.objects.filter(pk=old_message.pk).exists()


def test_the_orphans_check_reads_the_worker_s_storage(account, task_queue):
    recordings = task_queue.data_dir / "media" / "recordings" / "2026"
    recordings.mkdir(parents=True, exist_ok=True)
    orphan = recordings / "orphan.wav"
    orphan.write_bytes(b"RIFF")
    old = time.time() - 3 * 3600
    os.utime(orphan, (old, old))
    call = make_call(account)
    Recording.objects.create(
        call=call, file="recordings/2026/gone.wav", content_type="audio/wav", size=4, sha256="0"
    )
    summary = tasks.recordings_orphans.delay().get(timeout=WAIT)
    assert (summary["orphans"], summary["missing"], summary["removed"]) == (1, 1, 0)
    assert orphan.exists()  # reported, not removed
    summary = tasks.recordings_orphans.delay(delete=True).get(timeout=WAIT)
    assert summary["removed"] == 1 and not orphan.exists()
    assert Recording.objects.filter(call=call).exists()  # never a recording


def test_a_worker_killed_mid_task_leaves_it_to_the_next_one(task_queue, tmp_path):
    """The report is being handed to a mail server that has not answered yet when the worker
    is killed (SIGKILL, pool and all); a new worker sends it once the server is there."""
    queue = task_queue.name + "-kill"
    port = free_port()
    silent = socket.create_server(("127.0.0.1", port))  # accepts, never says hello
    first = task_queue.start_worker(queue, EMAIL_URL=f"smtp://127.0.0.1:{port}?timeout=60")
    tasks.send_report.apply_async(
        (["boss@example.com"], "Killed", "Body", tasks.encode_attachments([("a.xlsx", b"PK")])),
        queue=queue,
    )
    silent.settimeout(WAIT)
    connection, _ = silent.accept()  # the task is running: it is talking to the server
    task_queue.kill(first)
    connection.close()
    silent.close()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        task_queue.start_worker(queue, EMAIL_URL=f"smtp://127.0.0.1:{port}")
        message = wait_for(lambda: inbox.messages and inbox.messages[0], "the e-mail")
        assert message["Subject"] == "Killed"
        assert inbox.attachments(message) == [("a.xlsx", b"PK")]
    finally:
        controller.stop()


def test_a_mail_server_that_is_down_is_tried_again_until_it_answers(task_queue):
    queue = task_queue.name + "-retry"
    port = free_port()  # nothing listens there yet
    task_queue.start_worker(queue, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    result = tasks.send_report.apply_async(
        (["boss@example.com"], "Retried", "Body", []), queue=queue
    )
    wait_for(lambda: result.state == "RETRY", "a retry")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert result.get(timeout=WAIT) == 1
        [message] = inbox.messages
        assert message["Subject"] == "Retried"
    finally:
        controller.stop()


def test_a_page_s_report_goes_at_once_when_the_queue_cannot_be_reached(
    task_queue,
    smtp_inbox,  # noqa: F811
):
    """Redis down (nothing at its address): the page does not fail, it sends the report
    itself."""
    from portal.celery import app

    before = {"broker_url": app.conf.broker_url}
    use_broker(app, {"broker_url": "redis://127.0.0.1:1/0"})
    try:
        reportmail.queue_report(["boss@example.com"], "Direct", "Body", [("a.xlsx", b"PK")])
    finally:
        use_broker(app, before)
    [message] = smtp_inbox.messages
    assert message["Subject"] == "Direct"
    assert smtp_inbox.attachments(message) == [("a.xlsx", b"PK")]


def test_the_beat_runs_the_project_s_schedule_from_a_file_under_the_data_dir(task_queue):
    import subprocess

    from tests.tasks.conftest import CELERY

    log = task_queue.data_dir / "beat.log"
    beat = subprocess.Popen(
        [CELERY, "-A", "portal", "beat", "-l", "debug"],
        env=task_queue.env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        names = (b"scheduled-reports", b"gap-alerts", b"retention-purge", b"recordings-orphans")
        wait_for(lambda: all(name in log.read_bytes() for name in names), "the schedule")
        assert list(task_queue.data_dir.glob("celerybeat-schedule*"))
        assert beat.poll() is None
    finally:
        task_queue.kill(beat)
