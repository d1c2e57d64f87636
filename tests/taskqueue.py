"""The suite's Redis and task queue (README, "The tests"): where a Redis can be had, every test
process uses it as its cache and sends every task through it to a real Celery worker.

- The Redis: PORTAL_TEST_REDIS_URL, else REDIS_URL, when one of them is set (and it answers);
  else the local one (127.0.0.1:6379, database 9); else a redis-server started for this run
  on a free port, keeping nothing on disk. None of these (or PORTAL_TASKS_IN_PROCESS=1): the
  tasks run in-process, in the caller (eager), and the run's header says so.
- Each test process (a pytest-xdist worker, or the one process) has its own queue, broker key
  prefix and cache key prefix on it; the cache's keys are deleted after every test.
- Each test process runs an embedded Celery worker (celery.contrib.testing.worker, pool
  "solo") in a thread, consuming its queue. The worker's tasks use the test's own database
  connection (as Django's LiveServerThread does), so they see the test's uncommitted rows;
  mail.outbox and settings overrides are process-wide, so the test sees what they do.
- A task sent to this process's queue is waited for right after it is published (a Celery
  `after_task_publish` hook, here, not in the portal): the caller goes on once the worker has
  run it, and the tasks it sent in turn. A task sent for later (a retry's countdown) is not
  waited for, and is revoked when the test ends, so that nothing runs into the next test.
  `tasks_done()` waits for this process's tasks explicitly.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

# The longest a test waits for its tasks (an export of many rows on a busy machine).
WAIT_SECONDS = float(os.environ.get("PORTAL_TEST_TASK_WAIT", 60))
DEFAULT_URL = "redis://127.0.0.1:6379/9"
_ENV_URL = "PORTAL_TEST_REDIS_RESOLVED"  # the controller's choice, inherited by xdist workers
_ENV_WHY = "PORTAL_TEST_REDIS_WHY"
_ENV_RUN = "PORTAL_TEST_RUN"

REDIS_URL = ""  # this run's Redis ("": in-process tasks)
WHY = ""  # why, for the header
QUEUE = ""  # this process's queue
CACHE_PREFIX = ""
_server: subprocess.Popen | None = None
_server_dir: str | None = None


def answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except (redis.RedisError, ValueError):
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server() -> str:
    """A redis-server of our own (Debian's, `make redis`), on a free port, nothing on disk."""
    global _server, _server_dir
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(server):
        return ""
    port = _free_port()
    _server_dir = tempfile.mkdtemp(prefix="portal-test-redis-")
    _server = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", _server_dir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not answers(url):
        if _server.poll() is not None or time.monotonic() > deadline:
            stop_server()
            return ""
        time.sleep(0.05)
    return url


def stop_server() -> None:
    global _server
    if _server is not None:
        _server.terminate()
        try:
            _server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server.kill()
        _server = None
    if _server_dir:
        shutil.rmtree(_server_dir, ignore_errors=True)


def resolve() -> tuple[str, str]:
    """(url, why) of the run's Redis; url "" when there is none (tasks in-process)."""
    from portal.settings import env_bool

    if env_bool("PORTAL_TASKS_IN_PROCESS", False):
        return "", "PORTAL_TASKS_IN_PROCESS=1"
    given = os.environ.get("PORTAL_TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if given:
        if answers(given):
            return given, f"the Redis at {given}"
        return "", f"no Redis answers at {given}"
    if answers(DEFAULT_URL):
        return DEFAULT_URL, f"the local Redis at {DEFAULT_URL}"
    url = _start_server()
    if url:
        return url, f"a redis-server started for this run at {url}"
    return "", f"no Redis at {DEFAULT_URL} and no redis-server to start"


def choose() -> None:
    """In the controller (or the one process): choose the Redis, for the xdist workers too."""
    global REDIS_URL, WHY
    if _ENV_URL in os.environ:  # an xdist worker: the controller chose
        REDIS_URL, WHY = os.environ[_ENV_URL], os.environ.get(_ENV_WHY, "")
        return
    REDIS_URL, WHY = resolve()
    os.environ[_ENV_URL], os.environ[_ENV_WHY] = REDIS_URL, WHY
    os.environ.setdefault(_ENV_RUN, uuid.uuid4().hex[:10])


def header() -> str:
    if REDIS_URL:
        return (
            f"task queue: Celery on {WHY}, a worker thread per test process "
            "(cache and tasks on Redis)"
        )
    return f"task queue: tasks run in-process (eager), {WHY}; cache in memory"


def configure() -> None:
    """This process's settings and Celery app: Redis cache and broker, its own queue."""
    global QUEUE, CACHE_PREFIX
    from django.conf import settings
    from django.test.signals import setting_changed

    from portal.celery import app

    if not REDIS_URL:  # in-process, whatever REDIS_URL says; the cache in memory
        settings.REDIS_URL = ""
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
        settings.CELERY_TASK_ALWAYS_EAGER = True
        app.conf.task_always_eager = True
        return

    name = f"portal-test-{os.environ[_ENV_RUN]}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    QUEUE, CACHE_PREFIX = name, f"{name}-cache"
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 5},
        }
    }
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    transport = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{name}:",
        # A message taken off Redis but never handed to the worker (seen, rarely, on a busy
        # machine) goes back to the queue after this long; the solo worker never restores
        # one it is running (it restores between tasks only).
        "visibility_timeout": 10,
        "unacked_restore_interval": 2,
        "unacked_restore_throttle": 1,
    }
    conf = {
        "broker_url": REDIS_URL,
        "result_backend": REDIS_URL,
        "task_always_eager": False,
        "task_default_queue": QUEUE,
        "broker_transport_options": transport,
        "result_backend_transport_options": {"global_keyprefix": f"{name}:"},
        "result_expires": 3600,
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = QUEUE
    use_broker(app, conf)


def use_broker(app, conf: dict) -> None:
    """This process's Celery app sends to (or stops sending to) the test Redis."""
    app.conf.update(conf)
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


# The embedded worker -------------------------------------------------------------------

_lock = threading.Condition()
_pending: dict[str, int] = {}  # task id -> messages published for now, not run yet
_running: set[str] = set()
_later: set[str] = set()  # ids published with an eta (a retry's countdown)
_ran_first: set[str] = set()  # ids the worker ended before their sender had counted them
_shared_connection = None
_local = threading.local()  # .worker: a thread of the embedded worker; .in_task: running one
HOSTNAME = ""


def in_worker() -> bool:
    return getattr(_local, "worker", False)


def _published(sender=None, headers=None, routing_key=None, **kwargs):
    if routing_key != QUEUE or not headers:
        return
    task_id = headers.get("id")
    with _lock:
        if headers.get("eta") or headers.get("countdown"):
            _later.add(task_id)
            return
        if task_id in _ran_first:
            # The worker took it off Redis and ran it before this thread was scheduled again
            # (under load): nothing to wait for.
            _ran_first.discard(task_id)
        else:
            _pending[task_id] = _pending.get(task_id, 0) + 1
    if not getattr(_local, "in_task", False):  # a task's own tasks run after it
        tasks_done()


def _prerun(sender=None, task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    if request is None or request.is_eager:  # not eager in this process: our worker's
        return
    from django.db import connections

    _local.worker = _local.in_task = True
    if _shared_connection is not None:
        connections["default"] = _shared_connection
    with _lock:
        _running.add(task_id)


def _finished(task_id):
    with _lock:
        _running.discard(task_id)
        if _pending.get(task_id):
            _pending[task_id] -= 1
            if not _pending[task_id]:
                del _pending[task_id]
        elif task_id not in _later:
            _ran_first.add(task_id)  # ended before its sender counted it (_published)
        _lock.notify_all()


def _postrun(sender=None, task_id=None, **kwargs):
    if getattr(_local, "in_task", False):
        _local.in_task = False
        _finished(task_id)


def _revoked(sender=None, request=None, **kwargs):
    if request is not None:
        _finished(request.id)


def _unknown_or_rejected(sender=None, message=None, **kwargs):
    task_id = kwargs.get("id") or (getattr(message, "headers", None) or {}).get("id")
    if task_id:
        _finished(task_id)


def tasks_done(timeout: float = WAIT_SECONDS) -> None:
    """Wait until every task sent to this process's queue for now has run (and those they
    sent); a no-op with in-process tasks."""
    if not REDIS_URL or getattr(_local, "in_task", False):
        return
    deadline = time.monotonic() + timeout
    with _lock:
        while _pending or _running:
            left = deadline - time.monotonic()
            if left <= 0:
                faulthandler.dump_traceback(file=sys.__stderr__)  # where each thread is
                lost = sorted(_pending) + sorted(_running)
                lost += [_state_of_the_queue()]
                _pending.clear()  # this test fails; the next ones do not wait for these
                _running.clear()
                raise AssertionError(
                    f"tasks still waiting or running after {timeout:.0f} s: {lost}"
                )
            _lock.wait(min(left, 0.5))


def _state_of_the_queue() -> str:
    """For a test that waited in vain: what Redis and the worker hold."""
    from celery.worker import state

    try:
        waiting = _redis().llen(f"{QUEUE}:{QUEUE}")
        unacked = _redis().hlen(f"{QUEUE}:unacked")
    except Exception as error:  # noqa: BLE001 — a diagnosis only
        waiting = unacked = repr(error)
    return (
        f"messages in Redis: {waiting}, unacknowledged: {unacked}, reserved by the worker: "
        f"{len(state.reserved_requests)}, active: {len(state.active_requests)}, "
        f"sent for later: {len(_later)}"
    )


def end_of_test() -> None:
    """After each test: its tasks have run; those sent for later are revoked."""
    if not REDIS_URL:
        return
    tasks_done()
    from celery.worker import state

    with _lock:
        for task_id in _later:
            state.revoked.add(task_id)
        _later.clear()
        _ran_first.clear()


def _quiet_django_fixup() -> None:
    """Celery's Django fixup closes the database connections around each task (a worker
    process's own); in the embedded worker they are the test's, which must stay open."""
    from celery.fixups.django import DjangoWorkerFixup

    for name in ("on_task_prerun", "on_task_postrun", "close_database", "close_cache"):
        original = getattr(DjangoWorkerFixup, name)

        def skip_in_worker(self, *args, _original=original, **kwargs):
            if in_worker():
                return None
            return _original(self, *args, **kwargs)

        setattr(DjangoWorkerFixup, name, skip_in_worker)


@contextlib.contextmanager
def start_worker():
    """The embedded worker of this process, in a thread, on this process's queue."""
    global _shared_connection, HOSTNAME
    from celery import signals
    from celery.contrib.testing.worker import start_worker as celery_start_worker
    from django.db import connections

    from portal.celery import app

    _quiet_django_fixup()
    for signal, handler in (
        (signals.after_task_publish, _published),
        (signals.task_prerun, _prerun),
        (signals.task_postrun, _postrun),
        (signals.task_revoked, _revoked),
        (signals.task_unknown, _unknown_or_rejected),
        (signals.task_rejected, _unknown_or_rejected),
    ):
        signal.connect(handler, weak=False)
    os.environ.setdefault("CELERY_SKIP_CHECKS", "1")  # the test run has checked already
    _shared_connection = connections["default"]
    _shared_connection.inc_thread_sharing()
    HOSTNAME = f"{QUEUE}@{socket.gethostname()}"
    try:
        with celery_start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            hostname=HOSTNAME,
            queues=[QUEUE],
            # Celery's plain loop (drain_events) rather than its event loop: one thread, and
            # a Redis connection that dropped is opened again.
            use_eventloop=False,
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        _shared_connection.dec_thread_sharing()
        _cleanup_keys(f"{QUEUE}:*")


def clear_cache() -> None:
    """This process's cache keys on Redis, and the API's memory of what it asked of them (a
    token's "last used" is written at most once a minute per token id: ids come again in the
    next test's rolled-back database)."""
    if REDIS_URL:
        _cleanup_keys(f"{CACHE_PREFIX}:*")
    from portal.api import auth

    for name in ("_tokens", "_accounts", "_used_asked"):
        memo = getattr(auth, name, None)
        if isinstance(memo, dict):
            memo.clear()


_redis_client = None


def _redis():
    global _redis_client
    import redis

    if _redis_client is None:
        _redis_client = redis.Redis.from_url(REDIS_URL)
    return _redis_client


def _cleanup_keys(pattern: str) -> None:
    keys = list(_redis().scan_iter(match=pattern, count=1000))
    if keys:
        _redis().delete(*keys)


# Tasks sent at commit, inside the tests' own transaction -------------------------------


def _only_the_tests_transaction(connection) -> bool:
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def commit_as_in_production() -> None:
    """portal.tasks.enqueue sends a task once the caller's transaction commits. A test with
    the `db` fixture runs inside a transaction of its own (rolled back at its end), which
    never commits: there, a task is sent when the caller's transaction would have committed
    — at once outside any of the portal's atomic blocks, else when the outermost of them
    ends without an error. Other on_commit callbacks keep Django's test behaviour."""
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    from portal.tasks import _Send

    on_commit = BaseDatabaseWrapper.on_commit
    atomic_exit = transaction.Atomic.__exit__

    def on_commit_sending_tasks(self, func, robust=False):
        if isinstance(func, _Send) and self.in_atomic_block and _only_the_tests_transaction(self):
            return func()
        return on_commit(self, func, robust)

    def exit_sending_tasks(self, exc_type, exc_value, traceback):
        result = atomic_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if (
            connection.in_atomic_block
            and _only_the_tests_transaction(connection)
            and any(isinstance(func, _Send) for _ids, func, _robust in connection.run_on_commit)
        ):
            ours = [
                func for _ids, func, _robust in connection.run_on_commit if isinstance(func, _Send)
            ]
            connection.run_on_commit = [
                hook for hook in connection.run_on_commit if not isinstance(hook[1], _Send)
            ]
            for func in ours:
                func()
        return result

    BaseDatabaseWrapper.on_commit = on_commit_sending_tasks
    transaction.Atomic.__exit__ = exit_sending_tasks
