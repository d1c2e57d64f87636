"""GET /api/v1/accounts/{number}/billable — billable items and their totals (contract)."""

import base64
import datetime as dt

from django.db.models import Q
from django.http import QueryDict
from ninja import Router, Schema

from portal.accounts import audit
from portal.api import errors as wording
from portal.api import params
from portal.api.auth import account_for, invalid
from portal.api.errors import errors
from portal.api.models import ApiToken
from portal.api.urls import documented
from portal.billing.services import (
    billable_as_dict,
    billable_items,
    billable_totals,
    cycle_containing,
    local_today,
)
from portal.dates import date_in_range

router = Router(tags=["billing"])
READERS = (ApiToken.CLIENT, ApiToken.INGEST)
LOCAL_DATE = "a date (YYYY-MM-DD) in the account's time zone (of a timestamp, its date part)"


class BillableOut(Schema):
    transaction_id: str
    account: str
    at: str
    description: str
    number: str
    caller_name: str
    agent: str
    statistic_s: float


class Totals(Schema):
    calls: int
    total_stats: str
    average: str | None


class BillablePage(Schema):
    results: list[BillableOut]
    next: str | None
    totals: Totals


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        raise invalid(field, wording.DATE_OR_TIMESTAMP) from None
    if not date_in_range(day):
        raise invalid(field, wording.DATE_RANGE)
    return day


def _cursor(item) -> str:
    raw = f"{item.at.isoformat()}|{item.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after_cursor(value: str) -> Q:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at_text, pk_text = raw.split("|")
        at, pk = dt.datetime.fromisoformat(at_text), int(pk_text)
    except (ValueError, UnicodeDecodeError):
        raise invalid("cursor", wording.BAD_CURSOR) from None
    return Q(at__lt=at) | Q(at=at, pk__lt=pk)


@router.get(
    "/accounts/{number}/billable",
    response={200: BillablePage, **errors(404)},
    openapi_extra=documented(*READERS),
    summary="Billable calls and totals",
)
def get_billable(
    request,
    number: str,
    start: str | None = params.bound("from", LOCAL_DATE),
    end: str | None = params.bound("until", LOCAL_DATE),
    cursor: str | None = params.cursor(),
    limit: int = params.limit(),
):
    """Newest first, cursor-paginated; `start`/`end` are local dates (default: the current
    billing cycle, 20th to 19th), within the last 60 days. `totals` cover the whole range."""
    account = account_for(request, number, *READERS)
    default_start, default_end = cycle_containing(local_today(account))
    first = _date(start, "start") or default_start
    last = _date(end, "end") or default_end
    if last < first:
        raise invalid("end", "end is before start.")
    items = billable_items(account, first, last)
    totals = billable_totals(items)
    page = items.order_by("-at", "-pk")
    if cursor:
        page = page.filter(_after_cursor(cursor))
    rows = list(page[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in request.GET.items() if k != "cursor"})
        query["cursor"] = _cursor(rows[-1])
        following = request.build_absolute_uri(request.path + "?" + query.urlencode())
    audit.read(
        request,
        "billable.view",
        account=account,
        criteria=audit.api_criteria(request),
        start=first,
        end=last,
        via="api",
        shown=[item.transaction_id for item in rows],
    )
    return {
        "results": [billable_as_dict(item, account) for item in rows],
        "next": following,
        "totals": {
            "calls": totals["calls"],
            "total_stats": f"{totals['total_stats']:.2f}",
            "average": None if totals["average"] is None else f"{totals['average']:.2f}",
        },
    }
