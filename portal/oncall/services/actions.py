"""Client actions on who is on call: assign, unassign, override, swap, comment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.directory.models import Contact
from portal.oncall.models import (
    Assignment,
    OnCallInterval,
    Shift,
    ShiftComment,
)
from portal.oncall.services.base import (
    END_AFTER_SHIFT,
    END_BEFORE_START,
    START_BEFORE_SHIFT,
    Actor,
    OnCallError,
    _actor,
    _assignment_state,
    _aware,
    _bump,
    _check_contact,
    _event,
    _iso,
    _lock,
    _now,
    _revoke,
    active_base,
)
from portal.oncall.services.engine import refresh_intervals
from portal.oncall.services.structure import series


def _grant(
    shift: Shift,
    kind: str,
    *,
    contact: Contact | None,
    contact_name: str,
    start: dt.datetime,
    end: dt.datetime,
    comment: str,
    actor: Actor,
    when: dt.datetime | None = None,
) -> Assignment:
    """A new assignment (base or override), stamped with who made it and when."""
    return Assignment.objects.create(
        shift=shift,
        kind=kind,
        contact=contact,
        contact_name=contact_name,
        start=start,
        end=end,
        comment=comment,
        created_at=when or _now(),
        created_by=actor.user,
        created_by_name=actor.label[:200],
    )


def _assign_one(shift: Shift, contact: Contact, actor: Actor, comment: str, action: str) -> bool:
    current = active_base(shift)
    if current is not None and current.contact_id == contact.pk and not comment:
        return False
    now = _now()
    if current is not None:
        _revoke(current, actor, now)
    new = _grant(
        shift,
        Assignment.BASE,
        contact=contact,
        contact_name=contact.name,
        start=shift.start,
        end=shift.end,
        comment=comment,
        actor=actor,
        when=now,
    )
    _bump(shift)
    refresh_intervals(shift)
    _event(
        shift.schedule,
        shift,
        actor,
        action,
        {"assignment": _assignment_state(current)},
        {"assignment": _assignment_state(new)},
    )
    return True


def assign(
    shift: Shift,
    contact: Contact,
    *,
    actor: Actor,
    comment: str = "",
    recurring_until: dt.date | None = None,
    expected_version: int | None = None,
) -> list[Shift]:
    """Make `contact` the shift's person (and, with `recurring_until`, of every later shift of
    the same series up to that date). Returns the shifts whose person changed."""
    actor = _actor(actor)
    comment = (comment or "").strip()
    with transaction.atomic():
        shift = _lock(shift, expected_version)
        _check_contact(shift, contact)
        if (
            recurring_until is not None
            and recurring_until < shift.start.astimezone(shift.schedule.account.tz).date()
        ):
            raise OnCallError(
                _("The last date of a recurring assignment cannot be before the shift."),
                field="recurring_until",
            )
        changed = []
        if _assign_one(shift, contact, actor, comment, "assign"):
            changed.append(shift)
        if recurring_until is not None:
            for other in series(shift, recurring_until):
                other = _lock(other)
                if _assign_one(other, contact, actor, comment, "assign_recurring"):
                    changed.append(other)
        return changed


def unassign(shift: Shift, *, actor: Actor, expected_version: int | None = None) -> None:
    """Revoke the base assignment: the shift is empty again (its overrides stay)."""
    actor = _actor(actor)
    with transaction.atomic():
        shift = _lock(shift, expected_version)
        current = active_base(shift)
        if current is None:
            raise OnCallError(_("Nobody is assigned to this shift."))
        _revoke(current, actor)
        _bump(shift)
        refresh_intervals(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "unassign",
            {"assignment": _assignment_state(current)},
            {"assignment": None},
        )


def check_override_times(shift: Shift, start: dt.datetime, end: dt.datetime) -> None:
    """The seed's rule: an override lies inside its shift."""
    if start < shift.start:
        raise OnCallError(START_BEFORE_SHIFT, field="start")
    if end > shift.end:
        raise OnCallError(END_AFTER_SHIFT, field="end")
    if end <= start:
        raise OnCallError(END_BEFORE_START, field="end")


def override(
    shift: Shift,
    contact: Contact,
    start: dt.datetime,
    end: dt.datetime,
    *,
    actor: Actor,
    comment: str = "",
    expected_version: int | None = None,
) -> Assignment:
    """`contact` covers the shift from `start` to `end` (inside the shift), on top of whoever
    was on call; the newest override wins where overrides overlap."""
    actor = _actor(actor)
    start, end = _aware(start, "start"), _aware(end, "end")
    with transaction.atomic():
        shift = _lock(shift, expected_version)
        _check_contact(shift, contact)
        check_override_times(shift, start, end)
        before = _who_state(shift)
        new = _grant(
            shift,
            Assignment.OVERRIDE,
            contact=contact,
            contact_name=contact.name,
            start=start,
            end=end,
            comment=(comment or "").strip(),
            actor=actor,
        )
        _bump(shift)
        refresh_intervals(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "override",
            {"on_call": before},
            {"override": _assignment_state(new), "on_call": _who_state(shift)},
        )
        return new


def unassign_override(
    override: Assignment, *, actor: Actor, expected_version: int | None = None
) -> None:
    """Revoke an override: whoever it replaced is on call again for that time."""
    actor = _actor(actor)
    with transaction.atomic():
        shift = _lock(override.shift, expected_version)
        o = Assignment.objects.select_for_update().get(pk=override.pk)
        if o.kind != Assignment.OVERRIDE or o.shift_id != shift.pk:
            raise OnCallError(_("This is not an override of this shift."))
        if o.revoked_at is not None:
            raise OnCallError(_("This override was already removed."))
        before = _who_state(shift)
        _revoke(o, actor)
        _bump(shift)
        refresh_intervals(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "unassign_override",
            {"override": _assignment_state(o), "on_call": before},
            {"on_call": _who_state(shift)},
        )


def swap(
    shift_a: Shift,
    shift_b: Shift,
    *,
    actor: Actor,
    expected_versions: tuple[int | None, int | None] | None = None,
) -> None:
    """Exchange the people (base assignments) of two shifts of one account."""
    actor = _actor(actor)
    if shift_a.pk == shift_b.pk:
        raise OnCallError(_("Choose two different shifts to swap."), field="shifts")
    va, vb = expected_versions or (None, None)
    with transaction.atomic():
        # Lock in a fixed order so that two swaps of the same pair cannot deadlock.
        first, second = sorted([(shift_a, va), (shift_b, vb)], key=lambda p: p[0].pk)
        locked = {s.pk: _lock(s, v) for s, v in (first, second)}
        a, b = locked[shift_a.pk], locked[shift_b.pk]
        if a.schedule.account_id != b.schedule.account_id:
            raise OnCallError(_("Both shifts must belong to this account."), field="shifts")
        base_a, base_b = active_base(a), active_base(b)
        if base_a is None and base_b is None:
            raise OnCallError(_("Neither shift has anyone assigned: there is nothing to swap."))
        now = _now()
        for shift, old, incoming in ((a, base_a, base_b), (b, base_b, base_a)):
            if old is not None:
                _revoke(old, actor, now)
            new = None
            if incoming is not None:
                new = _grant(
                    shift,
                    Assignment.BASE,
                    contact=incoming.contact,
                    contact_name=incoming.contact_name,
                    start=shift.start,
                    end=shift.end,
                    comment=incoming.comment,
                    actor=actor,
                    when=now,
                )
            _bump(shift)
            refresh_intervals(shift)
            other = b if shift is a else a
            _event(
                shift.schedule,
                shift,
                actor,
                "swap",
                {"assignment": _assignment_state(old)},
                {"assignment": _assignment_state(new), "swapped_with": other.external_id},
            )


def comment(shift: Shift, text: str, *, actor: Actor) -> ShiftComment:
    """A note on a shift. It never changes who is on call (the dispatch reads assignments)."""
    actor = _actor(actor)
    text = (text or "").strip()
    if not text:
        raise OnCallError(_("Write a comment first."), field="comment")
    with transaction.atomic():
        shift = _lock(shift)
        note = ShiftComment.objects.create(
            shift=shift, text=text, at=_now(), author=actor.user, author_name=actor.label[:200]
        )
        _event(shift.schedule, shift, actor, "comment", {}, {"comment": text})
        return note


def _who_state(shift: Shift) -> list[dict]:
    return [
        {
            "start": _iso(i.start),
            "end": _iso(i.end),
            "source": i.source,
            "contact": i.contact.name if i.contact else None,
        }
        for i in OnCallInterval.objects.filter(shift=shift)
        .select_related("contact")
        .order_by("start")
    ]
