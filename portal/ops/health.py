"""/healthz and /readyz, for the load balancer and the supervisor (no sign-in, no-store).

- `/healthz`: is this process able to serve? The database (SELECT 1), the cache (a key
  written and read back) and the task queue's broker (Redis PING; "in-process" without
  REDIS_URL). 200 when every check passes, else 503; the JSON names each check.
- `/readyz`: may this code take traffic? Every migration applied and the static files'
  manifest present (collectstatic ran). 200 or 503, the same JSON shape.
"""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

TIMEOUT_SECONDS = 1.0


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # a check that fails says why, never raises
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        result = {"ok": True}
        if detail:
            result["detail"] = detail
    result["ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache():
    key = f"portal:healthz:{secrets.token_hex(4)}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the value written was not read back")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_queue():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return "in-process (no REDIS_URL)"
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return "redis"


def health() -> tuple[int, dict]:
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "queue": _timed(check_queue),
    }
    ok = all(c["ok"] for c in checks.values())
    return (200 if ok else 503), {"status": "ok" if ok else "failing", "checks": checks}


# --- Readiness -----------------------------------------------------------------------------

# A positive answer is kept by this process for a minute (the check reads every migration).
_ready = {"until": 0.0, "body": None}


def check_migrations():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        raise RuntimeError(f"{len(plan)} migration(s) not applied: {names}")
    return "applied"


def check_static():
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in backend:
        return "served from the apps (DEBUG)"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        raise RuntimeError(f"{manifest} is missing: run manage.py collectstatic")
    return "manifest present"


def readiness() -> tuple[int, dict]:
    now = time.monotonic()
    if now < _ready["until"]:
        return 200, _ready["body"]
    checks = {"migrations": _timed(check_migrations), "static": _timed(check_static)}
    ok = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ok else "not ready", "checks": checks}
    if ok:
        _ready.update(until=now + 60, body=body)
    return (200 if ok else 503), body
