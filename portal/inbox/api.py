"""Client reading API for messages (contract: GET /api/v1/accounts/{number}/messages)."""

import base64
import datetime as dt
from typing import Literal

from django.db.models import Q
from ninja import Query, Router, Schema

from portal.accounts import audit
from portal.api import errors as wording
from portal.api import params
from portal.api.auth import account_for, invalid
from portal.api.errors import errors
from portal.api.models import ApiToken
from portal.api.urls import documented
from portal.dates import date_in_range, instant_in_range
from portal.inbox.services import MessageFilter, find_messages, message_as_dict

router = Router(tags=["inbox"])
READERS = (ApiToken.CLIENT, ApiToken.INGEST)


class EventOut(Schema):
    at: str
    kind: Literal["taken", "initiated", "completed", "delivered", "failed", "read", "confirmed"]
    channel: Literal["email", "sms", "fax", "voice", "portal"] | None
    recipient: str | None


class MessageOut(Schema):
    """A message as ingested, plus its status (closed by the platform or a client)."""

    message_id: str
    account: str
    taken_at: str
    call_id: str | None
    agent: str | None
    subject: str
    fields: list[list[str]]
    body: str
    urgent: bool
    status: Literal["open", "closed"]
    closed_at: str | None
    events: list[EventOut]


class MessagePage(Schema):
    results: list[MessageOut]
    next: str | None = None


def parse_instant(value: str | None, tz, field: str, end: bool = False) -> dt.datetime | None:
    """A timestamp with its offset, or a date read in the account's zone (a whole day)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            if not date_in_range(day):
                raise invalid(field, wording.DATE_RANGE)
            moment = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            return moment + dt.timedelta(days=1, microseconds=-1) if end else moment
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(field, wording.DATE_OR_AWARE_TIMESTAMP)
    if not instant_in_range(moment):
        raise invalid(field, wording.DATE_RANGE)
    return moment


def page_limit(limit: int | None) -> int:
    """The page's size (the parameter's range is checked where it is declared: params.limit)."""
    return wording.DEFAULT_LIMIT if limit is None else limit


def encode_cursor(moment: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.rsplit("|", 1)
        return dt.datetime.fromisoformat(moment), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise invalid("cursor", wording.BAD_CURSOR) from None


def after_cursor(qs, cursor: str | None, field: str):
    """Newest first, keyset paging: the rows strictly older than the cursor's row."""
    if not cursor:
        return qs
    moment, pk = decode_cursor(cursor)
    return qs.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))


def audit_list(request, action: str, account, answer: dict, key: str) -> None:
    """A list read through the API: its query parameters and the ids it answered."""
    audit.read(
        request,
        action,
        account=account,
        criteria=audit.api_criteria(request),
        via="api",
        shown=[r[key] for r in answer["results"]],
    )


def page(request, qs, limit: int, field: str, as_dict) -> dict:
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more:
        last = rows[-1]
        query = request.GET.copy()
        query["cursor"] = encode_cursor(getattr(last, field), last.pk)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": [as_dict(r) for r in rows], "next": next_url}


@router.get(
    "/accounts/{number}/messages",
    response={200: MessagePage, **errors(404)},
    openapi_extra=documented(*READERS),
    summary="List an account's messages (newest first)",
)
def list_messages(
    request,
    number: str,
    start: str | None = params.bound("from"),
    end: str | None = params.bound("until"),
    q: str | None = Query(None, description="words of the message (subject, fields, body)"),
    status: Literal["open", "closed"] | None = Query(None, description="open or closed"),
    urgent: bool | None = Query(None, description="true: urgent messages only"),
    cursor: str | None = params.cursor(),
    limit: int = params.limit(),
):
    """Newest first; `next` is the URL of the following page (null on the last one)."""
    account = account_for(request, number, *READERS)
    f = MessageFilter(
        q=q or "",
        status=status or "",
        urgent_only=bool(urgent),
        start_at=parse_instant(start, account.tz, "start"),
        end_at=parse_instant(end, account.tz, "end", end=True),
    )
    qs = find_messages([account], f).select_related("account", "agent").prefetch_related("events")
    qs = after_cursor(qs, cursor, "taken_at")
    answer = page(request, qs, page_limit(limit), "taken_at", message_as_dict)
    audit_list(request, "message.search", account, answer, "message_id")
    return answer
