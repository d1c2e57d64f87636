"""iCal feeds of who is on call, behind secret links the client can rotate.

One feed per schedule (every shift, with whoever is on call, overrides applied) and one per
contact (each stretch of time that contact is on call). Event UIDs are stable (one per shift,
or per shift, contact and stretch) and SEQUENCE follows the shift's version, so calendar
programs update events in place; shifts removed by the staff, and in a contact's feed the shifts or stretches
that contact lost, are published as CANCELLED (for LOST_KEPT after their end).
"""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from portal.oncall.models import Assignment, CalendarFeed, OnCallInterval, Shift
from portal.text import multi_line, single_line

PAST = dt.timedelta(days=60)
FUTURE = dt.timedelta(days=400)


def rotate(account, *, schedule=None, contact=None) -> CalendarFeed:
    """A new secret link for the schedule or contact; the previous one stops working."""
    with transaction.atomic():
        CalendarFeed.objects.filter(
            account=account, schedule=schedule, contact=contact, revoked_at=None
        ).update(revoked_at=timezone.now())
        return CalendarFeed.objects.create(
            account=account, schedule=schedule, contact=contact, token=secrets.token_urlsafe(32)
        )


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Answering service portal//On call//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", single_line(name))  # names stored before the check may hold \n
    return cal


def _who(pieces) -> str:
    names = []
    for p in pieces:
        label = p.contact.name if p.contact else "—"
        if label not in names:
            names.append(label)
    return ", ".join(names)


def _event(uid, start, end, summary, description, sequence, cancelled=False) -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", timezone.now())
    ev.add("dtstart", start)
    ev.add("dtend", end)
    ev.add("summary", single_line(summary))
    ev.add("description", multi_line(description))
    ev.add("sequence", sequence)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return ev


def _pieces_text(pieces, tz) -> str:
    return "\n".join(
        f"{p.start.astimezone(tz):%Y-%m-%d %H:%M} – {p.end.astimezone(tz):%Y-%m-%d %H:%M}: "
        f"{p.contact.name if p.contact else 'unassigned'}"
        + (" (override)" if p.source == OnCallInterval.OVERRIDE else "")
        for p in pieces
    )


def _runs(pieces: list) -> list[list]:
    """Pieces in time order, grouped where each one starts as the one before ends."""
    runs: list[list] = []
    for p in pieces:
        if runs and runs[-1][-1].end == p.start:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _contact_runs(shift, contact, pieces) -> list[tuple[str, list]]:
    """One event per stretch of time the contact is on call in the shift (with two overrides
    in it, the time between them is someone else's), with its UID: the first stretch keeps
    the shift's; later ones are named by their start."""
    out = []
    for n, run in enumerate(_runs(pieces)):
        suffix = "" if n == 0 else f"-{run[0].start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
        out.append((f"shift-{shift.pk}-contact-{contact.pk}{suffix}@oncall", run))
    return out


def build(feed: CalendarFeed, now: dt.datetime | None = None) -> bytes:
    now = now or timezone.now()
    account = feed.account
    tz = account.tz
    window = {"end__gt": now - PAST, "start__lt": now + FUTURE}
    if feed.schedule_id:
        schedule = feed.schedule
        cal = _calendar(f"{account.label} — {schedule.name}")
        shifts = (
            Shift.objects.filter(schedule=schedule, **window)
            .exclude(removed_at__isnull=False, removed_at__lt=now - PAST)
            .prefetch_related("intervals__contact")
            .order_by("start")
        )
        for s in shifts:
            pieces = list(s.intervals.all())
            who = _who(pieces) if pieces else "—"
            cal.add_component(
                _event(
                    f"shift-{s.pk}@oncall",
                    s.start,
                    s.end,
                    f"{s.name} {s.role} ({s.rank}): {who}",
                    _pieces_text(pieces, tz),
                    s.version,
                    cancelled=s.removed_at is not None or schedule.removed_at is not None,
                )
            )
        return cal.to_ical()
    contact = feed.contact
    cal = _calendar(f"{account.label} — {contact.name}")
    by_shift: dict[int, list] = {}
    for p in (
        OnCallInterval.objects.filter(account=account, contact=contact, **window)
        .select_related("shift", "schedule", "contact")
        .order_by("start")
    ):
        by_shift.setdefault(p.shift_id, []).append(p)
    for pieces in by_shift.values():
        s = pieces[0].shift
        for uid, run in _contact_runs(s, contact, pieces):
            cal.add_component(
                _event(
                    uid,
                    run[0].start,
                    run[-1].end,
                    f"{pieces[0].schedule.name}: {s.name} {s.role} ({s.rank})",
                    _pieces_text(run, tz),
                    2 * s.version,
                )
            )
    # Shifts this contact lost (unassigned, overridden for a whole stretch, swapped away, the
    # shift or its schedule removed): each stretch once published and no longer there comes
    # as CANCELLED under the UID it had, for LOST_KEPT after the shift's end. SEQUENCE in a
    # contact's feed is twice the shift's version, plus one when cancelled: a cancellation is
    # above what was published even when no version was bumped (the contact removed), and a
    # stretch given back (a bumped version) is above its cancellation.
    for s, uid, start, end in lost_stretches(account, contact, now, keep=by_shift):
        cal.add_component(
            _event(
                uid,
                start,
                end,
                f"{s.schedule.name}: {s.name} {s.role} ({s.rank})",
                "",
                2 * s.version + 1,
                cancelled=True,
            )
        )
    return cal.to_ical()


# --- Lost shifts -------------------------------------------------------------------------

LOST_KEPT = dt.timedelta(days=30)  # how long after its end a lost shift stays, cancelled


def _stretches(shift, active: list, contact_id: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """The contact's stretches of the shift when `active` (oldest first) were its
    assignments: the newest override covering a moment, else the newest base."""
    layers = [
        (a.kind == Assignment.OVERRIDE, n, max(a.start, shift.start), min(a.end, shift.end), a)
        for n, a in enumerate(active)
    ]
    layers = [layer for layer in layers if layer[2] < layer[3]]
    points = sorted({shift.start, shift.end} | {x for layer in layers for x in layer[2:4]})
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for s, e in zip(points, points[1:], strict=False):
        covering = [layer for layer in layers if layer[2] <= s and e <= layer[3]]
        winner = max(covering, key=lambda layer: layer[:2])[4] if covering else None
        if winner is None or winner.contact_id != contact_id:
            continue
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _published(shift, contact) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Every UID the contact's feed gave this shift, in each state its assignments went
    through (each made or revoked moment), with the times it had last."""
    assignments = sorted(shift.assignments.all(), key=lambda a: (a.created_at, a.pk))
    moments = sorted(
        {a.created_at for a in assignments} | {a.revoked_at for a in assignments if a.revoked_at}
    )
    out: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    for t in moments:
        active = [
            a
            for a in assignments
            if a.created_at <= t and (a.revoked_at is None or a.revoked_at > t)
        ]
        for n, (start, end) in enumerate(_stretches(shift, active, contact.pk)):
            suffix = "" if n == 0 else f"-{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
            out[f"shift-{shift.pk}-contact-{contact.pk}{suffix}@oncall"] = (start, end)
    return out


def lost_stretches(account, contact, now: dt.datetime, keep=None):
    """(shift, uid, start, end) of each stretch the contact's feed published and lost:
    `keep` maps the shifts' ids to the contact's current pieces (whose UIDs stay)."""
    keep = keep or {}
    shifts = (
        Shift.objects.filter(
            schedule__account=account, assignments__contact=contact, start__lt=now + FUTURE
        )
        .filter(
            Q(end__gt=now - LOST_KEPT)
            | Q(removed_at__gte=now - PAST)
            | Q(schedule__removed_at__gte=now - PAST)
        )
        .select_related("schedule")
        .prefetch_related("assignments")
        .distinct()
        .order_by("start", "pk")
    )
    for s in shifts:
        current = {uid for uid, _run in _contact_runs(s, contact, keep.get(s.pk, []))}
        for uid, (start, end) in _published(s, contact).items():
            if uid not in current:
                yield s, uid, start, end
