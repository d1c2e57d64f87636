"""Sending one delivery: claim it, POST its stored body, record what the receiver said.

At least once: a delivery is claimed under a row lock (its next try pushed past the POST's
time limit, so that a second worker, the beat or a person's "Send again" leave it alone while
it is in flight, and pick it up again if the worker died), then POSTed outside any
transaction, then its outcome saved. 2xx: delivered. Anything else (an answer, a refused
connection, a timeout): tried again after 30 s, 1 min, 2 min … at most an hour apart, until
its `give_up_at` (24 hours after it was made), then failed. The body and its `id` never
change, so neither does the signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time

import requests
from django.conf import settings
from django.db import transaction

from portal import clock
from portal.webhooks.models import WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)

ANSWER_KEPT = 2048  # characters of the receiver's answer kept for the log
MAX_DELAY = dt.timedelta(hours=1)
EARLY = dt.timedelta(seconds=2)  # a try queued for its moment may arrive a little before it
USER_AGENT = "answering-portal-webhooks/1"


def signature(secret: str, body: bytes) -> str:
    """The `X-Portal-Signature` header: sha256=<hex HMAC-SHA256 of the raw body>."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(tries: int) -> dt.timedelta:
    """After the `tries`-th failed try: 30 s, 1 min, 2 min … at most an hour."""
    base = settings.PORTAL_WEBHOOK_RETRY_SECONDS
    return min(dt.timedelta(seconds=base * 2 ** max(tries - 1, 0)), MAX_DELAY)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PORTAL_WEBHOOK_TIMEOUT * 2 + 60)


def _claim(delivery_id, *, force: bool = False) -> WebhookDelivery | None:
    """The delivery, marked in flight, if it is due (or `force`); else None."""
    with transaction.atomic():
        d = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if d is None or d.status != WebhookDelivery.PENDING:
            return None
        now = clock.now()
        if not force and d.next_try_at is not None and d.next_try_at > now + EARLY:
            return None  # in flight elsewhere, or waiting for its next try
        if now >= d.give_up_at and d.tries > 0:
            d.status = WebhookDelivery.FAILED
            d.next_try_at = None
            d.save(update_fields=["status", "next_try_at"])
            return None
        d.tries += 1
        d.last_try_at = now
        d.next_try_at = now + _lease()
        d.save(update_fields=["tries", "last_try_at", "next_try_at"])
        return d


def _post(d: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code, the answer's start, error) of one POST of the stored body."""
    body = d.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Signature": signature(d.webhook.secret, body),
        "X-Portal-Event": d.event,
        "X-Portal-Delivery": str(d.id),
    }
    timeout = settings.PORTAL_WEBHOOK_TIMEOUT
    try:
        with requests.post(
            d.webhook.url,
            data=body,
            headers=headers,
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(ANSWER_KEPT * 4, decode_content=True) or b""
            answer = raw.decode(response.encoding or "utf-8", errors="replace")[:ANSWER_KEPT]
            return response.status_code, answer, ""
    except requests.RequestException as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:ANSWER_KEPT]
    except Exception as exc:  # noqa: BLE001 — a bad URL, a broken answer: recorded, retried
        return None, "", f"{type(exc).__name__}: {exc}"[:ANSWER_KEPT]


def attempt(delivery_id, *, force: bool = False) -> WebhookDelivery | None:
    """One try of the delivery if it is due (or `force`, "Send again"); the delivery as it
    stands after it, or None when there was nothing to try."""
    d = _claim(delivery_id, force=force)
    if d is None:
        return None
    started = time.monotonic()
    code, answer, error = _post(d)
    took = int((time.monotonic() - started) * 1000)
    now = clock.now()
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=d, at=now, status_code=code, answer=answer, error=error, duration_ms=took
        )
        d.last_status_code, d.last_answer, d.last_error = code, answer, error
        if ok:
            d.status, d.delivered_at, d.next_try_at = WebhookDelivery.DELIVERED, now, None
        elif now >= d.give_up_at:
            d.status, d.next_try_at = WebhookDelivery.FAILED, None
        else:
            d.next_try_at = min(now + retry_delay(d.tries), d.give_up_at)
        d.save(
            update_fields=[
                "last_status_code",
                "last_answer",
                "last_error",
                "status",
                "delivered_at",
                "next_try_at",
            ]
        )
    if not ok:
        log.warning(
            "Webhook %s, delivery %s (try %s): %s",
            d.webhook.webhook_id,
            d.id,
            d.tries,
            error or f"HTTP {code}",
        )
    return d


def due(limit: int = 500, early: dt.timedelta = EARLY) -> list[str]:
    """The pending deliveries whose next try has come (the beat sends them again), or comes
    within `early`."""
    now = clock.now()
    return [
        str(pk)
        for pk in WebhookDelivery.objects.filter(
            status=WebhookDelivery.PENDING, next_try_at__lte=now + early
        )
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:limit]
    ]


def send_again(delivery: WebhookDelivery) -> WebhookDelivery:
    """Staff's "Send again": the same body, id and signature, pending again with 24 more
    hours of tries, its first try now (the caller queues it)."""
    from portal.webhooks.events import GIVE_UP_AFTER

    now = clock.now()
    with transaction.atomic():
        d = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        d.status = WebhookDelivery.PENDING
        d.next_try_at = now
        d.give_up_at = now + GIVE_UP_AFTER
        d.save(update_fields=["status", "next_try_at", "give_up_at"])
    return d
