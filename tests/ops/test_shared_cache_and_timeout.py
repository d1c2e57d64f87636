"""The API's tokens and accounts kept in each process and forgotten by every process through
Redis pub/sub (the real Redis at 127.0.0.1:6379, and a redis-server of the test's own that it
stops), and the statement timeout's settings on PostgreSQL (pg_sleep, in subprocesses:
settings are read once per process).

Two processes refusing a revoked token at once: test_token_cache_processes.py, and through
gunicorn test_serve.py's test_a_revoked_token_is_refused_by_every_worker_at_once."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.api import auth, tokencache
from portal.api.models import ApiToken
from portal.api.services import revoke_tokens

ROOT = Path(__file__).resolve().parent.parent.parent
POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def use_redis(settings, url: str):
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"portal-test-{secrets.token_hex(4)}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def shared(settings):
    """REDIS_URL set, CACHES on the real Redis under a prefix (and channel) of its own, this
    process subscribed."""
    use_redis(settings, "redis://127.0.0.1:6379/15")
    assert tokencache.wait_subscribed(settings, auth._drop_local)
    yield cache
    cache.clear()


def lookup(api, token, number="4000"):
    return api("get", f"/api/v1/accounts/{number}/oncall", token)


@pytest.mark.django_db(transaction=True)
def test_a_token_is_kept_in_the_process_and_forgotten_when_revoked(
    shared, api, account, make_token
):
    raw = make_token("oncall:read")
    token = ApiToken.objects.get(token_hash=ApiToken.hash(raw))
    assert lookup(api, raw).status_code == 200
    assert auth._tokens[token.token_hash][1].pk == token.pk  # kept here, not asked of Redis
    # Changed behind the portal's back (no signal, nothing published): the kept copy answers.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert lookup(api, raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)

    assert revoke_tokens(ApiToken.objects.filter(pk=token.pk)) == 1
    assert auth._tokens == {}
    response = lookup(api, raw)
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or invalid token."}


@pytest.mark.django_db(transaction=True)
def test_a_message_from_another_process_drops_the_copies(
    settings, shared, api, account, make_token
):
    import redis

    raw = make_token("oncall:read")
    assert lookup(api, raw).status_code == 200
    assert auth._tokens
    url, channel = tokencache.where(settings)
    redis.Redis.from_url(url).publish(channel, "forget")  # as revoke_tokens elsewhere does
    # The message is obeyed before the next request reads the copies: they are gone.
    ApiToken.objects.update(revoked_at=timezone.now())
    assert lookup(api, raw).status_code == 401


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which it may stop and start again on its port."""
    import shutil
    import socket
    import time

    import redis

    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(server):
        pytest.skip("no redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    running = []

    def start():
        process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        running.append(process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(url, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop():
        for process in running:
            process.terminate()
            process.wait(10)
        running.clear()

    start()
    yield url, start, stop
    stop()


@pytest.mark.django_db(transaction=True)
def test_a_lost_subscription_drops_the_copies_and_they_wait_for_a_new_one(
    settings, own_redis, api, account, make_token
):
    import time

    url, start, stop = own_redis
    use_redis(settings, url)
    assert tokencache.wait_subscribed(settings, auth._drop_local)
    raw = make_token("oncall:read")
    token = ApiToken.objects.get(token_hash=ApiToken.hash(raw))
    assert lookup(api, raw).status_code == 200
    assert auth._tokens

    stop()  # Redis goes away: the subscription is lost
    listener = tokencache.listener(settings, auth._drop_local)
    deadline = time.monotonic() + 5
    while listener.live and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not listener.live and auth._tokens == {}
    # Not subscribed: every request reads the database (changes made without a signal show).
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert lookup(api, raw).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    assert lookup(api, raw).status_code == 200
    assert auth._tokens == {}  # nor kept meanwhile

    start()  # back: subscribed again, the copies are used again
    assert tokencache.wait_subscribed(settings, auth._drop_local, seconds=15)
    assert lookup(api, raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert lookup(api, raw).status_code == 200  # the kept copy


@pytest.mark.django_db(transaction=True)
def test_a_token_revoked_in_the_back_office_is_refused_at_once(
    shared, api, account, make_token, admin_client
):
    raw = make_token("oncall:read", name="dispatch")
    assert lookup(api, raw).status_code == 200
    token = ApiToken.objects.get(name="dispatch")
    response = admin_client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert lookup(api, raw).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_an_account_given_to_a_token_is_reachable_at_once(shared, api, account, make_token):
    from portal.api.services import create_token

    token, raw = create_token("app", "client", [])
    assert lookup(api, raw).status_code == 403  # not its account
    token.accounts.add(account)
    assert lookup(api, raw).status_code == 200
    account.api_tokens.remove(token)  # from the account's side
    assert lookup(api, raw).status_code == 403


@pytest.mark.django_db
def test_an_unreachable_shared_cache_is_passed_by(settings, api, account, make_token):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    raw = make_token("oncall:read")
    assert lookup(api, raw).status_code == 200  # the database answered
    assert lookup(api, "not-a-token").status_code == 401
    assert auth._tokens == {}  # never subscribed: nothing kept


@pytest.mark.django_db
def test_without_redis_the_cache_is_this_process(settings, api, account, make_token):
    settings.REDIS_URL = ""
    raw = make_token("oncall:read")
    assert lookup(api, raw).status_code == 200
    assert ApiToken.hash(raw) in auth._tokens
    revoke_tokens(ApiToken.objects.all())
    assert lookup(api, raw).status_code == 401


# --- The statement timeout -------------------------------------------------------------------


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


PROBE = """
import django, os, time
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()
from django.db import OperationalError, connection
from portal.ops.dbtimeout import is_query_cancelled
print(connection.settings_dict["OPTIONS"].get("options", "none"))
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_sleep(0.05)")  # well within it
    started = time.monotonic()
    try:
        cursor.execute("SELECT pg_sleep(1.5)")
        print("finished")
    except OperationalError as error:
        print("cancelled" if is_query_cancelled(error) else f"other: {error}")
    print(round(time.monotonic() - started, 1))
"""


@pytest.mark.skipif(not _postgres_reachable(), reason=f"needs a PostgreSQL server at {POSTGRES}")
@pytest.mark.parametrize(
    "pool, expected, cancelled",
    [
        ("dispatch", "-c statement_timeout=300", True),
        ("web", "-c statement_timeout=700", True),
        ("", "none", False),  # commands: migrate, purge, backup run without one
    ],
)
def test_each_pool_gets_its_statement_timeout(tmp_path, pool, expected, cancelled):
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_DEV": "1",
        "PORTAL_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"{POSTGRES}/postgres",
        "PORTAL_POOL": pool,
        "PORTAL_STATEMENT_TIMEOUT_MS": "700" if pool else "",
        "PORTAL_DISPATCH_STATEMENT_TIMEOUT_MS": "300",
    }
    env = {k: v for k, v in env.items() if v}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    options, outcome, seconds = result.stdout.split("\n")[:3]
    assert options == expected
    assert outcome == ("cancelled" if cancelled else "finished")
    if cancelled:
        assert float(seconds) < 1.2
