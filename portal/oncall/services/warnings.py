"""Checks before and after a change of who is on call: a person booked in two roles at once,
and a gap left in the coming days. They never refuse anything (the page asks to confirm,
the API saves as the contract says); they only say what a change would do or did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.accounts.models import Account
from portal.directory.models import Contact
from portal.oncall.models import OnCallInterval, Shift
from portal.oncall.services.base import _now, active_base
from portal.oncall.services.structure import series

GAP_DAYS = 7


@dataclass(frozen=True)
class DoubleBooking:
    """`contact` would be on call in `shift` (role `role`) while also on call in `other`."""

    contact: Contact
    shift: Shift
    role: str
    other: Shift
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class GapLeft:
    """Nobody on call in `shift` (None: no shift at all) from `start` to `end`."""

    start: dt.datetime
    end: dt.datetime
    shift: Shift | None = None


def _placed_pieces(shift: Shift) -> list[tuple[dt.datetime, dt.datetime]]:
    """When the shift's base person is on call: the shift less its overrides (as stored)."""
    pieces = [
        (i.start, i.end)
        for i in OnCallInterval.objects.filter(shift=shift)
        .exclude(source=OnCallInterval.OVERRIDE)
        .order_by("start")
    ]
    return pieces or [(shift.start, shift.end)]


def _conflicts(
    account: Account,
    contact: Contact | None,
    shift: Shift,
    pieces: list[tuple[dt.datetime, dt.datetime]],
    exclude: set[int],
    now: dt.datetime,
) -> list[DoubleBooking]:
    if contact is None:
        return []
    found = []
    for start, end in pieces:
        start = max(start, now)  # the past is history: only what is still to come
        if end <= start:
            continue
        others = (
            OnCallInterval.objects.filter(
                account=account,
                contact=contact,
                start__lt=end,
                end__gt=start,
                shift__removed_at=None,
                schedule__removed_at=None,
            )
            .exclude(shift__role=shift.role)
            .exclude(shift_id__in=exclude | {shift.pk})
            .select_related("shift__schedule")
            .order_by("start")
        )
        for i in others:
            found.append(
                DoubleBooking(
                    contact=contact,
                    shift=shift,
                    role=shift.role,
                    other=i.shift,
                    start=max(start, i.start),
                    end=min(end, i.end),
                )
            )
    return found


def assign_double_bookings(
    shift: Shift,
    contact: Contact,
    recurring_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[DoubleBooking]:
    """Where assigning `contact` to `shift` (and its series up to `recurring_until`) would put
    them on call while they are on call in a shift of another role, in any schedule."""
    now = now or _now()
    account = shift.schedule.account
    shifts = [shift] + (series(shift, recurring_until) if recurring_until else [])
    found = []
    for s in shifts:
        found += _conflicts(account, contact, s, _placed_pieces(s), set(), now)
    return found


def override_double_bookings(
    shift: Shift,
    contact: Contact,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
) -> list[DoubleBooking]:
    """Where an override of `contact` from `start` to `end` would double-book them."""
    now = now or _now()
    return _conflicts(shift.schedule.account, contact, shift, [(start, end)], set(), now)


def swap_double_bookings(
    shift_a: Shift, shift_b: Shift, now: dt.datetime | None = None
) -> list[DoubleBooking]:
    """Where swapping the people of two shifts would double-book either of them."""
    now = now or _now()
    account = shift_a.schedule.account
    base_a, base_b = active_base(shift_a), active_base(shift_b)
    pair = {shift_a.pk, shift_b.pk}
    found = []
    for target, incoming in ((shift_a, base_b), (shift_b, base_a)):
        if incoming is None or incoming.contact is None:
            continue
        found += _conflicts(account, incoming.contact, target, _placed_pieces(target), pair, now)
    return found


def gaps_left(
    account: Account,
    shifts: list[Shift],
    now: dt.datetime | None = None,
    days: int = GAP_DAYS,
) -> list[GapLeft]:
    """The gaps (services.gaps, the single source) of the changed `shifts` in the next `days`
    days, clipped to that window and joined where they touch, by time."""
    now = now or _now()
    end = now + dt.timedelta(days=days)
    ids = {s.pk for s in shifts}
    found: list[GapLeft] = []
    from portal.oncall import services  # the package's gaps: the single source

    for g in services.gaps(account, now, end):
        shift = getattr(g, "shift", None)
        if shift is None or shift.pk not in ids:
            continue
        start, stop = max(g.start, now), min(g.end, end)
        if stop <= start:
            continue
        last = found[-1] if found else None
        if last is not None and last.shift == shift and last.end >= start:
            found[-1] = GapLeft(last.start, max(last.end, stop), last.shift)
        else:
            found.append(GapLeft(start, stop, shift))
    return sorted(found, key=lambda g: (g.start, g.end))
