"""Messages: ingest with their dispatch history (contract: POST /api/v1/ingest/messages),
and what the Messages section and the reading API do with them."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from portal.accounts import audit
from portal.accounts.models import Account, User
from portal.calls.services import agents_by_code, check_batch
from portal.inbox.models import Message, MessageEvent
from portal.ingest import BatchInvalid, Counts, Timestamp, fold, upsert


class EventIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="MessageEvent")

    at: Timestamp
    kind: Literal["taken", "initiated", "completed", "delivered", "failed", "read", "confirmed"]
    channel: Literal["email", "sms", "fax", "voice", "portal"] | None = None
    recipient: Annotated[str, Field(max_length=254)] | None = None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Message")

    message_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    taken_at: Timestamp
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


# --- Reading, closing, exporting, purging (the Messages section and the reading API) -----


PERIODS = ("today", "yesterday", "week", "month")
BOXES = ("open", "closed", "urgent")


def retention_q(accounts: Iterable[Account], now: dt.datetime, field_name: str) -> Q:
    """Each account's own rows, no older than its retention period."""
    q = Q(pk__in=[])
    for account in accounts:
        cutoff = now - dt.timedelta(days=account.retention_days)
        q |= Q(account=account, **{f"{field_name}__gte": cutoff})
    return q


def local_day_bounds(tz, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar day in a zone, as aware datetimes (DST days are 23 or 25 h)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def period_bounds(period: str, tz, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The quick periods, in the account's zone: Today, Yesterday, Last Week (the last 7 days,
    today included), Last Month (the last 30 days, today included)."""
    today = now.astimezone(tz).date()
    if period == "today":
        return local_day_bounds(tz, today)
    if period == "yesterday":
        return local_day_bounds(tz, today - dt.timedelta(days=1))
    days = 7 if period == "week" else 30
    start, _ = local_day_bounds(tz, today - dt.timedelta(days=days - 1))
    return start, local_day_bounds(tz, today)[1]


@_dataclass
class MessageFilter:
    """What the Messages page (and the API) can ask for. Empty means "any"."""

    period: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    boxes: set[str] = _field(default_factory=lambda: set(BOXES))
    q: str = ""
    call_id: str = ""
    agent: str = ""
    account_number: str = ""
    billing_number: str = ""
    status: str = ""  # API: "open" or "closed" (and-ed, unlike the boxes)
    urgent_only: bool = False  # API: urgent=true
    start_at: dt.datetime | None = None  # API: exact instants
    end_at: dt.datetime | None = None
    message_id: str = ""  # exactly that message: every other criterion is set aside


def date_range(f, tz, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[lo, hi) of a quick period or a from/to date range, in one account's zone."""
    if f.period in PERIODS:
        return period_bounds(f.period, tz, now)
    lo = local_day_bounds(tz, f.start)[0] if f.start else None
    hi = local_day_bounds(tz, f.end)[1] if f.end else None
    return lo, hi


def find_messages(
    accounts: Iterable[Account], f: MessageFilter, now: dt.datetime | None = None
) -> QuerySet[Message]:
    """The messages of `accounts` that match `f`, newest first, within each account's
    retention period. Dates are read in each account's own zone."""
    now = now or timezone.now()
    if f.message_id.strip():
        # A Message ID names one message: in the accounts searched, within retention, whatever
        # the dates, boxes or words.
        return Message.objects.filter(
            retention_q(accounts, now, "taken_at"), message_id=f.message_id.strip()
        ).order_by("-taken_at", "-id")
    per_account = Q(pk__in=[])
    for account in accounts:
        lo, hi = date_range(f, account.tz, now)
        cutoff = now - dt.timedelta(days=account.retention_days)
        lo = max(lo, cutoff) if lo else cutoff
        q = Q(account=account, taken_at__gte=lo)
        if hi is not None:
            q &= Q(taken_at__lt=hi)
        per_account |= q
    qs = Message.objects.filter(per_account)
    if f.start_at:
        qs = qs.filter(taken_at__gte=f.start_at)
    if f.end_at:
        qs = qs.filter(taken_at__lte=f.end_at)
    if set(BOXES) - f.boxes:
        boxes = Q(pk__in=[])
        if "open" in f.boxes:
            boxes |= Q(status=Message.OPEN)
        if "closed" in f.boxes:
            boxes |= Q(status=Message.CLOSED)
        if "urgent" in f.boxes:
            boxes |= Q(urgent=True)
        qs = qs.filter(boxes)
    if f.status in (Message.OPEN, Message.CLOSED):
        qs = qs.filter(status=f.status)
    if f.urgent_only:
        qs = qs.filter(urgent=True)
    for word in fold(f.q).split():
        qs = qs.filter(search_text__contains=word)
    if f.call_id.strip():
        qs = qs.filter(call_id=f.call_id.strip())
    if f.agent.strip():
        qs = qs.filter(agent__code__iexact=f.agent.strip())
    if f.account_number.strip():
        qs = qs.filter(account__number=f.account_number.strip())
    if f.billing_number.strip():
        qs = qs.filter(account__billing_number=f.billing_number.strip())
    return qs.order_by("-taken_at", "-id")


# Past this many, a search's count says "More than 1,000 messages": counting every match of
# a keyword among hundreds of thousands of messages would cost more than the page itself.
COUNT_CAP = 1000


def count_messages(accounts: Iterable[Account], f: MessageFilter) -> int:
    """How many messages match, counted up to COUNT_CAP + 1 (a LIMIT inside the count).

    One account's are counted newest first, along its (account, taken_at) index, as the page
    reads them. Unordered, PostgreSQL chose a sequential scan of the whole table that stops
    at the cap, which starts where the previous one stopped (synchronized scans): with an
    account's messages stored together, now and then it read the other accounts' first
    (3-5 s at 3,333,333 messages over 300 accounts, instead of 5-40 ms)."""
    accounts = list(accounts)
    qs = find_messages(accounts, f)
    qs = qs.order_by("-taken_at") if len(accounts) == 1 else qs.order_by()
    return qs[: COUNT_CAP + 1].count()


def searched_span(
    account: Account, f: MessageFilter, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """[lo, hi) that `find_messages` searches for one account: the period or the dates, no
    older than its retention period, no later than now when open-ended."""
    now = now or timezone.now()
    lo, hi = date_range(f, account.tz, now)
    cutoff = now - dt.timedelta(days=account.retention_days)
    return (max(lo, cutoff) if lo else cutoff), (hi if hi is not None else now)


# The columns a list row shows (inbox/templatetags/message_rows.py): the body, the search
# text and the bookkeeping columns stay in the database, which halves the page's query.
ROW_FIELDS = ("message_id", "account_id", "taken_at", "subject", "fields", "urgent", "status")


def list_query(
    accounts: Iterable[Account], f: MessageFilter, now: dt.datetime | None = None
) -> QuerySet[Message]:
    """`find_messages` as a list shows them: only ROW_FIELDS, no join for the account (give
    the rows to `with_accounts`)."""
    return find_messages(accounts, f, now).only(*ROW_FIELDS)


def with_accounts(rows: list[Message], accounts: Iterable[Account]) -> list[Message]:
    """Each row's account, from the accounts it was searched in (one query fewer per page,
    and no second Account per row)."""
    by_id = {account.pk: account for account in accounts}
    cache = Message.account.field.set_cached_value
    for message in rows:
        cache(message, by_id[message.account_id])
    return rows


def message_for(accounts: Iterable[Account], message_id: str, now: dt.datetime | None = None):
    """One message of these accounts, within retention, or None."""
    return (
        find_messages(accounts, MessageFilter(), now)
        .select_related("account", "agent", "closed_by")
        .filter(message_id=message_id)
        .first()
    )


def set_status(message: Message, status: str, user: User, request=None) -> bool:
    """A client closes or reopens a message: who and when are kept. False if nothing changed."""
    if status not in (Message.OPEN, Message.CLOSED) or message.status == status:
        return False
    message.status = status
    if status == Message.CLOSED:
        message.closed_at, message.closed_by = timezone.now(), user
    else:
        message.closed_at, message.closed_by = None, None
    message.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit.record(
        "message.close" if status == Message.CLOSED else "message.reopen",
        request=request,
        user=user,
        account=message.account,
        obj=message,
        message_id=message.message_id,
    )
    from portal.webhooks import events as webhooks

    webhooks.message_status_changed(
        message,
        status=status,
        actor=user,
        at=message.closed_at or timezone.now(),
        kind="closed" if status == Message.CLOSED else "reopened",
    )
    return True


# --- Confirming an urgent message (contract, "Additions of 2026-12") -------------------------


@_dataclass(frozen=True)
class Confirmation:
    """What a press of "Confirm" did: `stored` when it stored `event`; else `event` is the
    earlier confirmation (the message stays as it was), or None when the message is not
    urgent (nothing to confirm)."""

    event: MessageEvent | None
    stored: bool


def confirmation_of(message: Message) -> MessageEvent | None:
    """The message's first confirmation: the portal's, or the dispatch's (an on-call person's
    answer to an SMS or a call, ingested from the platform)."""
    return message.events.filter(kind="confirmed").order_by("at", "id").first()


def with_confirmations(rows: list[Message]) -> list[Message]:
    """Each urgent row's first confirmation as `row.confirmation` (None if none yet), in one
    query for the page, for the list's Confirm button."""
    urgent = [m.pk for m in rows if m.urgent]
    first: dict[int, MessageEvent] = {}
    if urgent:
        events = MessageEvent.objects.filter(message_id__in=urgent, kind="confirmed")
        for event in events.order_by("at", "id"):
            first.setdefault(event.message_id, event)
    for m in rows:
        m.confirmation = first.get(m.pk)
    return rows


def confirm(message: Message, user: User, request=None) -> Confirmation:
    """A client confirms an urgent message: a new `confirmed` event of channel `portal`, the
    person as its recipient, sent as `message.status_changed` so that the dispatch stops
    escalating. One confirmation is enough: once the message is confirmed (in the portal or
    through the dispatch), another press changes nothing and says who confirmed it, and when."""
    from portal import clock
    from portal.webhooks import events as webhooks

    if not message.urgent:
        return Confirmation(None, False)
    with transaction.atomic():
        # Two presses at once: the second waits for the first, then finds its event.
        Message.objects.select_for_update().filter(pk=message.pk).first()
        earlier = confirmation_of(message)
        if earlier is not None:
            return Confirmation(earlier, False)
        event = MessageEvent.objects.create(
            message=message,
            at=clock.now(),
            kind="confirmed",
            channel="portal",
            recipient=user.get_username(),
        )
        audit.record(
            "message.confirm",
            request=request,
            user=user,
            account=message.account,
            obj=message,
            message_id=message.message_id,
        )
        webhooks.message_status_changed(
            message,
            status=message.status,
            actor=user.get_username(),
            at=event.at,
            kind="confirmed",
        )
    return Confirmation(event, True)


def message_as_dict(message: Message) -> dict:
    """A message as ingested (the contract's Message), plus its status."""
    tz = message.account.tz
    return {
        "message_id": message.message_id,
        "account": message.account.number,
        "taken_at": message.taken_at.astimezone(tz).isoformat(),
        "call_id": message.call_id or None,
        "agent": message.agent.code if message.agent_id else None,
        "subject": message.subject,
        "fields": [list(pair) for pair in message.fields],
        "body": message.body,
        "urgent": message.urgent,
        "status": message.status,
        "closed_at": message.closed_at.astimezone(tz).isoformat() if message.closed_at else None,
        "events": [
            {
                "at": e.at.astimezone(tz).isoformat(),
                "kind": e.kind,
                "channel": e.channel or None,
                "recipient": e.recipient or None,
            }
            for e in message.events.all()
        ],
    }


# Retention -------------------------------------------------------------------------------


def purge_expired(numbers: Iterable[str] = (), batch_size: int = 1000):
    """Apply every account's retention (or only the accounts `numbers` names): yields each
    account with what purge_account removed from it. The purge_expired command and the
    nightly task (portal.tasks.purge_expired) both call it."""
    accounts = Account.objects.order_by("number")
    if numbers:
        accounts = accounts.filter(number__in=list(numbers))
    for account in accounts.iterator():
        yield account, purge_account(account, batch_size=max(batch_size, 1))


def purge_account(
    account: Account, now: dt.datetime | None = None, batch_size: int = 1000
) -> dict[str, int]:
    """Delete the account's messages, calls and recording files older than its retention
    period, in batches. Returns what was removed."""
    from django.db import transaction

    from portal.calls.models import Call, Recording

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=account.retention_days)
    removed = {"messages": 0, "calls": 0, "recordings": 0}
    while True:
        ids = list(
            Message.objects.filter(account=account, taken_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            MessageEvent.objects.filter(message_id__in=ids).delete()
            removed["messages"] += (
                Message.objects.filter(pk__in=ids).delete()[1].get(Message._meta.label, 0)
            )
    while True:
        ids = list(
            Call.objects.filter(account=account, started_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:batch_size]
        )
        if not ids:
            break
        recordings = list(Recording.objects.filter(call_id__in=ids))
        with transaction.atomic():
            Recording.objects.filter(call_id__in=ids).delete()
            removed["calls"] += Call.objects.filter(pk__in=ids).delete()[1].get(Call._meta.label, 0)
        # Files go after their rows: a crash in between leaves an orphan file, never a row
        # pointing at nothing.
        for recording in recordings:
            if recording.file.name:
                recording.file.storage.delete(recording.file.name)
            removed["recordings"] += 1
    if removed["calls"]:
        from portal.calls import rollups

        # The statistics no longer count the purged calls: the days up to the cutoff's
        # local day are recounted from what is left.
        rollups.rebuild([account.pk], until=cutoff.astimezone(account.tz).date())
    return removed
