"""A token revoked in one process is refused by another at once: two real processes (Django in
each, the API through its full middleware stack) sharing the test's database and a Redis,
each keeping the tokens it read in its own memory (portal.api.tokencache)."""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from portal.api.models import ApiToken

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = (
    os.environ.get("PORTAL_TEST_REDIS_URL")
    or os.environ.get("REDIS_URL")
    or "redis://127.0.0.1:6379/9"
)

# The processes read the test's database: on SQLite a file (named for this run), not memory.
_db = settings.DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3" and not _db.get("TEST", {}).get("NAME"):
    _db.setdefault("TEST", {})["NAME"] = os.path.join(
        tempfile.gettempdir(), f"portal-test-{os.getpid()}.sqlite3"
    )

# One process: reads commands on its standard input, answers one line each.
WORKER = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()
from django.conf import settings
from django.db import connection
settings.ALLOWED_HOSTS = ["*"]
if os.environ.get("TEST_DB_NAME"):
    connection.settings_dict["NAME"] = os.environ["TEST_DB_NAME"]
from django.test import Client
from portal.api import auth, tokencache
from portal.api.models import ApiToken
from portal.api.services import revoke_tokens
print("subscribed" if tokencache.wait_subscribed(settings, auth._drop_local, 15) else "no", flush=True)
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "get":
        client = Client(HTTP_AUTHORIZATION=f"Bearer {argument}")
        print(client.get("/api/v1/accounts/4000/oncall").status_code, flush=True)
    elif command == "kept":
        print(ApiToken.hash(argument) in auth._tokens, flush=True)
    elif command == "revoke":
        print(revoke_tokens(ApiToken.objects.filter(token_hash=ApiToken.hash(argument))), flush=True)
"""


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


class Worker:
    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def answer(self) -> str:
        line = self.process.stdout.readline().strip()
        assert line, self.process.stderr.read()[-3000:]
        return line

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self):
        self.process.stdin.close()
        self.process.wait(20)


@pytest.fixture
def two_processes(tmp_path):
    if not _redis_answers():
        pytest.skip(f"no Redis at {REDIS_URL}")
    db = settings.DATABASES["default"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "PORTAL_DEV": "1",
        "PORTAL_DATA_DIR": str(tmp_path),
        "REDIS_URL": REDIS_URL,
        "PORTAL_CACHE_PREFIX": f"portal-test-{secrets.token_hex(4)}",  # its own channel
        "PORTAL_AUDIT_BATCH_SECONDS": "0",
    }
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        env["TEST_DB_NAME"] = db["NAME"]
    workers = [Worker(env), Worker(env)]
    try:
        for worker in workers:
            assert worker.answer() == "subscribed"
        yield workers
    finally:
        for worker in workers:
            worker.close()


@pytest.mark.django_db(transaction=True)
def test_a_token_revoked_in_one_process_is_refused_by_the_other_at_once(
    two_processes, account, make_token
):
    one, other = two_processes
    raw = make_token("oncall:read", name="dispatch")
    for _ in range(3):
        assert one.ask(f"get {raw}") == "200"
        assert other.ask(f"get {raw}") == "200"
    assert one.ask(f"kept {raw}") == other.ask(f"kept {raw}") == "True"
    # Each answers from its own copy: a change behind the portal's back (no signal, nothing
    # published) is not seen...
    ApiToken.objects.filter(name="dispatch").update(revoked_at=timezone.now())
    assert other.ask(f"get {raw}") == "200"
    ApiToken.objects.filter(name="dispatch").update(revoked_at=None)

    # ...but a revocation in one process is obeyed by the other from its very next request.
    assert one.ask(f"revoke {raw}") == "1"
    assert other.ask(f"get {raw}") == "401"
    assert one.ask(f"get {raw}") == "401"
    assert other.ask(f"kept {raw}") == "True"  # kept again: as revoked (a miss, for a while)
    assert other.ask(f"get {raw}") == "401"
