"""Prometheus metrics (prometheus-client), served at /metrics.

Under gunicorn every worker of both pools (and the Celery worker) writes its figures to files
in PROMETHEUS_MULTIPROC_DIR (multiprocess mode; bin/serve empties it at each start and the
gunicorn configuration marks a dead worker's files), and /metrics adds them up, whichever
worker answers. Without that variable (tests, `make run`) they are this process's own.

- `portal_http_request_duration_seconds{route}`: latency by route (the URL pattern's name,
  never the raw path, so that account numbers and ids make no new series);
- `portal_http_requests_total{route,method,status}`;
- `portal_dispatch_lookup_seconds`: the dispatch's "who is on call" look-up alone;
- `portal_task_failures_total{task}`: Celery tasks that failed (its task_failure signal);
- `portal_queue_length{queue}`: messages waiting in the broker's queues (LLEN in Redis), read
  at each scrape.
"""

import ipaddress
import os

from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from portal import netaddr

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by route (the URL pattern's name)",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUESTS = Counter(
    "portal_http_requests_total", "Requests answered, by route, method and status",
    ["route", "method", "status"],
)  # fmt: skip
LOOKUP_SECONDS = Histogram(
    "portal_dispatch_lookup_seconds",
    "Time to answer the dispatch's look-up of who is on call",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TASK_FAILURES = Counter("portal_task_failures_total", "Background tasks that failed", ["task"])

LOOKUP_ROUTE = "oncall_now"


def observe(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route).observe(seconds)
    REQUESTS.labels(route, method, str(status)).inc()
    if route == LOOKUP_ROUTE:
        LOOKUP_SECONDS.observe(seconds)


def task_failed(sender=None, **_kwargs) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", None) or str(sender)).inc()


def connect_task_signals() -> None:
    """Count failed Celery tasks (when Celery is installed)."""
    try:
        from celery.signals import task_failure
    except ImportError:  # pragma: no cover - celery is a dependency
        return
    task_failure.connect(task_failed, weak=False, dispatch_uid="portal-metrics-task-failure")


# --- The queue's depth -----------------------------------------------------------------


def queue_names() -> list[str]:
    """The task queues (Celery's default queue, PORTAL_TASK_QUEUE: "portal")."""
    names = getattr(settings, "PORTAL_METRICS_QUEUES", None)
    return list(names or [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")])


def queue_key(name: str) -> str:
    """The Redis list of queue `name` (with the broker's global_keyprefix, if any)."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    return f"{options.get('global_keyprefix', '')}{name}"


class QueueDepth:
    """A collector read at each scrape: LLEN of each queue in the broker (Redis)."""

    def collect(self):
        family = GaugeMetricFamily(
            "portal_queue_length", "Tasks waiting in the broker's queue", labels=["queue"]
        )
        url = getattr(settings, "REDIS_URL", "")
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            try:
                for name in queue_names():
                    family.add_metric([name], client.llen(queue_key(name)))
            except redis.RedisError:
                pass  # /healthz says the broker is down; the metric is left out
            finally:
                client.close()
        yield family


# --- /metrics ----------------------------------------------------------------------------


def allowed(request) -> bool:
    """Only from PORTAL_METRICS_ALLOWED (addresses or networks; the client's address as the
    audit trail reads it) or with `Authorization: Bearer PORTAL_METRICS_TOKEN`."""
    token = getattr(settings, "PORTAL_METRICS_TOKEN", "")
    if token:
        import hmac

        given = request.META.get("HTTP_AUTHORIZATION", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    address = netaddr.parse_address(netaddr.client_ip(request))
    if address is None:
        return False
    for entry in getattr(settings, "PORTAL_METRICS_ALLOWED", ()):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def exposition() -> bytes:
    """The metrics in Prometheus' text format: every worker's when in multiprocess mode."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    extra = CollectorRegistry()
    extra.register(QueueDepth())
    return generate_latest(registry) + generate_latest(extra)
