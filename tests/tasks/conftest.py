"""The task queue's tests share the database with a real worker (another process): on SQLite
the test database is then a file (named for this run) instead of memory."""

import os
import tempfile

from django.conf import settings

_db = settings.DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3" and not _db.get("TEST", {}).get("NAME"):
    _db.setdefault("TEST", {})["NAME"] = os.path.join(
        tempfile.gettempdir(), f"portal-test-{os.getpid()}.sqlite3"
    )


# A real worker --------------------------------------------------------------------------

import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.conftest import free_port  # noqa: E402

# The Redis the tests use: PORTAL_TEST_REDIS_URL, else the environment's REDIS_URL (CI's), else
# the local one's database 9. Each run has its own queue and key prefix on it.
REDIS_URL = (
    os.environ.get("PORTAL_TEST_REDIS_URL")
    or os.environ.get("REDIS_URL")
    or "redis://127.0.0.1:6379/9"
)
CELERY = str(Path(sys.executable).with_name("celery"))


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL's Redis when it answers; else a redis-server started for this run (Debian's,
    as `make test` installs it); else the task queue's tests are skipped, saying why."""
    import shutil

    from tests import taskqueue

    if taskqueue.REDIS_URL:  # the suite's own (tests/taskqueue.py)
        yield taskqueue.REDIS_URL
        return
    if _answers(REDIS_URL):
        yield REDIS_URL
        return
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(server):
        pytest.skip(
            f"no Redis at {REDIS_URL} and no redis-server to start: the task queue's tests need one"
        )
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url(db: dict) -> str:
    """The test database, as the worker's DATABASE_URL."""
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    from urllib.parse import quote

    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Queue:
    """This run's own queue and key prefix on the test Redis, and workers started on it."""

    def __init__(self, data_dir: Path, url: str):
        self.url = url
        run = uuid.uuid4().hex[:12]
        self.name = f"portal-test-{run}"
        self.env = {
            **os.environ,
            "REDIS_URL": url,
            "PORTAL_TASKS_IN_PROCESS": "0",  # a worker's own .delay() goes to the queue too
            "PORTAL_TASK_PREFIX": f"portal-test-{run}:",
            "PORTAL_TASK_QUEUE": self.name,
            # A dead worker's task is handed to the next one after this long.
            "PORTAL_TASK_VISIBILITY_TIMEOUT": "3",
            "PORTAL_TASK_RETRY_SECONDS": "1",
            "PORTAL_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        self.data_dir = data_dir
        self.workers: list[subprocess.Popen] = []

    def settings(self) -> dict:
        """The Celery settings the worker reads from this environment, for this process."""
        prefix = self.env["PORTAL_TASK_PREFIX"]
        return {
            "broker_url": self.url,
            "result_backend": self.url,
            "task_always_eager": False,
            "task_default_queue": self.name,
            "broker_transport_options": {"visibility_timeout": 3, "global_keyprefix": prefix},
            "result_backend_transport_options": {"global_keyprefix": prefix},
        }

    def start_worker(self, queue: str | None = None, **env) -> subprocess.Popen:
        queue = queue or self.name
        log = self.data_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
        process = subprocess.Popen(
            [CELERY, "-A", "portal", "worker", "-l", "info", "-c", "1", "-Q", queue,
             "-n", f"{queue}-{len(self.workers)}@%h", "--without-mingle", "--without-gossip"],
            env={**self.env, **env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with its pool
        )  # fmt: skip
        self.workers.append(process)
        deadline = time.monotonic() + 30
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the worker did not start:\n" + log.read_text())
            time.sleep(0.1)
        process.log = log
        return process

    def kill(self, process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def clean(self):
        import redis

        r = redis.Redis.from_url(self.url)
        keys = list(r.scan_iter(match=self.env["PORTAL_TASK_PREFIX"] + "*"))
        keys += list(r.scan_iter(match="*" + self.name + "*"))
        if keys:
            r.delete(*keys)


from tests.taskqueue import use_broker  # noqa: E402, F401 (this module's since before)


@pytest.fixture(scope="module")
def task_queue(redis_url, django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery -A portal worker` on Redis, sharing the test database; this process's
    tasks go to it for the module's tests."""
    from django.db import connection

    from portal.celery import app

    queue = Queue(tmp_path_factory.mktemp("worker-data"), redis_url)
    queue.env["DATABASE_URL"] = database_url(connection.settings_dict)
    before = {key: app.conf[key] for key in queue.settings()}
    use_broker(app, queue.settings())
    try:
        yield queue
    finally:
        for process in queue.workers:
            queue.kill(process, signal.SIGTERM if process.poll() is None else 0)
        use_broker(app, before)
        queue.clean()
