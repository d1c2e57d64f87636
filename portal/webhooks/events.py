"""The one place the domain tells the webhooks what happened.

The services call these functions inside their transaction, after the change is saved: each
writes one `WebhookDelivery` per webhook that wants the event for that account (its body
fixed once, `{"id", "event", "at", "account", "data"}`, times in the account's zone with their
offset) and, once the transaction commits, hands the deliveries to the task queue (without
REDIS_URL they are sent in this process: by its retrying thread where it runs, else in the
caller; a failure there is recorded on the delivery, never raised into the person's action).
A change rolled back sends nothing.

Imports go one way: the services import this module; this module imports no view and no
service.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from portal import clock
from portal.webhooks.models import (
    MESSAGE_STATUS_CHANGED,
    ONCALL_CHANGED,
    Webhook,
    WebhookDelivery,
)

log = logging.getLogger(__name__)

GIVE_UP_AFTER = dt.timedelta(hours=24)  # the contract: retried for 24 hours

MESSAGE_KINDS = ("closed", "reopened", "confirmed")


def _label(actor: Any) -> str:
    """Who did it: an on-call Actor (its label), a user (its name) or a string as given."""
    if actor is None:
        return "system"
    label = getattr(actor, "label", None)
    if isinstance(label, str):
        return label
    if hasattr(actor, "get_username"):
        return actor.get_username()
    return str(actor)


def _iso(value: dt.datetime | None, tz) -> str | None:
    return value.astimezone(tz).isoformat() if value is not None else None


def webhooks_for(event: str, account) -> list[Webhook]:
    """The webhooks that want `event` for `account` (theirs, or every account's)."""
    condition = Q(all_accounts=True)
    if account is not None:
        condition |= Q(accounts=account)
    hooks = Webhook.objects.filter(condition).distinct().order_by("webhook_id")
    return [hook for hook in hooks if event in (hook.events or [])]


def emit(event: str, account, at: dt.datetime, data: dict) -> list[WebhookDelivery]:
    """One delivery per matching webhook, sent after the transaction commits."""
    hooks = webhooks_for(event, account)
    if not hooks:
        return []
    tz = account.tz if account is not None else dt.UTC
    now = clock.now()
    deliveries = []
    for hook in hooks:
        delivery_id = uuid.uuid4()
        body = json.dumps(
            {
                "id": str(delivery_id),
                "event": event,
                "at": _iso(at, tz),
                "account": account.number if account is not None else None,
                "data": data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        deliveries.append(
            WebhookDelivery(
                id=delivery_id,
                webhook=hook,
                event=event,
                account=account,
                body=body,
                created_at=now,
                give_up_at=now + GIVE_UP_AFTER,
                next_try_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [str(d.id) for d in deliveries]
    transaction.on_commit(lambda: send_soon(ids))
    return deliveries


def send_soon(ids: Iterable[str]) -> None:
    """Hand each delivery to the task queue. Never raises: whatever goes wrong is recorded
    on the delivery (the task does it) or logged, and the delivery stays pending for the
    next try (portal.webhooks.tasks.retry_due)."""
    from portal.tasks import enqueue
    from portal.webhooks import retrier
    from portal.webhooks.tasks import deliver_webhook

    if retrier.running() and retrier.enabled():
        # In-process with this process's retrying thread: it sends them now (each is due),
        # and the person's action never waits for the platform's answer.
        retrier.wake()
        return
    for delivery_id in ids:
        try:
            enqueue(deliver_webhook, delivery_id)
        except Exception:  # noqa: BLE001 — a webhook never breaks the person's action
            log.exception(
                "Webhook delivery %s could not be sent now; it stays pending", delivery_id
            )


# --- The events ---------------------------------------------------------------------------


def message_status_changed(
    message, *, status: str, actor: Any, at: dt.datetime, kind: str
) -> list[WebhookDelivery]:
    """A client closed, reopened or confirmed `message` (kind "closed" | "reopened" |
    "confirmed"); `status` is its status now ("open" | "closed")."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    account = message.account
    tz = account.tz
    data = {
        "message_id": message.message_id,
        "account": account.number,
        "status": status,
        "kind": kind,
        "urgent": bool(message.urgent),
        "actor": _label(actor),
        "at": _iso(at, tz),
    }
    return emit(MESSAGE_STATUS_CHANGED, account, at, data)


def oncall_changed(
    shift_or_schedule,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    before: list[dict] | None,
    after: list[dict] | None,
    actor: Any,
    action: str,
    at: dt.datetime | None = None,
) -> list[WebhookDelivery]:
    """Who is on call changed on a shift (or a schedule): between `start` and `end`, `before`
    and `after` say who was and who is on call now (lists of `{"start", "end", "source",
    "contact": {"id", "name"} | null}`, the on-call services' who_is_on_call); `action` is
    the on-call action ("assign", "unassign", "override", "unassign_override", "swap",
    "contact_removed", …)."""
    shift = shift_or_schedule if hasattr(shift_or_schedule, "schedule_id") else None
    schedule = shift.schedule if shift is not None else shift_or_schedule
    account = schedule.account
    tz = account.tz
    at = at or clock.now()
    data = {
        "account": account.number,
        "schedule": {"id": schedule.external_id, "name": schedule.name},
        "shift": (
            {
                "id": shift.external_id,
                "name": shift.name,
                "role": shift.role,
                "rank": shift.rank,
                "start": _iso(shift.start, tz),
                "end": _iso(shift.end, tz),
            }
            if shift is not None
            else None
        ),
        "start": _iso(start, tz),
        "end": _iso(end, tz),
        "before": _in_zone(before or [], tz),
        "after": _in_zone(after or [], tz),
        "action": action,
        "actor": _label(actor),
        "at": _iso(at, tz),
    }
    return emit(ONCALL_CHANGED, account, at, data)


def _in_zone(entries: list[dict], tz) -> list[dict]:
    out = []
    for entry in entries:
        entry = dict(entry)
        for key in ("start", "end"):
            value = entry.get(key)
            if isinstance(value, dt.datetime):
                entry[key] = _iso(value, tz)
            elif isinstance(value, str):
                try:
                    entry[key] = _iso(dt.datetime.fromisoformat(value), tz)
                except ValueError:
                    pass
        out.append(entry)
    return out
