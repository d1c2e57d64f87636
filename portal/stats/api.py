"""GET /api/v1/statistics — the Statistics report's sixteen figures (contract: "Statistics")."""

import datetime as dt

from ninja import Router, Schema

from portal.accounts import audit
from portal.api.auth import ApiError, account_for, require_scope, token_accounts
from portal.api.models import ApiToken
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
            raise ApiError(422, "Validation failed", self.errors)


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
        problems.add(field, "Expected a date (YYYY-MM-DD) or a timestamp.")
        return None
    if not in_range:
        problems.add(field, "Expected a date between the years 1900 and 2999.")
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


def parse_seconds(value: str | None, field: str, problems: Problems) -> float | None:
    if value in (None, ""):
        return None
    try:
        n = float(value)
    except ValueError:
        problems.add(field, "Expected a number of seconds.")
        return None
    if not n >= 0 or n == float("inf"):
        problems.add(field, "Expected a number of seconds ≥ 0.")
        return None
    return n


@router.get("/statistics", response=StatisticsOut, summary="The Statistics report's figures")
def get_statistics(
    request,
    accounts: str | None = None,
    start: str | None = None,
    end: str | None = None,
    after: str | None = None,
    before: str | None = None,
    weekday: str | None = None,
    agent: str | None = None,
    hold_gt: str | None = None,
    delay_gt: str | None = None,
    groups: str | None = None,
    exclude_groups: str | None = None,
    dgroups: str | None = None,
    exclude_dgroups: str | None = None,
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
        hold_gt=parse_seconds(hold_gt, "hold_gt", problems),
        delay_gt=parse_seconds(delay_gt, "delay_gt", problems),
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
