"""Statistics: the contract's sixteen figures, computed by ONE aggregate query in the database.

The calls table keeps durations in whole milliseconds and the start in the account's zone
(local_date, local_minute, local_weekday), so every filter is a WHERE clause and every
figure a conditional COUNT or SUM. Python only divides and rounds (Decimal, half up).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from portal.accounts.models import Account
from portal.calls.models import Call
from portal.stats.definitions import KEYS, ROWS

SECOND = 1000
ONE = Decimal("1")
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
HUNDRED = Decimal(100)


def half_up(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def percent(part: int, base: int) -> Decimal | None:
    """One decimal, half up; None (blank) when the base is empty."""
    if not base:
        return None
    return half_up(Decimal(part) * HUNDRED / Decimal(base), TENTH)


def mean_ms(total_ms: int | None, count: int, step: Decimal) -> Decimal | None:
    """A mean of millisecond values, in seconds at `step`; None over an empty set."""
    if not count:
        return None
    return half_up(Decimal(total_ms or 0) / Decimal(count * SECOND), step)


# --- Filters ---------------------------------------------------------------------------


@dataclass
class Filters:
    """What the Statistics screen (and GET /api/v1/statistics) can filter on.

    `start`/`end` are dates (whole local days) or datetimes: an aware datetime is an instant,
    a naive one is read in each account's zone. `after`/`before` are times of day in the
    account's zone; both ends are inclusive to the minute (the default 00:00–23:59 is the
    whole day); after > before means a window across midnight. Numbers 0/None mean "no filter"
    (the screen's default 0 s for hold and response delay).
    """

    accounts: list[Account] = field(default_factory=list)
    start: dt.date | dt.datetime | None = None
    end: dt.date | dt.datetime | None = None
    after: dt.time | None = None
    before: dt.time | None = None
    weekdays: list[int] = field(default_factory=list)
    agent: str = ""
    hold_gt: float | None = None
    delay_gt: float | None = None
    groups: list[int] = field(default_factory=list)
    exclude_groups: list[int] = field(default_factory=list)
    dgroups: list[int] = field(default_factory=list)
    exclude_dgroups: list[int] = field(default_factory=list)

    def selected_accounts(self) -> list[Account]:
        """The accounts the report covers: the allowed ones, narrowed by account groups.

        Group filters only ever narrow `accounts` (which the caller has already limited to
        what the login or token may see); they never add an account.
        """
        ids = [a.pk for a in self.accounts]
        qs = Account.objects.filter(pk__in=ids)
        if self.groups:
            qs = qs.filter(groups__number__in=self.groups)
        if self.exclude_groups:
            qs = qs.exclude(groups__number__in=self.exclude_groups)
        return list(qs.distinct().order_by("number"))

    def period_days(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return (as_date(self.end) - as_date(self.start)).days + 1

    def previous(self) -> Filters | None:
        """The same filters over the period of the same length just before this one."""
        days = self.period_days()
        if not days or days < 1:
            return None
        shift = dt.timedelta(days=days)
        return replace(self, start=self.start - shift, end=self.end - shift)


def as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def minute_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _local_bound(value: dt.date | dt.datetime, lower: bool) -> Q:
    """A start/end bound read in each account's zone (on the denormalised local columns)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return Q(started_at__gte=value) if lower else Q(started_at__lte=value)
        d, m = value.date(), value.hour * 60 + value.minute
        if lower:
            return Q(local_date__gt=d) | Q(local_date=d, local_minute__gte=m)
        return Q(local_date__lt=d) | Q(local_date=d, local_minute__lte=m)
    return Q(local_date__gte=value) if lower else Q(local_date__lte=value)


def counted_calls(filters: Filters, accounts: list[Account] | None = None) -> QuerySet[Call]:
    """Incoming voice calls of the selected accounts that pass every filter."""
    if accounts is None:
        accounts = filters.selected_accounts()
    qs = Call.objects.filter(
        account_id__in=[a.pk for a in accounts], direction=Call.IN, kind=Call.VOICE
    )
    if filters.start is not None:
        qs = qs.filter(_local_bound(filters.start, lower=True))
    if filters.end is not None:
        qs = qs.filter(_local_bound(filters.end, lower=False))
    after = minute_of(filters.after) if filters.after else 0
    before = minute_of(filters.before) if filters.before else 24 * 60 - 1
    if after <= before:
        if after > 0:
            qs = qs.filter(local_minute__gte=after)
        if before < 24 * 60 - 1:
            qs = qs.filter(local_minute__lte=before)
    else:
        qs = qs.filter(Q(local_minute__gte=after) | Q(local_minute__lte=before))
    if filters.weekdays and len(set(filters.weekdays)) < 7:
        qs = qs.filter(local_weekday__in=sorted(set(filters.weekdays)))
    if filters.agent:
        qs = qs.filter(agent__code__iexact=filters.agent.strip())
    if filters.hold_gt:
        qs = qs.filter(hold_total_ms__gt=round(filters.hold_gt * SECOND))
    if filters.delay_gt:
        qs = qs.filter(
            answered_ms__isnull=False,
            queued_ms__isnull=False,
            answered_ms__gt=F("queued_ms") + round(filters.delay_gt * SECOND),
        )
    if filters.dgroups:
        qs = qs.filter(distribution_group__in=filters.dgroups)
    if filters.exclude_dgroups:
        qs = qs.exclude(distribution_group__in=filters.exclude_dgroups)
    return qs


# --- The definitions as conditions on one row ---------------------------------------------
# Each condition is written so that no comparison ever meets a NULL (no three-valued logic).

# Call.stat_class is worked out at ingest by portal.calls.services.stat_class, which is the
# contract's definitions of Total, Automated, System Abandon, Agent Abandon and Answered.
TOTAL = Q(stat_class__gte=Call.AUTOMATED)
AGENT = Q(stat_class__gte=Call.SYSTEM_ABANDON)
SYSTEM_ABANDON = Q(stat_class=Call.SYSTEM_ABANDON)
ASSIGNED = Q(stat_class__gte=Call.AGENT_ABANDON)
AGENT_ABANDON = Q(stat_class=Call.AGENT_ABANDON)
ANSWERED = Q(stat_class=Call.ANSWERED)
WORKED = ANSWERED & Q(work_ms__isnull=False)
HELD = ANSWERED & Q(hold_max_ms__gt=10 * SECOND)
WITHIN_30 = ANSWERED & Q(answered_ms__lte=F("queued_ms") + 30 * SECOND)
PATCHED = TOTAL & Q(patch_ms__gt=0)
BUSY = Q(busy=True)


def aggregates() -> dict[str, Any]:
    """The conditional COUNT/SUM expressions of the report (one row per group)."""
    wait = F("answered_ms") - F("queued_ms")
    return {
        "t": Count("account_id", filter=TOTAL),
        "g": Count("account_id", filter=AGENT),
        "s": Count("account_id", filter=SYSTEM_ABANDON),
        "n": Count("account_id", filter=ASSIGNED),
        "b": Count("account_id", filter=AGENT_ABANDON),
        "r": Count("account_id", filter=ANSWERED),
        "worked": Count("account_id", filter=WORKED),
        "work_ms": Coalesce(Sum("work_ms", filter=WORKED), 0),
        "h": Count("account_id", filter=HELD),
        "hold_ms": Coalesce(Sum("hold_total_ms", filter=HELD), 0),
        "wait_ms": Coalesce(Sum(wait, filter=ANSWERED), 0),
        "w": Count("account_id", filter=WITHIN_30),
        "p": Count("account_id", filter=PATCHED),
        "patch_ms": Coalesce(Sum("patch_ms", filter=PATCHED), 0),
        "busy": Count("account_id", filter=BUSY),
    }


Figure = dict[str, Decimal | int | None]


def figures(raw: dict[str, int]) -> dict[str, Figure]:
    """The sixteen rows from one aggregate row: {"value": ..., "pct": ...} each."""
    t, g, s, n, b, r = (raw[k] or 0 for k in ("t", "g", "s", "n", "b", "r"))
    h, w, p = raw["h"] or 0, raw["w"] or 0, raw["p"] or 0
    a = t - g
    out = {
        "total_incoming": (t, percent(t, t)),
        "automated": (a, percent(a, t)),
        "agent_calls": (g, percent(g, t)),
        "system_abandon": (s, percent(s, g)),
        "assigned": (n, percent(n, t)),
        "agent_abandon": (b, percent(b, n)),
        "answered_of_total": (r, percent(r, t)),
        "answered_of_assigned": (r, percent(r, n)),
        "avg_work_s": (mean_ms(raw["work_ms"], raw["worked"] or 0, ONE), None),
        "held": (h, percent(h, t)),
        "avg_hold_s": (mean_ms(raw["hold_ms"], h, ONE), None),
        "avg_wait_s": (mean_ms(raw["wait_ms"], r, TENTH), None),
        "within_30s": (w, percent(w, r)),
        "patches": (p, None),
        "patch_min": (
            half_up(Decimal(raw["patch_ms"] or 0) / Decimal(60 * SECOND), HUNDREDTH) if p else None,
            None,
        ),
        "busies": (raw["busy"] or 0, None),
    }
    result: dict[str, Figure] = {}
    for key in KEYS:
        value, pct = out[key]
        if (
            isinstance(value, Decimal)
            and value == value.to_integral_value()
            and key
            in (
                "avg_work_s",
                "avg_hold_s",
            )
        ):
            value = int(value)
        result[key] = {"value": value, "pct": pct}
    return result


# --- The pre-aggregated rollups (portal/calls/rollups.py) -------------------------------------
# One row per account, local day, hour, agent and distribution group, each column the SUM of
# one of aggregates() over those calls: whenever the filters fall on whole local days and
# whole hours (and ask nothing of a single call's hold or delay), adding up rollup rows gives
# exactly the direct query's numbers, reading ~20 times fewer rows. PORTAL_STATS_ROLLUPS=False
# (a setting) reads the calls themselves.


def _hour_aligned(filters: Filters) -> bool:
    if filters.after and filters.after.minute != 0:
        return False
    if filters.before and filters.before.minute != 59:
        return False
    return not (
        (filters.after and (filters.after.second or filters.after.microsecond))
        or (filters.before and (filters.before.second or filters.before.microsecond))
    )


def rollup_rows(filters: Filters, accounts: list[Account] | None = None):
    """The rollup rows that add up to `counted_calls(filters)`, or None when the filters
    need the calls themselves (a datetime bound, a time of day inside an hour, hold or
    response delay thresholds)."""
    from django.conf import settings

    from portal.calls.models import Agent, CallRollup

    if not getattr(settings, "PORTAL_STATS_ROLLUPS", True):
        return None
    if filters.hold_gt or filters.delay_gt or not _hour_aligned(filters):
        return None
    if isinstance(filters.start, dt.datetime) or isinstance(filters.end, dt.datetime):
        return None
    if accounts is None:
        accounts = filters.selected_accounts()
    qs = CallRollup.objects.filter(account_id__in=[a.pk for a in accounts])
    if filters.start is not None:
        qs = qs.filter(local_date__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(local_date__lte=filters.end)
    after = minute_of(filters.after) // 60 if filters.after else 0
    before = minute_of(filters.before) // 60 if filters.before else 23
    if after <= before:
        if after > 0:
            qs = qs.filter(hour__gte=after)
        if before < 23:
            qs = qs.filter(hour__lte=before)
    else:
        qs = qs.filter(Q(hour__gte=after) | Q(hour__lte=before))
    if filters.weekdays and len(set(filters.weekdays)) < 7:
        qs = qs.filter(local_weekday__in=sorted(set(filters.weekdays)))
    if filters.agent:
        ids = Agent.objects.filter(code__iexact=filters.agent.strip()).values_list("pk", flat=True)
        qs = qs.filter(agent_key__in=list(ids))
    if filters.dgroups:
        qs = qs.filter(distribution_group__in=filters.dgroups)
    if filters.exclude_dgroups:
        qs = qs.exclude(distribution_group__in=filters.exclude_dgroups)
    return qs


def _sums(*names: str) -> dict[str, Any]:
    from portal.calls.rollups import MEASURES

    return {name: Coalesce(Sum(name), 0) for name in (names or MEASURES)}


def _ints(row: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL sums bigints as numeric: the figures want the integers the direct query
    counts."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def statistics(filters: Filters) -> dict[str, Figure]:
    """The report's sixteen figures: one aggregate query (over the rollups when it can)."""
    rows = rollup_rows(filters)
    if rows is not None:
        return figures(_ints(rows.aggregate(**_sums())))
    raw = counted_calls(filters).aggregate(**aggregates())
    return figures(raw)


def _by_agent_from_rollups(rows) -> list[dict[str, Any]]:
    from django.db import connection

    from portal.calls.models import Agent

    grouped = [_ints(r) for r in rows.values("agent_key").annotate(**_sums()).order_by()]
    codes = dict(
        Agent.objects.filter(pk__in=[r["agent_key"] for r in grouped]).values_list("pk", "code")
    )
    # The direct query's order: most answered first, then the code; the calls without an
    # agent where the database sorts a NULL (PostgreSQL last, SQLite first).
    none_last = connection.vendor == "postgresql"
    for r in grouped:
        r["agent__code"] = codes.get(r["agent_key"])
    grouped.sort(
        key=lambda r: (
            -r["r"],
            (r["agent__code"] is None) == none_last,
            r["agent__code"] or "",
        )
    )
    return grouped


def statistics_by_agent(filters: Filters) -> list[dict[str, Any]]:
    """The same figures per agent (one GROUP BY query), busiest first."""
    rollups = rollup_rows(filters)
    if rollups is not None:
        rows = _by_agent_from_rollups(rollups)
    else:
        rows = (
            counted_calls(filters)
            .values("agent__code")
            .annotate(**aggregates())
            .order_by("-r", "agent__code")
        )
    out = []
    for raw in rows:
        if not raw["t"] and not raw["busy"]:
            continue
        out.append({"agent": raw["agent__code"] or "", "figures": figures(raw)})
    return out


def per_hour(filters: Filters) -> list[dict[str, int]]:
    """Total incoming calls and answered calls for each hour of the day (0–23)."""
    rollups = rollup_rows(filters)
    if rollups is not None:
        rows = [_ints(r) for r in rollups.values("hour").annotate(**_sums("t", "r")).order_by()]
    else:
        rows = (
            counted_calls(filters)
            .annotate(hour=F("local_minute") / 60)
            .values("hour")
            .annotate(t=Count("account_id", filter=TOTAL), r=Count("account_id", filter=ANSWERED))
            .order_by("hour")
        )
    by_hour = {int(row["hour"]): row for row in rows}
    return [
        {
            "hour": h,
            "total": by_hour.get(h, {}).get("t", 0),
            "answered": by_hour.get(h, {}).get("r", 0),
        }
        for h in range(24)
    ]


def per_day(filters: Filters) -> list[dict[str, Any]]:
    """For each local day: total incoming, answered, abandoned (system + agent), automated,
    and the calls answered within 30 seconds."""
    rollups = rollup_rows(filters)
    if rollups is not None:
        rows = [
            _ints(r)
            for r in rollups.values("local_date").annotate(**_sums("t", "g", "r", "s", "b", "w"))
        ]
    else:
        rows = (
            counted_calls(filters)
            .values("local_date")
            .annotate(
                t=Count("account_id", filter=TOTAL),
                g=Count("account_id", filter=AGENT),
                r=Count("account_id", filter=ANSWERED),
                s=Count("account_id", filter=SYSTEM_ABANDON),
                b=Count("account_id", filter=AGENT_ABANDON),
                w=Count("account_id", filter=WITHIN_30),
            )
            .order_by("local_date")
        )
    by_day = {row["local_date"]: row for row in rows}
    if filters.start is not None and filters.end is not None:
        first, last = as_date(filters.start), as_date(filters.end)
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    else:
        days = sorted(by_day)
    out = []
    for day in days[:400]:
        row = by_day.get(day, {})
        out.append(
            {
                "date": day,
                "total": row.get("t", 0),
                "answered": row.get("r", 0),
                "abandoned": row.get("s", 0) + row.get("b", 0),
                "automated": row.get("t", 0) - row.get("g", 0),
                "within_30s": row.get("w", 0),
            }
        )
    return out


def comparison(current: dict[str, Figure], previous: dict[str, Figure]) -> dict[str, Any]:
    """Each row's value now, before, and the change (None where either side is blank)."""
    out = {}
    for key in KEYS:
        now, before = current[key]["value"], previous[key]["value"]
        change = None
        if now is not None and before is not None:
            change = Decimal(now) - Decimal(before)
        out[key] = {"now": now, "before": before, "change": change}
    return out


def as_json(figs: dict[str, Figure]) -> dict[str, dict[str, float | int | None]]:
    """The API's shape: numbers, not strings; null where blank."""

    def num(v):
        if v is None or isinstance(v, int):
            return v
        return float(v)

    return {k: {"value": num(f["value"]), "pct": num(f["pct"])} for k, f in figs.items()}


ROW_BY_KEY = {row.key: row for row in ROWS}
