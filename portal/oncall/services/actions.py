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
    OVERRIDE_FINISHED,
    START_BEFORE_NOW,
    START_BEFORE_SHIFT,
    START_GRACE,
    Actor,
    OnCallError,
    _actor,
    _assignment_state,
    _aware,
    _bump,
    _check_contact,
    _event,
    _from_now,
    _iso,
    _lock,
    _now,
    _past_reason,
    _refuse_finished,
    _revoke,
    _with_reason,
    active_base,
    counting,
    who_is_on_call,
)
from portal.oncall.services.engine import refresh_intervals
from portal.oncall.services.structure import series
from portal.webhooks import events as webhooks


def _tell(
    shift: Shift,
    action: str,
    actor: Actor,
    before: list[dict],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    """The platform's webhooks hear of it (`oncall.changed`), once the change commits."""
    webhooks.oncall_changed(
        shift,
        start=start,
        end=end,
        before=before,
        after=who_is_on_call(shift),
        actor=actor,
        action=action,
    )


def _begin(
    shift: Shift, expected_version: int | None, past_reason: str | None
) -> tuple[Shift, dt.datetime]:
    """The start of a change, inside its transaction: the shift locked (StaleShift when
    someone changed it since `expected_version`), the moment of the change, and the refusal
    of a finished shift unless staff correct the past (`past_reason`)."""
    now = _now()
    shift = _lock(shift, expected_version)
    _refuse_finished(shift, now, past_reason)
    return shift, now


def _changed(shift: Shift) -> None:
    """Who is on call changed: a new version, and the stored intervals again."""
    _bump(shift)
    refresh_intervals(shift)


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


def _end_bases(shift: Shift, actor: Actor, now: dt.datetime, past_reason: str | None) -> None:
    """The shift's base assignment stops counting where the change takes effect: from now on
    (never its past), or, correcting the past, altogether: every base that still counts for
    some time is then voided (a revoked one keeps its revocation, now without effect)."""
    if past_reason is None:
        current = active_base(shift)
        if current is not None:
            _revoke(current, actor, now, effective=_from_now(shift, now, None))
        return
    for a in counting(shift).filter(kind=Assignment.BASE):
        if a.revoked_at is None:
            _revoke(a, actor, now)
        else:
            a.effective_until = None
            a.save(update_fields=["effective_until"])


def _assign_one(
    shift: Shift,
    contact: Contact,
    actor: Actor,
    comment: str,
    action: str,
    now: dt.datetime | None = None,
    past_reason: str | None = None,
) -> bool:
    current = active_base(shift)
    if current is not None and current.contact_id == contact.pk and not comment:
        return False
    now = now or _now()
    before = who_is_on_call(shift)
    _end_bases(shift, actor, now, past_reason)
    new = _grant(
        shift,
        Assignment.BASE,
        contact=contact,
        contact_name=contact.name,
        start=_from_now(shift, now, past_reason),
        end=shift.end,
        comment=comment,
        actor=actor,
        when=now,
    )
    _changed(shift)
    _event(
        shift.schedule,
        shift,
        actor,
        action,
        {"assignment": _assignment_state(current)},
        _with_reason({"assignment": _assignment_state(new)}, past_reason),
    )
    _tell(shift, action, actor, before, new.start, shift.end)
    return True


def assign(
    shift: Shift,
    contact: Contact,
    *,
    actor: Actor,
    comment: str = "",
    recurring_until: dt.date | None = None,
    expected_version: int | None = None,
    past_reason: str | None = None,
) -> list[Shift]:
    """Make `contact` the shift's person (and, with `recurring_until`, of every later shift of
    the same series up to that date). Returns the shifts whose person changed. A finished
    shift is refused; one in progress changes from now on. `past_reason` (staff only):
    correct the past, the whole shift, with this reason in the history."""
    actor = _actor(actor)
    comment = (comment or "").strip()
    past_reason = _past_reason(past_reason)
    with transaction.atomic():
        shift, now = _begin(shift, expected_version, past_reason)
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
        if _assign_one(shift, contact, actor, comment, "assign", now, past_reason):
            changed.append(shift)
        if recurring_until is not None:
            for other in series(shift, recurring_until):
                other = _lock(other)
                if past_reason is None and other.end <= now:
                    continue  # the past is history
                if _assign_one(
                    other, contact, actor, comment, "assign_recurring", now, past_reason
                ):
                    changed.append(other)
        return changed


def unassign(
    shift: Shift,
    *,
    actor: Actor,
    expected_version: int | None = None,
    past_reason: str | None = None,
) -> None:
    """Revoke the base assignment: the shift is empty again (its overrides stay); a shift in
    progress from now on, a finished one not at all (but with the staff's `past_reason`)."""
    actor = _actor(actor)
    past_reason = _past_reason(past_reason)
    with transaction.atomic():
        shift, now = _begin(shift, expected_version, past_reason)
        current = active_base(shift)
        if current is None:
            raise OnCallError(_("Nobody is assigned to this shift."))
        before = who_is_on_call(shift)
        _end_bases(shift, actor, now, past_reason)
        _changed(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "unassign",
            {"assignment": _assignment_state(current)},
            _with_reason({"assignment": None}, past_reason),
        )
        _tell(shift, "unassign", actor, before, _from_now(shift, now, past_reason), shift.end)


def check_override_times(
    shift: Shift, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> None:
    """The seed's rule: an override lies inside its shift; and, given `now` (a client's
    override), it does not start before now: the past is history."""
    if start < shift.start:
        raise OnCallError(START_BEFORE_SHIFT, field="start")
    if end > shift.end:
        raise OnCallError(END_AFTER_SHIFT, field="end")
    if end <= start:
        raise OnCallError(END_BEFORE_START, field="end")
    if now is not None and start < now:
        raise OnCallError(START_BEFORE_NOW, field="start")


def override(
    shift: Shift,
    contact: Contact,
    start: dt.datetime,
    end: dt.datetime,
    *,
    actor: Actor,
    comment: str = "",
    expected_version: int | None = None,
    past_reason: str | None = None,
) -> Assignment:
    """`contact` covers the shift from `start` to `end` (inside the shift, not before now but
    with the staff's `past_reason`), on top of whoever was on call; the newest override wins
    where overrides overlap."""
    actor = _actor(actor)
    start, end = _aware(start, "start"), _aware(end, "end")
    past_reason = _past_reason(past_reason)
    with transaction.atomic():
        shift, now = _begin(shift, expected_version, past_reason)
        _check_contact(shift, contact)
        if past_reason is None and now - START_GRACE <= start < now:
            start = now  # "now", typed to the minute or sent a moment ago: it starts as saved
        check_override_times(shift, start, end, None if past_reason is not None else now)
        before = _who_state(shift)
        told_before = who_is_on_call(shift)
        new = _grant(
            shift,
            Assignment.OVERRIDE,
            contact=contact,
            contact_name=contact.name,
            start=start,
            end=end,
            comment=(comment or "").strip(),
            actor=actor,
            when=now,
        )
        _changed(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "override",
            {"on_call": before},
            _with_reason(
                {"override": _assignment_state(new), "on_call": _who_state(shift)}, past_reason
            ),
        )
        _tell(shift, "override", actor, told_before, new.start, new.end)
        return new


def unassign_override(
    override: Assignment,
    *,
    actor: Actor,
    expected_version: int | None = None,
    past_reason: str | None = None,
) -> None:
    """Revoke an override: whoever it replaced is on call again for that time — from now on
    (an override in progress keeps its past; a finished one is refused), or, with the staff's
    `past_reason`, for all of it."""
    actor = _actor(actor)
    past_reason = _past_reason(past_reason)
    with transaction.atomic():
        shift, now = _begin(override.shift, expected_version, past_reason)
        o = Assignment.objects.select_for_update().get(pk=override.pk)
        if o.kind != Assignment.OVERRIDE or o.shift_id != shift.pk:
            raise OnCallError(_("This is not an override of this shift."))
        if o.revoked_at is not None:
            raise OnCallError(_("This override was already removed."))
        if past_reason is None and o.end <= now:
            raise OnCallError(OVERRIDE_FINISHED)
        before = _who_state(shift)
        told_before = who_is_on_call(shift)
        _revoke(o, actor, now, effective=None if past_reason is not None else now)
        _changed(shift)
        _event(
            shift.schedule,
            shift,
            actor,
            "unassign_override",
            {"override": _assignment_state(o), "on_call": before},
            _with_reason({"on_call": _who_state(shift)}, past_reason),
        )
        start = o.start if past_reason is not None else max(o.start, now)
        _tell(shift, "unassign_override", actor, told_before, start, o.end)


def swap(
    shift_a: Shift,
    shift_b: Shift,
    *,
    actor: Actor,
    expected_versions: tuple[int | None, int | None] | None = None,
    past_reason: str | None = None,
) -> None:
    """Exchange the people (base assignments) of two shifts of one account, from now on
    (a finished shift is refused; one in progress keeps its past), or, with the staff's
    `past_reason`, for the whole of both."""
    actor = _actor(actor)
    past_reason = _past_reason(past_reason)
    if shift_a.pk == shift_b.pk:
        raise OnCallError(_("Choose two different shifts to swap."), field="shifts")
    va, vb = expected_versions or (None, None)
    with transaction.atomic():
        # Lock in a fixed order so that two swaps of the same pair cannot deadlock.
        first, second = sorted([(shift_a, va), (shift_b, vb)], key=lambda p: p[0].pk)
        locked = {s.pk: _lock(s, v) for s, v in (first, second)}
        a, b = locked[shift_a.pk], locked[shift_b.pk]
        now = _now()
        for shift in (a, b):
            _refuse_finished(shift, now, past_reason)
        if a.schedule.account_id != b.schedule.account_id:
            raise OnCallError(_("Both shifts must belong to this account."), field="shifts")
        base_a, base_b = active_base(a), active_base(b)
        if base_a is None and base_b is None:
            raise OnCallError(_("Neither shift has anyone assigned: there is nothing to swap."))
        for shift, old, incoming in ((a, base_a, base_b), (b, base_b, base_a)):
            before = who_is_on_call(shift)
            _end_bases(shift, actor, now, past_reason)
            new = None
            if incoming is not None:
                new = _grant(
                    shift,
                    Assignment.BASE,
                    contact=incoming.contact,
                    contact_name=incoming.contact_name,
                    start=_from_now(shift, now, past_reason),
                    end=shift.end,
                    comment=incoming.comment,
                    actor=actor,
                    when=now,
                )
            _changed(shift)
            other = b if shift is a else a
            _event(
                shift.schedule,
                shift,
                actor,
                "swap",
                {"assignment": _assignment_state(old)},
                _with_reason(
                    {"assignment": _assignment_state(new), "swapped_with": other.external_id},
                    past_reason,
                ),
            )
            _tell(shift, "swap", actor, before, _from_now(shift, now, past_reason), shift.end)


def comment(
    shift: Shift, text: str, *, actor: Actor, past_reason: str | None = None
) -> ShiftComment:
    """A note on a shift. It never changes who is on call (the dispatch reads assignments);
    a finished shift takes none (the contract: it refuses every change), but the staff's."""
    actor = _actor(actor)
    text = (text or "").strip()
    past_reason = _past_reason(past_reason)
    if not text:
        raise OnCallError(_("Write a comment first."), field="comment")
    with transaction.atomic():
        shift = _lock(shift)
        _refuse_finished(shift, _now(), past_reason)
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
