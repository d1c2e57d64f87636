"""Gaps: where nobody is on call, including time that no shift covers at all.

A moment of a schedule is a gap when a shift covering it has nobody (an unassigned piece,
or a piece whose contact is gone), or when no shift of the schedule covers it. Time is real
elapsed time (UTC instants), so a local day of 23 or 25 hours counts as such.

An account without any (visible) schedule has no on-call service: it has no gaps. A schedule
the account has removed does not count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from portal.accounts.models import Account
from portal.oncall.models import OnCallInterval, Schedule, Shift
from portal.oncall.services.lookup import visible_schedules

Span = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Gap:
    """A stretch of a schedule with nobody on call. `shift` is None where no shift covers it
    (then `start` and `end` are clipped to the window asked for)."""

    schedule: Schedule
    shift: Shift | None
    start: dt.datetime
    end: dt.datetime

    @property
    def no_shift(self) -> bool:
        return self.shift is None


def merge(spans) -> list[Span]:
    """The union of [start, end) spans, as sorted disjoint spans."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if s >= e:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def uncovered(spans, start: dt.datetime, end: dt.datetime) -> list[Span]:
    """The parts of [start, end) that none of `spans` covers."""
    out, cursor = [], start
    for s, e in merge(spans):
        if e <= cursor:
            continue
        if s >= end:
            break
        if s > cursor:
            out.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        out.append((cursor, end))
    return out


def seconds_within(spans: list[Span], start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of disjoint `spans` inside [start, end)."""
    return sum(max(0.0, (min(e, end) - max(s, start)).total_seconds()) for s, e in spans if s < end)


def _aware_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def schedule_coverage(schedule: Schedule, start: dt.datetime, end: dt.datetime):
    """(covered, gap) of one schedule over [start, end): two lists of disjoint spans, clipped.
    Covered: someone is on call in at least one shift. Gap: a shift with nobody, or no shift
    at all. A moment where one shift is covered and another (say rank 1) is not is in both.
    One query (the stored intervals; a live shift is wholly cut into them)."""
    start, end = _aware_utc(start), _aware_utc(end)
    rows = list(
        OnCallInterval.objects.filter(
            schedule=schedule, schedule__removed_at=None, start__lt=end, end__gt=start
        ).values_list("start", "end", "contact_id")
    )

    def clip(spans):
        return [(max(s, start), min(e, end)) for s, e in merge(spans)]

    people = clip((s, e) for s, e, c in rows if c is not None)
    nobody = [(s, e) for s, e, c in rows if c is None]
    nobody += uncovered(((s, e) for s, e, _c in rows), start, end)
    return people, clip(nobody)


def gaps(account: Account, start: dt.datetime, end: dt.datetime) -> list[Gap]:
    """Every gap of the account's schedules overlapping [start, end), schedule by schedule
    (by name), then by time and rank: the shifts' unassigned pieces (or pieces whose contact
    is gone) and the stretches no shift of the schedule covers (clipped to the window). An
    account without a schedule has none. Three queries, whatever the number of schedules."""
    start, end = _aware_utc(start), _aware_utc(end)
    schedules = list(visible_schedules(account))
    if not schedules:
        return []
    by_id = {s.pk: s for s in schedules}
    pieces = (
        OnCallInterval.objects.filter(
            account=account,
            schedule__in=schedules,
            start__lt=end,
            end__gt=start,
        )
        .filter(Q(source=OnCallInterval.UNASSIGNED) | Q(contact__isnull=True))
        .select_related("shift")
    )
    found: dict[int, list[tuple]] = {s.pk: [] for s in schedules}
    for p in pieces:
        found[p.schedule_id].append((p.start, 0, p.shift.rank, p.shift_id, p.shift, p.end))
    spans: dict[int, list[Span]] = {s.pk: [] for s in schedules}
    for schedule_id, s, e in Shift.objects.filter(
        schedule__in=schedules, removed_at=None, start__lt=end, end__gt=start
    ).values_list("schedule_id", "start", "end"):
        spans[schedule_id].append((s, e))
    out: list[Gap] = []
    for schedule in schedules:
        rows = found[schedule.pk]
        rows += [(s, -1, -1, 0, None, e) for s, e in uncovered(spans[schedule.pk], start, end)]
        rows.sort(key=lambda r: r[:4])
        out += [Gap(by_id[schedule.pk], shift, s, e) for s, _k, _r, _i, shift, e in rows]
    return out
