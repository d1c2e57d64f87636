"""CONN_HEALTH_CHECKS: a connection kept between requests (CONN_MAX_AGE) is tested before it is
reused, so the first request after the database dropped it (a restart, a failover, an idle
timeout) reconnects instead of answering 500.

The requests go through Django's WSGI handler as a server calls it (the test client skips the
start and end of request that close and check old connections)."""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory


def test_the_database_settings_check_connections_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # what makes the check matter


def serve(path: str, cookie: str) -> tuple[int, bytes]:
    """One request, as gunicorn makes it: request_started, the response, then its close()
    (request_finished)."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, HTTP_COOKIE=cookie)
    status = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), body


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL): SQLite has no server connection to lose",
)
@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_the_server_dropped_the_connection_succeeds(
    make_account, make_user
):
    import psycopg

    account = make_account()
    user = make_user("alice", account)
    browser = Client()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    home = f"/a/{account.number}/"

    status, body = serve(home, cookie)
    assert status == 200, body[:500]
    assert connection.connection is not None  # kept for the next request (CONN_MAX_AGE)
    backend = connection.connection.info.backend_pid

    # From another connection, as a database restart would: the kept connection dies.
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        terminated = other.execute("SELECT pg_terminate_backend(%s)", [backend]).fetchone()[0]
    assert terminated is True

    status, body = serve(home, cookie)
    assert status == 200, body[:500]
    assert connection.connection.info.backend_pid != backend  # a new connection
