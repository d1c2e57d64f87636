"""`make serve`'s stack (bin/serve), started for real on free ports, on PostgreSQL: nginx in
front, the client pages' gunicorn pool, the dispatch look-up's own pool, the Celery worker
and beat, and a redis-server of its own (REDIS_URL not given).

One stack for the module (it takes ~15 s to start): signing in through the entry port in
Chromium, the look-up answered by the dispatch pool, /healthz, /metrics, a revoked token
refused by every worker at once (each keeps its copies, Redis pub/sub tells them all), the
statement timeout's 503 (the table held by another connection with pg_sleep), the look-up
answering while the pages' pool is saturated, the dispatch path's CPU priority above the
pages' pool and the worker's, and Ctrl-C stopping everything."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.portal_pages import fill_sign_in, open_section

ROOT = Path(__file__).resolve().parent.parent.parent
POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


pytestmark = pytest.mark.skipif(
    not _postgres_reachable(), reason=f"needs a PostgreSQL server at {POSTGRES}"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, token: str | None = None, timeout: float = 10, cookie: str = ""):
    """(status, headers, body) of a GET."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


SETUP = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()
from portal.accounts.models import Account, Membership, User
from portal.api.services import create_token
account, _ = Account.objects.get_or_create(
    number="4000", defaults={"name": "TEST", "billing_number": "784000",
    "timezone": "America/Toronto", "language": "en"})
if not User.objects.filter(username="alice").exists():
    user = User.objects.create_user(username="alice", password="correct horse 42")
    Membership.objects.create(user=user, account=account, role=Membership.ADMIN)
token, raw = create_token(sys.argv[1], "oncall:read", ["4000"])
print(raw)
"""

REVOKE = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()
from portal.api.models import ApiToken
from portal.api.services import revoke_tokens
print(revoke_tokens(ApiToken.objects.filter(name=sys.argv[1])))
"""


class Stack:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = f"portal_serve_{secrets.token_hex(4)}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "PORTAL_DEV": "1",  # as `make serve`: a key generated into the data directory
            "PORTAL_DATA_DIR": str(tmp / "data"),
            "PORTAL_STATIC_ROOT": os.environ.get(
                "PORTAL_STATIC_ROOT", str(ROOT / "var" / "static")
            ),
            "DATABASE_URL": f"{POSTGRES}/{self.database}",
            "PORT": str(self.port),
            "REDIS_PORT": str(free_port()),  # the redis-server serve starts (no REDIS_URL)
            "WEB_WORKERS": "2",
            "DISPATCH_WORKERS": "2",
            "PORTAL_STATEMENT_TIMEOUT_MS": "1500",
            "PORTAL_DISPATCH_STATEMENT_TIMEOUT_MS": "300",
            "PORTAL_AUDIT_BATCH_SECONDS": "0",
            "CELERY_LOGLEVEL": "WARNING",
        }
        self.out = open(tmp / "serve.out", "wb")  # noqa: SIM115
        self.err = open(tmp / "serve.err", "wb")  # noqa: SIM115
        self.tmp = tmp
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=self.env,
            stdout=self.out,
            stderr=self.err,
        )

    def logs(self) -> str:
        return (self.tmp / "serve.err").read_text(errors="replace")[-4000:]

    def wait_ready(self, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.logs()
            try:
                status, _h, _b = fetch(f"{self.url}/readyz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"not ready after {seconds} s:\n{self.logs()}")

    def python(self, code: str, *args: str) -> str:
        env = {k: v for k, v in self.env.items() if k != "PORTAL_DEV"}
        env["REDIS_URL"] = self.redis_url()
        result = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.env['REDIS_PORT']}/0"

    def token(self) -> tuple[str, str]:
        name = f"dispatch-{secrets.token_hex(3)}"
        return name, self.python(SETUP, name)

    def lookup(self, token: str, timeout: float = 10):
        return fetch(f"{self.url}/api/v1/accounts/4000/oncall", token, timeout=timeout)

    def drop(self):
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("serve"))
    try:
        running.wait_ready()
        yield running
    finally:
        if running.process.poll() is None:
            running.process.send_signal(signal.SIGINT)
            try:
                running.process.wait(30)
            except subprocess.TimeoutExpired:
                running.process.kill()
        running.out.close()
        running.err.close()
        running.drop()


def hold_table(stack: Stack, table: str, seconds: float) -> threading.Event:
    """Another connection takes `table` and keeps it (pg_sleep) for `seconds`; returns an
    event set once the lock is held."""
    import psycopg

    held = threading.Event()

    def run():
        try:
            with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
                connection.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
                held.set()
                connection.execute("SELECT pg_sleep(%s)", [seconds])
        except psycopg.errors.AdminShutdown:
            pass  # the module's end drops the database while the last lock still sleeps

    threading.Thread(target=run, daemon=True).start()
    assert held.wait(10)
    return held


@pytest.mark.browser
def test_sign_in_and_the_look_up_through_the_one_entry_port(stack, new_page):
    page = new_page()
    page.goto(f"{stack.url}/")
    page.get_by_role("heading", name="Please sign in").wait_for()
    _name, token = stack.token()  # the account and alice exist from here on
    fill_sign_in(page, "en", "alice")
    page.wait_for_url(f"{stack.url}/a/4000/")
    assert page.get_by_text("Account number: 4000").is_visible()

    status, headers, body = stack.lookup(token)
    assert status == 200, body
    assert headers["X-Portal-Pool"] == "dispatch"
    answer = json.loads(body)
    assert answer["account"] == "4000" and answer["covered"] is False
    status, headers, _body = fetch(f"{stack.url}/login/")
    assert status == 200 and headers["X-Portal-Pool"] == "web"

    status, headers, body = fetch(f"{stack.url}/healthz")
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    checks = json.loads(body)["checks"]
    assert checks["database"]["detail"] == "postgresql"
    assert checks["cache"]["detail"] == "RedisCache"
    assert checks["queue"]["detail"] == "redis"

    status, _headers, body = fetch(f"{stack.url}/metrics")
    assert status == 200
    text = body.decode()
    assert 'route="oncall_now",status="200"' in text  # from the dispatch pool's workers
    assert 'route="home",status="200"' in text  # from the web pool's
    assert "portal_dispatch_lookup_seconds_count" in text
    assert 'portal_queue_length{queue="portal"}' in text

    log_lines = (stack.tmp / "serve.err").read_text().splitlines()
    request_lines = [json.loads(x) for x in log_lines if '"logger": "portal.request"' in x]
    assert any(x["route"] == "oncall_now" and x["status"] == 200 for x in request_lines)
    assert all(
        {"time", "level", "message", "request_id", "duration_ms"} <= set(x) for x in request_lines
    )


def test_a_revoked_token_is_refused_by_every_worker_at_once(stack):
    import redis

    name, token = stack.token()
    client = redis.Redis.from_url(stack.redis_url())
    for _ in range(20):  # both dispatch workers answer with it, and keep it
        assert stack.lookup(token)[0] == 200
    ((_channel, subscribed),) = client.pubsub_numsub("portal:api:forget")
    assert subscribed >= 2, "the dispatch workers are not both subscribed"
    assert not client.keys("portal:*api:token:*"), "kept in each process, not in Redis"

    assert stack.python(REVOKE, name) == "1"  # in another process altogether
    for _ in range(6):
        status, _headers, body = stack.lookup(token)
        assert status == 401, body
        assert json.loads(body) == {"detail": "Missing or invalid token."}


@pytest.mark.browser
def test_the_statement_timeout_answers_503_and_the_look_up_never_waits_behind_pages(
    stack, new_page, axe, shoot
):
    from portal.inbox.models import Message
    from portal.oncall.models import OnCallInterval

    _name, token = stack.token()
    assert stack.lookup(token)[0] == 200

    # The look-up's table held by another connection: cancelled after 300 ms, 503.
    hold_table(stack, OnCallInterval._meta.db_table, 3)
    started = time.monotonic()
    status, headers, body = stack.lookup(token)
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert json.loads(body) == {
        "detail": "The database took too long to answer; nothing was stored, try again."
    }
    assert headers["Retry-After"] == "1"
    assert elapsed < 2, elapsed
    time.sleep(3.2)  # the lock is released
    assert stack.lookup(token)[0] == 200

    # Every worker of the pages' pool stuck on a page (its table held): the look-up answers.
    page = new_page()
    page.goto(f"{stack.url}/login/")
    fill_sign_in(page, "en", "alice")
    page.wait_for_url(f"{stack.url}/a/4000/")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    hold_table(stack, Message._meta.db_table, 8)
    stuck = [
        threading.Thread(
            target=fetch,
            args=(f"{stack.url}/a/4000/messages/",),
            kwargs={"cookie": cookie},
            daemon=True,
        )
        for _ in range(2)  # one for each worker of the pool
    ]
    for thread in stuck:
        thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, _headers, _body = stack.lookup(token)
    assert status == 200
    assert time.monotonic() - started < 0.5
    # The page itself: stopped after 1.5 s, a page that says so.
    open_section(page, "en", "Inbox / Messages")
    page.get_by_role("heading", name="The page took too long").wait_for()
    assert page.get_by_text("nothing was changed").is_visible()
    page.get_by_role("link", name="Try again").wait_for()
    axe(page)
    shoot(page, "serve-statement-timeout-page")


def test_the_dispatch_path_comes_first_for_the_cpu(stack):
    """DISPATCH_NICE, WEB_NICE and WORKER_NICE at their defaults: each part in a session of its
    own, the dispatch pool's every process (and nginx's, and redis-server's) at a better
    niceness, its own and its session's (autogroup), than the pages' pool and the worker."""
    from portal.ops import priority
    from portal.ops.priority import effective

    parts: dict[str, list[tuple[int, int | None, int | None]]] = {}
    for pid in descendants(stack.process.pid):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"celery" in argv:
            part = "worker"
        elif b"gunicorn" in argv:
            part = "dispatch" if b"PORTAL_POOL=dispatch" in environ else "web"
        elif b"nginx" in argv:
            part = "nginx"
        elif b"redis-server" in argv:
            part = "redis"
        else:
            continue
        parts.setdefault(part, []).append((pid, *effective(pid)))
    assert set(parts) == {"dispatch", "web", "worker", "nginx", "redis"}, parts
    assert len(parts["dispatch"]) == 3 and len(parts["web"]) == 3  # masters and 2 workers each
    # Below 0 needs the privilege: -5, 0, 10; without it 0, 5, 15 (the others raised instead).
    raised = 0 if priority.can_lower_to(-5) else 5
    nice = {part: {n for _pid, n, _g in found} for part, found in parts.items()}
    session = {part: {g for _pid, _n, g in found} for part, found in parts.items()}
    for part in ("dispatch", "nginx", "redis"):
        assert nice[part] == session[part] == {-5 + raised}, parts
    assert nice["web"] == session["web"] == {0 + raised}, parts
    assert nice["worker"] == session["worker"] == {10 + raised}, parts
    # Each part leads a session (an autogroup) of its own, apart from serve's.
    leaders = {os.getsid(pid) for found in parts.values() for pid, _n, _g in found}
    assert os.getsid(stack.process.pid) not in leaders
    assert len({os.getsid(pid) for pid, _n, _g in parts["dispatch"]}) == 1
    assert {os.getsid(pid) for pid, _n, _g in parts["dispatch"]}.isdisjoint(
        os.getsid(pid) for pid, _n, _g in parts["web"] + parts["worker"]
    )
    assert "serve: CPU priority (niceness): " in (stack.tmp / "serve.err").read_text()


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_stops_every_process(stack):
    processes = descendants(stack.process.pid)
    # nginx (master and workers), two gunicorn masters and their four workers, the Celery
    # worker and its children, beat, redis-server.
    assert len(processes) >= 10, processes
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(30) == 0, stack.logs()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in processes if alive(p)]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", stack.port), timeout=1)
