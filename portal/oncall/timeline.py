"""The On Call page's Timeline view: one row per contact over the chosen day, week or month,
the base shifts and the overrides drawn as two layers, each contact's hours (the same totals
as "Total hours assigned": page.assigned_seconds), and the gaps on their own row (nobody on
call in a shift, or no shift at all: services.merge / services.uncovered).

Bars are placed in real time (a 23- or 25-hour day is that long) as percentages of the
period; the page draws them in SVG (a Content-Security-Policy forbids style attributes)
and gives each one its times in text for screen readers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import get_language

from portal.oncall import page, services
from portal.oncall.models import OnCallInterval

SPANS = ("day", "week", "month")
DEFAULT_SPAN = "week"


@dataclass
class Bar:
    left: float  # percent of the period
    width: float
    start_label: str
    end_label: str
    shift: str = ""

    @property
    def x(self) -> str:
        return f"{self.left:.3f}%"

    @property
    def w(self) -> str:
        return f"{max(self.width, 0.15):.3f}%"


@dataclass
class Line:
    """One contact's row (or, with contact None, the gaps' row)."""

    name: str
    contact_id: int | None
    hours: float
    base: list[Bar] = field(default_factory=list)
    overrides: list[Bar] = field(default_factory=list)


@dataclass
class Tick:
    left: float
    label: str

    @property
    def x(self) -> str:
        return f"{self.left:.3f}%"


@dataclass
class Timeline:
    span: str
    lines: list[Line]
    gaps: Line
    ticks: list[Tick]


def _position(s, e, start, end) -> tuple[float, float] | None:
    total = (end - start).total_seconds()
    s, e = max(s, start), min(e, end)
    if s >= e or total <= 0:
        return None
    return (s - start).total_seconds() / total * 100, (e - s).total_seconds() / total * 100


def _bar(s, e, start, end, tz, shift="") -> Bar | None:
    where = _position(s, e, start, end)
    if where is None:
        return None
    return Bar(where[0], where[1], page.fmt(s, tz), page.fmt(e, tz), shift)


def _tick_label(moment: dt.datetime, span: str) -> str:
    french = (get_language() or "en").startswith("fr")
    if span == "day":
        return (
            f"{moment.hour}h"
            if french
            else f"{moment.hour % 12 or 12} {'am' if moment.hour < 12 else 'pm'}"
        )
    if span == "month":
        return str(moment.day)
    return f"{moment.day:02d}/{moment.month:02d}" if french else f"{moment.month}/{moment.day:02d}"


def ticks(first: dt.date, last: dt.date, span: str, tz) -> list[Tick]:
    """Where each hour mark (day: every 3 hours) or local midnight falls, in real time."""
    start, end = page.local_midnight(first, tz), page.local_midnight(last, tz)
    moments = []
    if span == "day":
        moments = [
            dt.datetime.combine(first, dt.time(h), tzinfo=tz).astimezone(dt.UTC)
            for h in range(0, 24, 3)
        ]
    else:
        d = first
        while d < last:
            moments.append(page.local_midnight(d, tz))
            d += dt.timedelta(days=1)
    out = []
    for m in sorted(set(moments)):
        where = _position(m, end, start, end)
        if where is not None:
            out.append(Tick(where[0], _tick_label(m.astimezone(tz), span)))
    return out


def build(rows, gap_rows, first: dt.date, last: dt.date, span: str, tz, contact=None) -> Timeline:
    """`rows`: the shifts shown (page.filter_rows, every filter applied): their people's
    lines; `gap_rows`: the shifts of the chosen role (all people): where nobody is on call.
    With `contact` (the Contact filter) only that person's line, even when empty."""
    start, end = page.local_midnight(first, tz), page.local_midnight(last, tz)
    people: dict[int, Line] = {}
    if contact is not None:
        people[contact.pk] = Line(contact.name, contact.pk, 0.0)
    for r in rows:
        label = f"{r.shift.name} · {r.shift.role}"
        for i in r.intervals:
            if i.contact_id is None or i.source == OnCallInterval.UNASSIGNED:
                continue
            if contact is not None and i.contact_id != contact.pk:
                continue
            bar = _bar(i.start, i.end, start, end, tz, label)
            if bar is None:
                continue
            line = people.setdefault(i.contact_id, Line(i.contact.name, i.contact_id, 0.0))
            (line.overrides if i.source == OnCallInterval.OVERRIDE else line.base).append(bar)
    for line in people.values():
        line.hours = page.assigned_seconds(rows, start, end, _Pk(line.contact_id)) / 3600
    nobody = [
        (i.start, i.end)
        for r in gap_rows
        for i in r.intervals
        if i.contact_id is None or i.source == OnCallInterval.UNASSIGNED
    ]
    nobody += services.uncovered([(r.shift.start, r.shift.end) for r in gap_rows], start, end)
    spans = [(max(s, start), min(e, end)) for s, e in services.merge(nobody)]
    gaps = Line("", None, services.seconds_within(spans, start, end) / 3600)
    gaps.base = [b for s, e in spans if (b := _bar(s, e, start, end, tz)) is not None]
    lines = sorted(people.values(), key=lambda line: line.name.casefold())
    return Timeline(span, lines, gaps, ticks(first, last, span, tz))


@dataclass(frozen=True)
class _Pk:
    """What page.assigned_seconds reads of a contact: its pk."""

    pk: int
