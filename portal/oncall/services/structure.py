"""Provisioning: schedules and shifts (staff and the provisioning API only)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account
from portal.dates import instant_in_range
from portal.oncall.models import (
    Assignment,
    OnCallInterval,
    Schedule,
    Shift,
)
from portal.oncall.services.base import (
    END_BEFORE_START,
    OUT_OF_RANGE,
    Actor,
    OnCallError,
    _actor,
    _assignment_state,
    _aware,
    _event,
    _now,
    _past_reason,
    _revoke,
    _shift_state,
    _with_reason,
    active_overrides,
)
from portal.oncall.services.engine import refresh_intervals
from portal.text import MESSAGE as CONTROL_CHARACTERS
from portal.text import has_control


def upsert_schedule(
    account: Account, schedule_id: str, name: str, actor: Actor | None = None
) -> tuple[Schedule, str]:
    actor = _actor(actor)
    schedule_id = str(schedule_id).strip()
    name = (name or "").strip()
    if not schedule_id:
        raise OnCallError(_("A schedule id is required."), field="schedule_id")
    if not name:
        raise OnCallError(_("A name is required."), field="name")
    for field, value in (("schedule_id", schedule_id), ("name", name)):
        if has_control(value):
            raise OnCallError(CONTROL_CHARACTERS, field=field)
    with transaction.atomic():
        schedule = (
            Schedule.objects.select_for_update()
            .filter(account=account, external_id=schedule_id)
            .first()
        )
        if schedule is None:
            schedule = Schedule.objects.create(account=account, external_id=schedule_id, name=name)
            _event(schedule, None, actor, "schedule_created", {}, {"name": name})
            return schedule, "created"
        if schedule.name == name and schedule.removed_at is None:
            return schedule, "unchanged"
        before = {"name": schedule.name, "removed": schedule.removed_at is not None}
        revived = schedule.removed_at is not None
        schedule.name = name
        schedule.removed_at = None
        schedule.save(update_fields=["name", "removed_at"])
        _event(schedule, None, actor, "schedule_updated", before, {"name": name, "removed": False})
        if revived:
            for shift in schedule.shifts.filter(removed_at=None):
                refresh_intervals(shift)
        return schedule, "updated"


def delete_schedule(schedule: Schedule, actor: Actor | None = None) -> None:
    """Remove a schedule and its shifts from use; their history is kept."""
    actor = _actor(actor)
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
        if schedule.removed_at is not None:
            return
        now = _now()
        schedule.removed_at = now
        schedule.save(update_fields=["removed_at"])
        OnCallInterval.objects.filter(schedule=schedule).delete()
        _event(schedule, None, actor, "schedule_deleted", {"name": schedule.name}, {})


def upsert_shift(
    schedule: Schedule,
    shift_id: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    rank: int = 0,
    name: str = "Rotation",
    role: str = "OC",
    actor: Actor | None = None,
    past_reason: str | None = None,
) -> tuple[Shift, str]:
    """Create or update a shift. Its assignments keep only what fits its new times.
    `past_reason`: the staff's reason for correcting the past, recorded in the history."""
    actor = _actor(actor)
    past_reason = _past_reason(past_reason)
    shift_id = str(shift_id).strip()
    if not shift_id:
        raise OnCallError(_("A shift id is required."), field="shift_id")
    for field, value in (("shift_id", shift_id), ("name", name), ("role", role)):
        if has_control(value):
            raise OnCallError(CONTROL_CHARACTERS, field=field)
    start, end = _aware(start, "start"), _aware(end, "end")
    for field, value in (("start", start), ("end", end)):
        if not instant_in_range(value):
            raise OnCallError(OUT_OF_RANGE, field=field)
    if end <= start:
        raise OnCallError(END_BEFORE_START, field="end")
    if int(rank) < 0:
        raise OnCallError(_("The rank cannot be negative."), field="rank")
    values = {
        "start": start,
        "end": end,
        "rank": int(rank),
        "name": name or "Rotation",
        "role": role or "OC",
    }
    with transaction.atomic():
        shift = (
            Shift.objects.select_for_update()
            .filter(schedule=schedule, external_id=shift_id)
            .select_related("schedule")
            .first()
        )
        if shift is None:
            shift = Shift.objects.create(schedule=schedule, external_id=shift_id, **values)
            after = _with_reason(_shift_state(shift), past_reason)
            _event(schedule, shift, actor, "shift_created", {}, after)
            refresh_intervals(shift)
            return shift, "created"
        changed = [f for f, v in values.items() if getattr(shift, f) != v]
        if not changed and shift.removed_at is None:
            return shift, "unchanged"
        before = _shift_state(shift)
        moved = "start" in changed or "end" in changed
        old_start = shift.start
        if moved:
            before["overrides"] = [_assignment_state(a) for a in active_overrides(shift)]
        for f, v in values.items():
            setattr(shift, f, v)
        shift.removed_at = None
        shift.version += 1
        shift.save()
        after = _shift_state(shift)
        if moved:
            _fit_assignments(shift, actor, old_start)
            after["overrides"] = [_assignment_state(a) for a in active_overrides(shift)]
        _event(schedule, shift, actor, "shift_updated", before, _with_reason(after, past_reason))
        refresh_intervals(shift)
        return shift, "updated"


def _fit_assignments(shift: Shift, actor: Actor, old_start: dt.datetime | None = None) -> None:
    """After a shift's times change, its assignments keep only what still fits inside it: the
    base follows the shift; an override is cut to the shift, or revoked when nothing of it
    is left. Cut in place, so that overrides keep their order (the newest wins); the shift's
    event records them before and after. A base that took effect during the shift (a change
    made while it was in progress) keeps its start, cut to the shift."""
    for a in shift.assignments.filter(revoked_at=None):
        if a.kind == Assignment.BASE and (old_start is None or a.start <= old_start):
            start, end = shift.start, shift.end
        elif a.kind == Assignment.BASE:
            start, end = min(max(a.start, shift.start), shift.end), shift.end
            if start >= end:
                _revoke(a, actor)
                continue
        else:
            start, end = max(a.start, shift.start), min(a.end, shift.end)
            if start >= end:
                _revoke(a, actor)
                continue
        if (start, end) != (a.start, a.end):
            a.start, a.end = start, end
            a.save(update_fields=["start", "end"])


def delete_shift(shift: Shift, actor: Actor | None = None, past_reason: str | None = None) -> None:
    """Remove a shift from use (published as cancelled in the iCal feeds); history is kept.
    `past_reason`: the staff's reason when the shift has begun (correcting the past)."""
    actor = _actor(actor)
    past_reason = _past_reason(past_reason)
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("schedule").get(pk=shift.pk)
        if shift.removed_at is not None:
            return
        before = _shift_state(shift)
        shift.removed_at = _now()
        shift.version += 1
        shift.save(update_fields=["removed_at", "version"])
        refresh_intervals(shift)
        after = _with_reason(_shift_state(shift), past_reason)
        _event(shift.schedule, shift, actor, "shift_deleted", before, after)


def add_local_days(value: dt.datetime, days: int, tz) -> dt.datetime:
    """`days` later at the same local wall time (a weekly 7:30 stays 7:30 across DST)."""
    local = value.astimezone(tz)
    naive = local.replace(tzinfo=None) + dt.timedelta(days=days)
    return naive.replace(tzinfo=tz).astimezone(dt.UTC)


def copy_shifts(
    shifts: list[Shift], *, days: int, times: int = 1, actor: Actor | None = None
) -> list[Shift]:
    """Copy shifts to later dates: `times` copies, each `days` later than the one before,
    at the same local wall time. Copies start empty (nobody assigned)."""
    if days < 1 or times < 1:
        raise OnCallError(_("Copies go to later dates: at least one day, at least once."))
    created = []
    for shift in shifts:
        tz = shift.schedule.account.tz
        for n in range(1, times + 1):
            start = add_local_days(shift.start, days * n, tz)
            end = add_local_days(shift.end, days * n, tz)
            new_id = f"{shift.external_id}+{start.astimezone(tz):%Y%m%d%H%M}"
            copy, outcome = upsert_shift(
                shift.schedule,
                new_id[:64],
                start=start,
                end=end,
                rank=shift.rank,
                name=shift.name,
                role=shift.role,
                actor=actor,
            )
            if outcome != "unchanged":
                created.append(copy)
    return created


def copy_schedule(
    schedule: Schedule,
    schedule_id: str,
    name: str,
    *,
    days: int = 0,
    actor: Actor | None = None,
) -> tuple[Schedule, list[Shift]]:
    """A new schedule of the same account with a copy of each of the schedule's shifts,
    `days` later (0: the same times) at the same local wall time; the shifts keep their ids,
    ranks, names and roles and start with nobody assigned (the seed's "Copy" of a schedule)."""
    if days < 0:
        raise OnCallError(_("Copies go to the same or later dates."), field="days")
    account = schedule.account
    schedule_id = str(schedule_id).strip()
    if Schedule.objects.filter(account=account, external_id=schedule_id).exists():
        raise OnCallError(_("This account already has a schedule with this id."), field="id")
    with transaction.atomic():
        copy, _outcome = upsert_schedule(account, schedule_id, name, actor=actor)
        tz = account.tz
        made = [
            upsert_shift(
                copy,
                shift.external_id,
                start=add_local_days(shift.start, days, tz),
                end=add_local_days(shift.end, days, tz),
                rank=shift.rank,
                name=shift.name,
                role=shift.role,
                actor=actor,
            )[0]
            for shift in schedule.shifts.filter(removed_at=None).order_by("start", "rank", "id")
        ]
    return copy, made


# --- Client actions: assign, unassign, override, swap, comment ---------------------------


def series(shift: Shift, until: dt.date) -> list[Shift]:
    """Later shifts of the same series (schedule, name, role, rank, local weekday and start
    time) whose local start date is on or before `until`."""
    tz = shift.schedule.account.tz
    local = shift.start.astimezone(tz)
    found = []
    candidates = Shift.objects.filter(
        schedule_id=shift.schedule_id,
        removed_at=None,
        name=shift.name,
        role=shift.role,
        rank=shift.rank,
        start__gt=shift.start,
    ).order_by("start", "id")
    for other in candidates:
        o = other.start.astimezone(tz)
        if o.date() > until:
            break
        if o.weekday() == local.weekday() and (o.hour, o.minute) == (local.hour, local.minute):
            found.append(other)
    return found
