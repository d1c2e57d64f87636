"""The suite itself runs on Redis and the task queue (tests/taskqueue.py): an ordinary test's
task goes through Redis to this process's embedded worker, in another thread, and sees the
test's uncommitted rows; the cache is Redis, under this process's prefix, emptied after each
test; and a run without any Redis says in its header that its tasks run in-process."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from celery import signals
from celery.result import AsyncResult
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from portal.accounts.models import AuditLog
from portal.celery import app
from tests import taskqueue
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent

needs_redis = pytest.mark.skipif(
    not taskqueue.REDIS_URL, reason=f"no Redis for this run: {taskqueue.WHY}"
)


@pytest.fixture
def runs():
    """Where and how each task ran in this process, and what was published."""
    seen = {"ran": [], "published": []}

    def ran(sender=None, task_id=None, task=None, **kwargs):
        seen["ran"].append(
            {
                "id": task_id,
                "name": task.name,
                "thread": threading.get_ident(),
                "eager": task.request.is_eager,
                "routing_key": (task.request.delivery_info or {}).get("routing_key"),
            }
        )

    def published(sender=None, headers=None, routing_key=None, **kwargs):
        seen["published"].append({"id": headers["id"], "routing_key": routing_key})

    signals.task_prerun.connect(ran, weak=False)
    signals.before_task_publish.connect(published, weak=False)
    yield seen
    signals.task_prerun.disconnect(ran)
    signals.before_task_publish.disconnect(published)


@needs_redis
@pytest.mark.django_db
def test_an_e_mailed_report_goes_through_redis_to_the_worker(member_client, account, runs):
    response = member_client.post(
        reverse("calls_email", args=[account.number]), {"email": "boss@example.com"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The report was sent to boss@example.com."
    ]
    # The e-mail is there when the page has answered (the test waited for the task) ...
    [message] = mail.outbox
    assert message.to == ["boss@example.com"]
    assert AuditLog.objects.filter(action="calls.email", account=account).count() == 1
    # ... sent by the worker thread from a message it took off this process's queue on Redis.
    [sent] = runs["published"]
    [ran] = runs["ran"]
    assert sent == {"id": ran["id"], "routing_key": taskqueue.QUEUE}
    assert ran["name"] == "portal.tasks.send_report"
    assert ran["eager"] is False
    assert ran["routing_key"] == taskqueue.QUEUE
    assert ran["thread"] != threading.get_ident()
    assert app.conf.task_always_eager is False
    assert AsyncResult(ran["id"], app=app).state == "SUCCESS"  # read back from Redis


@needs_redis
@pytest.mark.django_db
def test_the_worker_sees_the_test_s_uncommitted_rows(member_client, account, member, runs):
    """A password reset e-mail: the task reads nothing, but the reset's audit entry written
    before it and the login's row are the test's, never committed."""
    member.email = "member@example.com"
    member.save()
    response = member_client.post(reverse("password_reset"), {"email": "member@example.com"})
    assert response.status_code in (200, 302)
    [message] = mail.outbox
    assert message.to == ["member@example.com"]
    [ran] = runs["ran"]
    assert ran["name"] == "portal.tasks.send_email" and ran["eager"] is False


@needs_redis
@pytest.mark.django_db
def test_a_task_sent_inside_a_transaction_waits_for_its_commit(runs):
    from django.db import transaction

    from portal import tasks

    with transaction.atomic():
        tasks.enqueue(tasks.send_email, "Later", "Body", ["a@example.com"])
        assert runs["published"] == [] and mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["Later"]

    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue(tasks.send_email, "Never", "Body", ["a@example.com"])
        raise RuntimeError("rolled back")
    assert [m.subject for m in mail.outbox] == ["Later"]
    assert len(runs["published"]) == 1


@needs_redis
def test_the_cache_is_redis_under_this_process_s_prefix():
    cache.set("probe", 42)
    client = redis.Redis.from_url(taskqueue.REDIS_URL)
    assert client.exists(f"{taskqueue.CACHE_PREFIX}:1:probe") == 1
    taskqueue.clear_cache()  # what the suite does after each test
    assert cache.get("probe") is None
    assert os.environ.get("PYTEST_XDIST_WORKER", "main") in taskqueue.CACHE_PREFIX


PROBE = """
import threading
import pytest
from celery import signals
from django.core import mail
from portal import reportmail
from portal.celery import app


@pytest.mark.django_db
def test_in_the_caller():
    seen = []
    signals.task_prerun.connect(
        lambda task=None, **kw: seen.append((threading.get_ident(), task.request.is_eager)),
        weak=False,
    )
    reportmail.queue_report(["boss@example.com"], "Now", "Body", [])
    assert [m.subject for m in mail.outbox] == ["Now"]
    assert seen == [(threading.get_ident(), True)]
    assert app.conf.task_always_eager is True
"""


def test_without_redis_the_run_says_its_tasks_run_in_process(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    probe = ROOT / "tests" / "tasks" / f"probe_eager_{os.getpid()}.py"
    probe.write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PORTAL_TEST_"))}
    env.pop("DATABASE_URL", None)  # SQLite in memory: no test database to share
    env.pop("PORTAL_TASKS_IN_PROCESS", None)
    env.update(REDIS_URL=dead, PORTAL_TEST_REDIS_URL=dead)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:xdist", str(probe)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        probe.unlink()
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"task queue: tasks run in-process (eager), no Redis answers at {dead}" in out.stdout
    assert "1 passed" in out.stdout
