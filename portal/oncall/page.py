"""What the On Call page, its PDF and its feeds show, computed from the stored intervals.

Periods are local to the account (a day is midnight to midnight in its zone, 23 or 25 real
hours on a clock-change day); hours are real elapsed hours.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from portal.dates import day_has_change
from portal.ingest import fold
from portal.oncall import services
from portal.oncall.models import Assignment, OnCallInterval, Schedule, Shift

VIEWS = ("day", "week", "month", "list", "timeline")  # timeline: over a day, week or month
FULL, PARTIAL, NONE = "full", "partial", "none"


def local_midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def period(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """[first, last) local dates shown by a view around `day`."""
    if view == "day":
        return day, day + dt.timedelta(days=1)
    if view == "week":
        first = day - dt.timedelta(days=(day.weekday() + 1) % 7)  # weeks start on Sunday
        return first, first + dt.timedelta(days=7)
    if view == "list":
        return day, day + dt.timedelta(days=31)
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1)
    return first, last


def fmt(value: dt.datetime, tz, with_year: bool = False) -> str:
    """The seed's short form: "4/24 7:30 am" in English, "24/04 7h30" in French; on a day
    the clocks change, with the zone's abbreviation ("11/01 1:30 am EDT", "… 1:30 am EST"),
    since the day's times can repeat or jump."""
    v = value.astimezone(tz)
    # On a clock-change day the same wall time can name two instants: say which (DST).
    zone = f" {v.tzname()}" if day_has_change(v.date(), tz) else ""
    if (get_language() or "en").startswith("fr"):
        text = f"{v.day:02d}/{v.month:02d}" + (f"/{v.year}" if with_year else "")
        return f"{text} {v.hour}h{v.minute:02d}{zone}"
    hour = v.hour % 12 or 12
    text = f"{v.month}/{v.day:02d}" + (f"/{v.year}" if with_year else "")
    return f"{text} {hour}:{v.minute:02d} {'am' if v.hour < 12 else 'pm'}{zone}"


def overlap(a0, a1, b0, b1) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


@dataclass
class Row:
    shift: Shift
    intervals: list[OnCallInterval]
    base: Assignment | None
    overrides: list[Assignment]
    start_label: str
    end_label: str
    covered_s: float = 0.0
    total_s: float = 0.0
    is_now: bool = False
    comments: list = field(default_factory=list)
    override_labels: list = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.covered_s >= self.total_s:
            return FULL
        return NONE if self.covered_s == 0 else PARTIAL

    @property
    def people(self) -> list:
        seen, out = set(), []
        for i in self.intervals:
            if i.contact_id and i.contact_id not in seen:
                seen.add(i.contact_id)
                out.append(i.contact)
        return out

    @property
    def hours(self) -> float:
        return self.covered_s / 3600


def rows_for(schedule: Schedule, start: dt.datetime, end: dt.datetime, tz, now=None) -> list[Row]:
    now = now or timezone.now()
    shifts = (
        Shift.objects.filter(schedule=schedule, removed_at=None, start__lt=end, end__gt=start)
        .order_by("start", "rank", "id")
        .prefetch_related(
            # to_attr: plain lists, no queryset built per shift when they are read.
            Prefetch(
                "intervals",
                queryset=OnCallInterval.objects.select_related("contact").order_by("start"),
                to_attr="interval_list",
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(revoked_at=None)
                .select_related("contact")
                .order_by("created_at", "id"),
                to_attr="active",
            ),
            Prefetch("comments", to_attr="comment_list"),
        )
    )
    rows = []
    for s in shifts:
        intervals = s.interval_list
        bases = [a for a in s.active if a.kind == Assignment.BASE]
        row = Row(
            shift=s,
            intervals=intervals,
            base=bases[-1] if bases else None,
            overrides=[a for a in s.active if a.kind == Assignment.OVERRIDE],
            start_label=fmt(s.start, tz),
            end_label=fmt(s.end, tz),
            total_s=(s.end - s.start).total_seconds(),
            covered_s=sum(
                (i.end - i.start).total_seconds()
                for i in intervals
                if i.source != OnCallInterval.UNASSIGNED
            ),
            is_now=s.start <= now < s.end,
            comments=s.comment_list,
        )
        row.override_labels = [
            (o.contact_name, fmt(o.start, tz), fmt(o.end, tz)) for o in row.overrides
        ]
        rows.append(row)
    return rows


def assigned_seconds(rows: list[Row], start: dt.datetime, end: dt.datetime, contact=None) -> float:
    """The assigned time of `rows` that falls inside [start, end) (the period shown, local
    midnights, so 23 or 25 real hours on a clock-change day), in real seconds; with `contact`,
    only that person's time. A piece whose person is gone (contact deleted) counts as none."""
    return sum(
        overlap(i.start, i.end, start, end)
        for r in rows
        for i in r.intervals
        if i.source != OnCallInterval.UNASSIGNED
        and i.contact_id is not None
        and (contact is None or i.contact_id == contact.pk)
    )


def filter_rows(rows: list[Row], *, contact=None, assignment="", role="", q="") -> list[Row]:
    out = []
    needle = fold(q.strip())
    for r in rows:
        if contact is not None and all(i.contact_id != contact.pk for i in r.intervals):
            continue
        if assignment == "assigned" and r.status != FULL:
            continue
        if assignment == "unassigned" and r.status == FULL:
            continue
        if role and r.shift.role != role:
            continue
        if needle and not any(needle in fold(p.name) for p in r.people):
            continue
        out.append(r)
    return out


@dataclass
class Day:
    date: dt.date
    in_month: bool
    coverage: str  # full, partial, none, or "" when no shift touches the day
    is_today: bool


def month_grid(schedule: Schedule | None, day: dt.date, tz, today: dt.date) -> list[list[Day]]:
    """The month around `day`, Sunday first, each day coloured by its coverage over its local
    hours (midnight to midnight in the account's zone, 23 or 25 real hours on a clock-change
    day): full when nobody is missing at any moment, none when nobody is on call at any
    moment, partial otherwise. Time that no shift covers is a gap like an unassigned shift,
    so a day without any shift is "none" (services.schedule_coverage). Without a schedule
    (no on-call service) no day is coloured."""
    cal = calendar.Calendar(firstweekday=6)
    weeks = cal.monthdatescalendar(day.year, day.month)
    first, last = weeks[0][0], weeks[-1][-1] + dt.timedelta(days=1)
    people: list = []
    nobody: list = []
    if schedule is not None:
        people, nobody = services.schedule_coverage(
            schedule, local_midnight(first, tz), local_midnight(last, tz)
        )
    grid = []
    for week in weeks:
        row = []
        for d in week:
            coverage = ""
            if schedule is not None:
                d0, d1 = local_midnight(d, tz), local_midnight(d + dt.timedelta(days=1), tz)
                if not services.seconds_within(nobody, d0, d1):
                    coverage = FULL
                elif not services.seconds_within(people, d0, d1):
                    coverage = NONE
                else:
                    coverage = PARTIAL
            row.append(Day(d, d.month == day.month, coverage, d == today))
        grid.append(row)
    return grid


def unassigned_seconds(schedule: Schedule | None, start: dt.datetime, end: dt.datetime) -> float:
    """Real seconds of [start, end) with nobody on call in the schedule: unassigned shifts
    and time that no shift covers (a moment counts once, whatever the number of shifts)."""
    if schedule is None:
        return 0.0
    _people, nobody = services.schedule_coverage(schedule, start, end)
    return services.seconds_within(nobody, start, end)


NO_SHIFT = "no_shift"


@dataclass
class CoverageLine:
    """A line of the Coverage table: a piece of a shift, or (`shift` None) time that no shift
    of the schedule covers, which is a gap too."""

    start: dt.datetime
    end: dt.datetime
    shift: Shift | None
    contact: object
    source: str

    @property
    def gap(self) -> bool:
        return self.shift is None or self.contact is None


def coverage_lines(shown: list[Row], rows: list[Row], start, end) -> list[CoverageLine]:
    """The pieces of the `shown` shifts and the stretches of [start, end) that none of the
    period's shifts (`rows`, unfiltered) covers, by time."""
    lines = [
        CoverageLine(i.start, i.end, r.shift, i.contact, i.source)
        for r in shown
        for i in r.intervals
    ]
    spans = [(r.shift.start, r.shift.end) for r in rows]
    lines += [
        CoverageLine(s, e, None, None, NO_SHIFT) for s, e in services.uncovered(spans, start, end)
    ]
    lines.sort(key=lambda line: (line.start, line.shift.rank if line.shift else -1))
    return lines


@dataclass
class NowEntry:
    """One line of "On call now": a shift covering this moment and who covers it (None: a
    gap), until when, and who is next (None: nobody) from when."""

    shift: str
    role: str
    rank: int
    source: str
    contact: dict | None
    until_label: str
    has_next: bool = False
    next_contact: dict | None = None
    next_label: str = ""


@dataclass
class NowGroup:
    schedule: Schedule
    entries: list[NowEntry]
    # With no shift now: who is on call first from now on (None: nobody ever), from when.
    first: NowEntry | None = None

    @property
    def nobody(self) -> bool:
        return not self.entries


def _with_next(entry: NowEntry, schedule: Schedule, now: dt.datetime, tz, **where) -> NowEntry:
    """`entry` completed with who is next: services.next_on_call, read from the stored
    intervals. "Until" becomes the hand-over (a person on two shifts in a row is on call
    until the second ends)."""
    current = entry.contact["id"] if entry.contact else None
    nxt = services.next_on_call(schedule, now, current=current, **where)
    if nxt is not None:
        entry.has_next = True
        entry.next_contact = nxt["contact"]
        entry.next_label = fmt(nxt["from"], tz)
        if where:
            entry.until_label = entry.next_label
    return entry


def on_call_now(account, schedules: list[Schedule], tz, now: dt.datetime) -> list[NowGroup]:
    """Who is on call at `now`, schedule by schedule, read through the API's own look-up
    (services.on_call_at, overrides applied, gaps as nobody), and who is next in each role
    (services.next_on_call). A schedule that no shift covers at `now` comes with no entry:
    nobody is on call there either; its `first` says who comes first, from when."""
    by_schedule: dict[str, list[NowEntry]] = {}
    known = {s.external_id: s for s in schedules}
    for e in services.on_call_at(account, at=now):
        entry = NowEntry(
            shift=e["shift"],
            role=e["role"],
            rank=e["rank"],
            source=e["source"],
            contact=e["contact"],
            until_label=fmt(dt.datetime.fromisoformat(e["on_call_until"]), tz),
        )
        if e["schedule"] in known:
            _with_next(entry, known[e["schedule"]], now, tz, role=e["role"], rank=e["rank"])
        by_schedule.setdefault(e["schedule"], []).append(entry)
    groups = [NowGroup(s, by_schedule.get(s.external_id, [])) for s in schedules]
    for g in groups:
        if g.nobody:
            first = _with_next(NowEntry("", "", 0, "", None, ""), g.schedule, now, tz)
            g.first = first if first.has_next else None
    return groups
