"""The first middleware: /healthz, /readyz and /metrics answered before anything else, and,
for every other request, its request id, its line in the JSON logs and its metrics; a query
cancelled by the statement timeout becomes a 503 page.

The three paths are answered here, ahead of the host check, the HTTPS redirect, sessions and
sign-in: a load balancer asks for them by the machine's address, over plain HTTP, with no
cookie. They are never cached (no-store)."""

import json
import logging
import re
import time
import uuid

from django.http import HttpResponse
from django.template.loader import render_to_string

from portal.ops import dbtimeout, health, jsonlog, metrics

log = logging.getLogger("portal.request")
OPS_PATHS = ("/healthz", "/readyz", "/metrics")
STATIC_PREFIX = "/static/"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _json(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def ops_answer(request, path: str) -> HttpResponse:
    if path == "/healthz":
        return _json(*health.health())
    if path == "/readyz":
        return _json(*health.readiness())
    if not metrics.allowed(request):
        return _json(
            403,
            {"detail": "Metrics are served only to PORTAL_METRICS_ALLOWED or with its token."},
        )
    response = HttpResponse(
        metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Static files (WhiteNoise answers before any URL is resolved), else no such page.
        return "static" if request.path_info.startswith(STATIC_PREFIX) else "unmatched"
    return match.view_name or match.route or "unnamed"


class OpsMiddleware:
    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        # Which gunicorn pool answered (make serve's "web" or "dispatch"), in each answer.
        self.pool = getattr(settings, "PORTAL_POOL", "")

    def __call__(self, request):
        path = request.path_info
        if path in OPS_PATHS:
            return ops_answer(request, path)
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = jsonlog.request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_of(request)
            metrics.observe(route, request.method, response.status_code, seconds)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s %s %s",
                    request.method,
                    route,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "route": route,
                        "status": response.status_code,
                        "duration_ms": round(seconds * 1000, 2),
                    },
                )
            response["X-Request-ID"] = rid
            if self.pool:
                response["X-Portal-Pool"] = self.pool
            return response
        finally:
            jsonlog.request_id.reset(token)

    def process_exception(self, request, exception):
        if not dbtimeout.is_query_cancelled(exception):
            return None
        logging.getLogger("portal.ops").warning(
            "Query cancelled by the statement timeout: %s %s", request.method, request.path
        )
        # A page of its own, outside base.html: the request's database work is what failed.
        response = HttpResponse(render_to_string("ops/timeout.html", request=request), status=503)
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
