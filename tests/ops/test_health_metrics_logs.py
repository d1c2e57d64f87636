"""/healthz, /readyz, /metrics and the JSON logs, in this process (portal/ops).

The stack as `make serve` runs it is tested in test_serve.py; here each answer is read through
Django's test client, with the real Redis (127.0.0.1:6379) where a check needs one and a
closed port where it must fail."""

import io
import json
import logging
import socket

import pytest

from portal.ops import health, jsonlog

REDIS = "redis://127.0.0.1:6379/15"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again once the socket is


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portal-test-ops",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def fresh_readiness():
    health._ready.update(until=0.0, body=None)
    yield
    health._ready.update(until=0.0, body=None)


# --- /healthz ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_names_each_check_and_is_never_cached(client, settings):
    settings.REDIS_URL = ""  # as `make run` (the suite itself may run on Redis)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["queue"]["detail"] == "in-process (no REDIS_URL)"


@pytest.mark.django_db
def test_healthz_with_the_real_redis(client, settings):
    settings.REDIS_URL = REDIS
    settings.CACHES = redis_cache(REDIS)
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert checks["cache"]["detail"] == "RedisCache"
    assert checks["queue"]["detail"] == "redis"


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_down(client, settings):
    down = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = down
    settings.CACHES = redis_cache(down)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["queue"]["ok"] is False
    assert "Connection" in body["checks"]["queue"]["error"]


@pytest.mark.django_db
def test_health_paths_answer_plain_http_and_any_host_while_pages_redirect(client, settings):
    """A load balancer asks by the machine's address over plain HTTP: no redirect, no 400."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz", HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7").status_code in (200, 503)
    assert client.get("/login/", HTTP_HOST="10.0.0.7", secure=True).status_code == 400


# --- /readyz -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_is_ready_with_migrations_applied_and_the_manifest(client, fresh_readiness):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["migrations"]["detail"] == "applied"
    assert body["checks"]["static"]["detail"] == "manifest present"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_not_ready_with_a_migration_not_applied(client, fresh_readiness):
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder.Migration.objects
    last = recorder.order_by("-id").first()
    last.delete()  # as a deploy of newer code before `migrate` (rolled back after the test)
    response = client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["checks"]["migrations"]["error"]
    assert f"{last.app}.{last.name}" in error


@pytest.mark.django_db
def test_readyz_is_not_ready_without_the_static_manifest(
    client, settings, tmp_path, fresh_readiness
):
    settings.STATIC_ROOT = tmp_path / "static"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "collectstatic" in response.json()["checks"]["static"]["error"]


# --- /metrics ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_count_requests_by_route_name_not_by_path(client, member_client, account):
    member_client.get(f"/a/{account.number}/")
    member_client.get("/a/9999/")  # an unknown account: the same route, a 404
    text = client.get("/metrics").content.decode()
    assert 'portal_http_requests_total{method="GET",route="home",status="200"}' in text
    assert 'route="home",status="404"' in text
    assert "portal_http_request_duration_seconds_bucket" in text
    assert "/a/4000" not in text, [x for x in text.splitlines() if "/a/" in x][:3]
    assert "9999/" not in text
    assert "portal_queue_length" in text


@pytest.mark.django_db
def test_the_dispatch_look_up_has_its_own_latency(client, api, account, make_token):
    from prometheus_client import REGISTRY

    before = REGISTRY.get_sample_value("portal_dispatch_lookup_seconds_count") or 0
    token = make_token("oncall:read")
    assert api("get", f"/api/v1/accounts/{account.number}/oncall", token).status_code == 200
    assert REGISTRY.get_sample_value("portal_dispatch_lookup_seconds_count") == before + 1


@pytest.mark.django_db
def test_queue_depth_is_the_length_of_the_redis_queue(client, settings):
    import redis

    settings.REDIS_URL = REDIS
    settings.CELERY_TASK_DEFAULT_QUEUE = "portal-test-ops-queue"
    r = redis.Redis.from_url(REDIS)
    r.delete("portal-test-ops-queue")
    r.rpush("portal-test-ops-queue", "a", "b", "c")
    try:
        text = client.get("/metrics").content.decode()
    finally:
        r.delete("portal-test-ops-queue")
    assert 'portal_queue_length{queue="portal-test-ops-queue"} 3.0' in text


@pytest.mark.django_db
def test_task_failures_are_counted_from_celerys_signal():
    from celery.signals import task_failure
    from prometheus_client import REGISTRY

    class Task:
        name = "portal.tests.failing"

    labels = {"task": "portal.tests.failing"}
    before = REGISTRY.get_sample_value("portal_task_failures_total", labels) or 0
    task_failure.send(sender=Task(), task_id="1", exception=RuntimeError("boom"))
    assert REGISTRY.get_sample_value("portal_task_failures_total", labels) == before + 1


@pytest.mark.django_db
def test_metrics_are_refused_to_other_addresses_unless_given_the_token(client, settings):
    settings.PORTAL_METRICS_ALLOWED = ["127.0.0.1", "10.9.0.0/16"]
    settings.PORTAL_METRICS_TOKEN = "s3cret-metrics-token"
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403
    assert "PORTAL_METRICS_ALLOWED" in refused.json()["detail"]
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    given = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
    )
    assert given.status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.9.3.4").status_code == 200
    # Behind a trusted proxy the client's own address is what counts (portal.netaddr).
    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 403


# --- JSON logs -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_request_logs_one_json_line(member_client, account):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(jsonlog.JsonFormatter())
    logger = logging.getLogger("portal.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        response = member_client.get(f"/a/{account.number}/", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert response["X-Request-ID"] == "req-42"
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["logger"] == "portal.request"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-42"
    assert line["route"] == "home"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")
    assert line["message"] == "GET home 200"


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, db):
    response = client.get("/login/", HTTP_X_REQUEST_ID="bad id\nwith a line break")
    assert response["X-Request-ID"] != "bad id\nwith a line break"
    assert len(response["X-Request-ID"]) == 32


def test_the_formatter_writes_exceptions_on_one_line():
    formatter = jsonlog.JsonFormatter()
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
        )
    text = formatter.format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "failed here"
    assert "ValueError: broken" in line["exception"]


def test_the_logging_setting_is_json_when_asked():
    config = jsonlog.logging_config(True, "WARNING")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["loggers"]["portal.request"]["level"] == "INFO"
    plain = jsonlog.logging_config(False, "WARNING")
    assert "formatter" not in plain["handlers"]["console"]


# --- The statement timeout's page -------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, heading, text",
    [
        ("en", "The page took too long", "nothing was changed"),
        ("fr", "La page a pris trop de temps", "rien n’a été modifié"),
    ],
)
def test_the_timeout_page_speaks_the_persons_language(rf, lang, heading, text):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(lang):
        html = render_to_string("ops/timeout.html", request=rf.get("/a/4000/messages/"))
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert text in html
    assert 'href="/a/4000/messages/"' in html


def test_a_cancelled_query_is_told_from_other_database_errors():
    import psycopg
    from django.db import OperationalError

    from portal.ops.dbtimeout import is_query_cancelled

    def wrapped(cause):
        try:
            try:
                raise cause
            except psycopg.Error as error:
                raise OperationalError(str(error)) from error
        except OperationalError as outer:
            return outer

    assert is_query_cancelled(wrapped(psycopg.errors.QueryCanceled("canceling statement")))
    assert not is_query_cancelled(wrapped(psycopg.errors.AdminShutdown("terminating")))
    assert not is_query_cancelled(ValueError("no"))
