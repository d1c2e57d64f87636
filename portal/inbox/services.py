"""Ingest of messages and their dispatch history (contract: POST /api/v1/ingest/messages)."""

from typing import Annotated, Any, Literal

from django.db import transaction
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.calls.services import agents_by_code, check_batch
from portal.inbox.models import Message, MessageEvent
from portal.ingest import BatchInvalid, Counts, fold, upsert


class EventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="MessageEvent")

    at: AwareDatetime
    kind: Literal["taken", "initiated", "completed", "delivered", "failed", "read", "confirmed"]
    channel: Literal["email", "sms", "fax", "voice", "portal"] | None = None
    recipient: Annotated[str, Field(max_length=254)] | None = None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Message")

    message_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    taken_at: AwareDatetime
    call_id: Annotated[str, Field(max_length=64)] | None = None
    agent: Annotated[str, Field(max_length=32)] | None = None
    subject: Annotated[str, Field(max_length=200)] | None = None
    fields: list[tuple[str, str]] | None = None
    body: str | None = None
    urgent: bool = False
    status: Literal["open", "closed"] = "open"
    events: list[EventIn] | None = None


class MessagesBatch(BaseModel):
    model_config = ConfigDict(title="MessagesBatch")
    messages: list[MessageIn] = Field(max_length=1000)


def search_text(subject: str, fields: list, body: str) -> str:
    parts = [subject, *(f"{label} {value}" for label, value in fields), body]
    return fold("\n".join(p for p in parts if p))


def ingest_messages(records: Any) -> Counts:
    """Store a batch of messages atomically, idempotent by message_id; events are appended."""
    messages, accounts, errors = check_batch(records, MessageIn)
    if errors:
        raise BatchInvalid(errors)
    with transaction.atomic():
        agents = agents_by_code({m.agent for m in messages if m.agent})
        rows = []
        for m in messages:
            fields = [[label, value] for label, value in (m.fields or [])]
            rows.append(
                {
                    "message_id": m.message_id,
                    "account_id": accounts[m.account].pk,
                    "taken_at": m.taken_at,
                    "call_id": m.call_id or "",
                    "agent_id": agents[m.agent].pk if m.agent else None,
                    "subject": m.subject or "",
                    "fields": fields,
                    "body": m.body or "",
                    "urgent": m.urgent,
                    "status": m.status,
                    "search_text": search_text(m.subject or "", fields, m.body or ""),
                }
            )
        counts, stored = upsert(Message, "message_id", rows)
        # A status that the platform re-opens clears who closed it; a close from the
        # platform has no portal user.
        reopened = [
            m.pk for m in stored.values() if m.status == Message.OPEN and m.closed_at is not None
        ]
        if reopened:
            Message.objects.filter(pk__in=reopened).update(closed_at=None, closed_by=None)
        new_events = append_events(messages, stored)
        # A message whose only change is new events counts as updated.
        moved = len(new_events & counts.extra.get("unchanged_keys", set()))
        counts.unchanged -= moved
        counts.updated += moved
    return counts


def append_events(messages: list[MessageIn], stored: dict[str, Message]) -> set[str]:
    """Add the events not stored yet (same at, kind, channel, recipient). Returns message ids
    of messages that were otherwise unchanged but got new events."""
    wanted: list[MessageEvent] = []
    ids = [stored[m.message_id].pk for m in messages if m.events]
    existing = set(
        MessageEvent.objects.filter(message_id__in=ids).values_list(
            "message_id", "at", "kind", "channel", "recipient"
        )
    )
    touched: set[str] = set()
    for m in messages:
        message = stored[m.message_id]
        for e in m.events or []:
            key = (message.pk, e.at, e.kind, e.channel or "", e.recipient or "")
            if key in existing:
                continue
            existing.add(key)
            touched.add(m.message_id)
            wanted.append(
                MessageEvent(
                    message=message,
                    at=e.at,
                    kind=e.kind,
                    channel=e.channel or "",
                    recipient=e.recipient or "",
                )
            )
    if wanted:
        MessageEvent.objects.bulk_create(wanted, batch_size=500)
    return touched
