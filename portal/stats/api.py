"""GET /api/v1/statistics — the Statistics report's sixteen figures (contract: "Statistics")."""

import datetime as dt

from ninja import Query, Router, Schema

from portal.accounts import audit
from portal.api import errors as wording
from portal.api import params
from portal.api.auth import ApiError, account_for, require_scope, token_accounts
from portal.api.errors import errors
from portal.api.models import ApiToken
from portal.api.urls import documented
from portal.dates import date_in_range, instant_in_range
from portal.stats.definitions import KEYS
from portal.stats.services import Filters, as_json, statistics

router = Router(tags=["stats"])
READERS = (ApiToken.CLIENT, ApiToken.INGEST)


class Figure(Schema):
    value: float | int | None
    pct: float | None


class StatisticsOut(Schema):
    accounts: list[str]
    statistics: dict[str, Figure]


class Problems:
    def __init__(self):
        self.errors: list[dict] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append({"index": None, "field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(422, wording.VALIDATION_FAILED, self.errors)


def parse_bound(value: str | None, field: str, problems: Problems):
    """A date (whole local day) or a timestamp (with an offset: an instant; without: read in
    each account's zone)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            bound = dt.date.fromisoformat(value)
            in_range = date_in_range(bound)
        else:
            bound = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            # A naive timestamp is read in each account's zone: checked as if UTC, with a
            # day's margin either side by the range itself.
            in_range = instant_in_range(
                bound if bound.tzinfo else bound.replace(tzinfo=dt.UTC)
            ) and date_in_range(bound.date())
    except ValueError:
        problems.add(field, wording.DATE_OR_TIMESTAMP)
        return None
    if not in_range:
        problems.add(field, wording.DATE_RANGE)
        return None
    return bound


def parse_time(value: str | None, field: str, problems: Problems) -> dt.time | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        problems.add(field, "Expected a time of day HH:MM.")
        return None


def parse_ints(
    value: str | None, field: str, problems: Problems, lo: int = 0, hi: int | None = None
) -> list[int]:
    if not value:
        return []
    out = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            n = int(part)
        except ValueError:
            problems.add(field, f"Expected whole numbers separated by commas, got {part!r}.")
            continue
        if n < lo or (hi is not None and n > hi):
            problems.add(field, f"{n} is out of range.")
            continue
        out.append(n)
    return out


BOUND = (
    "a date (YYYY-MM-DD: the whole day) or a timestamp (with an offset: that instant; "
    "without: read in each account's time zone); years 1900 to 2999"
)
TIME_OF_DAY = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
NUMBERS = r"^\s*[0-9]{1,9}(\s*,\s*[0-9]{1,9})*\s*$"


def _numbers(description: str):
    return Query(None, pattern=NUMBERS, max_length=2000, description=description)


@router.get(
    "/statistics",
    response={200: StatisticsOut, **errors(404)},
    openapi_extra=documented(*READERS),
    summary="The Statistics report's figures",
)
def get_statistics(
    request,
    accounts: str | None = Query(
        None,
        max_length=10_000,
        description="account numbers separated by commas (default: every account the token "
        "may read); one the token may not read: 403; an unknown one: 404",
    ),
    start: str | None = params.bound("from", BOUND),
    end: str | None = params.bound("until", BOUND),
    after: str | None = Query(
        None, pattern=TIME_OF_DAY, description="calls after this time of day (HH:MM)"
    ),
    before: str | None = Query(
        None, pattern=TIME_OF_DAY, description="calls before this time of day (HH:MM)"
    ),
    weekday: str | None = Query(
        None,
        pattern=r"^\s*[0-6](\s*,\s*[0-6])*\s*$",
        description="a day of the week, 0 (Monday) to 6 (Sunday), or several separated by commas",
    ),
    agent: str | None = Query(None, description="the agent's code"),
    hold_gt: float | None = params.seconds("total hold time longer than this (seconds)"),
    delay_gt: float | None = params.seconds("wait for an agent longer than this (seconds)"),
    groups: str | None = _numbers("account groups to include (numbers, commas)"),
    exclude_groups: str | None = _numbers("account groups to exclude"),
    dgroups: str | None = _numbers("distribution groups to include"),
    exclude_dgroups: str | None = _numbers("distribution groups to exclude"),
):
    """Counted over incoming voice calls of the accounts (default: every account the token
    may read) whose start, in each account's zone, passes the filters. Keys in the report's
    order; `value`/`pct` null where the row is blank."""
    token = require_scope(request, *READERS)
    if accounts:
        numbers = list(dict.fromkeys(n.strip() for n in accounts.split(",") if n.strip()))
        chosen = [account_for(request, n, *READERS) for n in numbers]
    else:
        chosen = list(token_accounts(token).order_by("number"))
    problems = Problems()
    filters = Filters(
        accounts=chosen,
        start=parse_bound(start, "start", problems),
        end=parse_bound(end, "end", problems),
        after=parse_time(after, "after", problems),
        before=parse_time(before, "before", problems),
        weekdays=parse_ints(weekday, "weekday", problems, 0, 6),
        agent=(agent or "").strip(),
        hold_gt=hold_gt,
        delay_gt=delay_gt,
        groups=parse_ints(groups, "groups", problems),
        exclude_groups=parse_ints(exclude_groups, "exclude_groups", problems),
        dgroups=parse_ints(dgroups, "dgroups", problems),
        exclude_dgroups=parse_ints(exclude_dgroups, "exclude_dgroups", problems),
    )
    problems.raise_if_any()
    selected = filters.selected_accounts()
    figures = as_json(statistics(filters))
    if selected:
        audit.read(
            request,
            "stats.view",
            account=selected,
            criteria=audit.api_criteria(request),
            via="api",
        )
    return {
        "accounts": [a.number for a in selected],
        "statistics": {key: figures[key] for key in KEYS},
    }
