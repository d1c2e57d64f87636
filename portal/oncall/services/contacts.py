"""A contact deleted from the directory (portal.directory.services.delete_contact): from that
moment every shift or override it held is a gap (`unassigned`), everywhere the stored
intervals are read (the look-up, the page and its calendar, the PDF, the feeds, the gap
alerts); before it, the intervals and the history keep who it was.

The engine does the cutting (engine.resolve reads `Contact.removed_at`); here, in the
deletion's transaction, each affected shift's base assignment is revoked from that moment
(so nobody reads as assigned to it), its intervals are recomputed, and a ScheduleEvent
records it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from portal.oncall.models import Assignment, Shift
from portal.oncall.services.base import (
    Actor,
    _assignment_state,
    _bump,
    _contact_state,
    _event,
    _revoke,
    who_is_on_call,
)
from portal.oncall.services.engine import refresh_intervals
from portal.webhooks import events as webhooks


def _who(shift: Shift) -> list[dict]:
    from portal.oncall.services.actions import _who_state

    return _who_state(shift)


def contact_removed(contact, at: dt.datetime, actor: Actor) -> list[Shift]:
    """Turn what `contact` held from `at` on into gaps; returns the shifts affected."""
    held = Assignment.objects.filter(contact=contact, revoked_at=None, end__gt=at)
    shifts = (
        Shift.objects.select_for_update()
        .filter(Q(pk__in=held.values("shift_id")), removed_at=None, end__gt=at)
        .select_related("schedule__account")
        .order_by("start", "id")
    )
    affected = []
    for shift in shifts:
        before = _who(shift)
        told_before = who_is_on_call(shift)
        bases = [
            a for a in held.filter(shift=shift, kind=Assignment.BASE).select_related("contact")
        ]
        for a in bases:
            _revoke(a, actor, at, effective=at)
        _bump(shift)
        refresh_intervals(shift)
        if shift.schedule.removed_at is None:
            affected.append(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "contact_removed",
            {
                "contact": _contact_state(contact),
                "assignments": [_assignment_state(a) for a in bases],
                "on_call": before,
            },
            {"contact": None, "removed_at": at.isoformat(), "on_call": _who(shift)},
        )
        if shift.schedule.removed_at is None:
            webhooks.oncall_changed(
                shift,
                start=max(at, shift.start),
                end=shift.end,
                before=told_before,
                after=who_is_on_call(shift),
                actor=actor,
                action="contact_removed",
                at=at,
            )
    return affected


def contact_restored(contact, removed_at: dt.datetime, actor: Actor) -> None:
    """Back in the directory: the overrides it held stay lost from its deletion on (revoked
    from that moment, as its base assignments were then)."""
    for o in Assignment.objects.filter(
        contact=contact, kind=Assignment.OVERRIDE, revoked_at=None, end__gt=removed_at
    ).select_related("shift__schedule"):
        _revoke(o, actor, effective=removed_at)
        _bump(o.shift)
        refresh_intervals(o.shift)


def _on_removed(sender, contact, at, user=None, actor_name="", **kwargs):
    contact_removed(contact, at, Actor(user=user, name=actor_name))


def _on_restored(sender, contact, removed_at, **kwargs):
    contact_restored(contact, removed_at, Actor(name="system"))


def connect() -> None:
    """Called once by the app's ready()."""
    from portal.directory.services import contact_removed as removed
    from portal.directory.services import contact_restored as restored

    removed.connect(_on_removed, dispatch_uid="oncall.contact_removed")
    restored.connect(_on_restored, dispatch_uid="oncall.contact_restored")
