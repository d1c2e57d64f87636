"""iCal feeds of who is on call, behind secret links the client can rotate.

One feed per schedule (every shift, with whoever is on call, overrides applied) and one per
contact (each stretch of time that contact is on call). Event UIDs are stable (one per shift,
or per shift, contact and stretch) and SEQUENCE follows the shift's version, so calendar programs update
events in place; shifts removed by the staff are published as CANCELLED.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from portal.oncall import services
from portal.oncall.models import CalendarFeed, OnCallInterval, Shift

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
    cal.add("x-wr-calname", name)
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
    ev.add("summary", summary)
    ev.add("description", description)
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
                    s.version,
                )
            )
    # Removed shifts this contact was on: cancelled, so calendars drop them; each stretch
    # under the UID it was published with (worked out again from the shift's assignments,
    # as its stored intervals went with it).
    removed = (
        Shift.objects.filter(
            schedule__account=account,
            removed_at__gte=now - PAST,
            assignments__contact=contact,
            assignments__revoked_at=None,
        )
        .exclude(pk__in=by_shift.keys())
        .distinct()
    )
    for s in removed:
        pieces = [
            p
            for p in services.resolve(
                s.start, s.end, services.active_base(s), services.active_overrides(s)
            )
            if p.contact_id == contact.pk
        ]
        for uid, run in _contact_runs(s, contact, pieces) or [
            (f"shift-{s.pk}-contact-{contact.pk}@oncall", [s])
        ]:
            cal.add_component(
                _event(
                    uid,
                    run[0].start,
                    run[-1].end,
                    f"{s.name} {s.role} ({s.rank})",
                    "",
                    s.version,
                    cancelled=True,
                )
            )
    return cal.to_ical()
