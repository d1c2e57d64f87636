"""Client reading API for messages (contract: GET /api/v1/accounts/{number}/messages)."""

import base64
import datetime as dt

from django.db.models import Q
from ninja import Router

from portal.accounts import audit
from portal.api.auth import account_for, invalid
from portal.api.models import ApiToken
from portal.dates import date_in_range, instant_in_range
from portal.inbox.services import MessageFilter, find_messages, message_as_dict

router = Router(tags=["inbox"])
READERS = (ApiToken.CLIENT, ApiToken.INGEST)


def parse_instant(value: str | None, tz, field: str, end: bool = False) -> dt.datetime | None:
    """A timestamp with its offset, or a date read in the account's zone (a whole day)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            if not date_in_range(day):
                raise invalid(field, "Expected a date between the years 1900 and 2999.")
            moment = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            return moment + dt.timedelta(days=1, microseconds=-1) if end else moment
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(field, "Expected a date or a timestamp with an offset.")
    if not instant_in_range(moment):
        raise invalid(field, "Expected a time between the years 1900 and 2999.")
    return moment


def page_limit(limit: int | None) -> int:
    if limit is None:
        return 100
    if limit < 1 or limit > 500:
        raise invalid("limit", "limit must be between 1 and 500.")
    return limit


def encode_cursor(moment: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.rsplit("|", 1)
        return dt.datetime.fromisoformat(moment), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise invalid("cursor", "Unknown cursor.") from None


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


@router.get("/accounts/{number}/messages", summary="List an account's messages (newest first)")
def list_messages(
    request,
    number: str,
    start: str | None = None,
    end: str | None = None,
    q: str | None = None,
    status: str | None = None,
    urgent: bool | None = None,
    cursor: str | None = None,
    limit: int | None = None,
):
    account = account_for(request, number, *READERS)
    if status not in (None, "", "open", "closed"):
        raise invalid("status", "status is open or closed.")
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
