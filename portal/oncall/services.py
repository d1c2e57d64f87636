"""On-call services: the one code path for every change to schedules, shifts and who is on call.

Views, the API, the back office, commands and the demo seeder all call these functions.
Each one runs in its own transaction, writes a `ScheduleEvent` (who, when, what, before and
after) and refreshes the stored `OnCallInterval` rows of the shifts it touched, so that "who
is on call" is always a plain indexed look-up and always agrees with the history.

Rules:
- assignments are never edited or deleted: unassigning revokes (`revoked_at`);
- an override lies inside its shift, else nothing is saved;
- where overrides overlap, the newest wins; an override always wins over the base assignment;
- `Shift.version` is bumped on every change to who is on call; an action that names the
  version it saw is refused with `StaleShift` when someone else changed the shift meanwhile.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account
from portal.dates import instant_in_range
from portal.directory.models import Contact
from portal.oncall.models import (
    Assignment,
    OnCallInterval,
    Schedule,
    ScheduleEvent,
    Shift,
    ShiftComment,
)

# The seed's own wording (the English manual, and its French counterpart in the catalog).
START_BEFORE_SHIFT = _("The Start time cannot occur before the original shift start time.")
END_AFTER_SHIFT = _("The End time cannot occur after the original shift end time.")
END_BEFORE_START = _("The End time must be after the Start time.")
STALE = _(
    "This shift was changed by someone else in the meantime. Nothing was saved; "
    "here is its new state."
)


# --- Who acts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in user, an API token (by name) or a command."""

    user: Any = None
    name: str = ""

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.user is not None:
            return self.user.get_username()
        return "system"

    @classmethod
    def of_request(cls, request) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, name=user.get_username() if user else "")

    @classmethod
    def of_token(cls, token) -> Actor:
        return cls(user=None, name=f"api:{token.name}")


SYSTEM = Actor(name="system")


def _actor(actor: Actor | None) -> Actor:
    return actor or SYSTEM


# --- Errors ----------------------------------------------------------------------------


class OnCallError(Exception):
    """A refused action: nothing was saved. `message` is for the person; `field` names the input."""

    def __init__(self, message, field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleShift(OnCallError):
    """The shift changed since the person looked at it; `shift` is its new state."""

    def __init__(self, shift: Shift):
        super().__init__(STALE, field="version")
        self.shift = shift


# --- Small helpers ---------------------------------------------------------------------


# Shift times are kept within the portal's years (portal.dates): a shift further out is a
# typing error, and at the ends of the calendar a time cannot even be shown in every zone.
OUT_OF_RANGE = _("Choose a time between the years 1900 and 2999.")


def _now() -> dt.datetime:
    return timezone.now()


def _iso(value: dt.datetime | None, tz=None) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz or dt.UTC).isoformat()


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise OnCallError(_("A time with its offset is required."), field=field)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise OnCallError(OUT_OF_RANGE, field=field) from None


def _contact_state(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    return {"id": contact.external_id, "name": contact.name}


def _shift_state(shift: Shift) -> dict:
    return {
        "shift_id": shift.external_id,
        "start": _iso(shift.start),
        "end": _iso(shift.end),
        "rank": shift.rank,
        "name": shift.name,
        "role": shift.role,
        "removed": shift.removed_at is not None,
    }


def _assignment_state(a: Assignment | None) -> dict | None:
    if a is None:
        return None
    return {
        "assignment": a.pk,
        "kind": a.kind,
        "contact": {"id": a.contact.external_id if a.contact else None, "name": a.contact_name},
        "start": _iso(a.start),
        "end": _iso(a.end),
        "comment": a.comment,
    }


def _event(schedule: Schedule, shift: Shift | None, actor: Actor, action: str, before, after):
    return ScheduleEvent.objects.create(
        schedule=schedule,
        shift=shift,
        at=_now(),
        actor=actor.user,
        actor_name=actor.label[:200],
        action=action,
        before=before or {},
        after=after or {},
    )


def _lock(shift: Shift, expected_version: int | None = None) -> Shift:
    """The shift, re-read under a row lock; StaleShift when its version moved on."""
    fresh = Shift.objects.select_for_update().select_related("schedule__account").get(pk=shift.pk)
    if fresh.removed_at is not None or fresh.schedule.removed_at is not None:
        raise OnCallError(_("This shift no longer exists."))
    if expected_version is not None and int(expected_version) != fresh.version:
        raise StaleShift(fresh)
    return fresh


def _bump(shift: Shift) -> None:
    shift.version += 1
    Shift.objects.filter(pk=shift.pk).update(version=shift.version)


def _check_contact(shift: Shift, contact: Contact) -> None:
    if contact is None or contact.account_id != shift.schedule.account_id:
        raise OnCallError(_("Choose a contact of this account's directory."), field="contact")


def active_base(shift: Shift) -> Assignment | None:
    return (
        shift.assignments.filter(kind=Assignment.BASE, revoked_at=None)
        .select_related("contact")
        .order_by("-created_at", "-id")
        .first()
    )


def active_overrides(shift: Shift) -> list[Assignment]:
    return list(
        shift.assignments.filter(kind=Assignment.OVERRIDE, revoked_at=None)
        .select_related("contact")
        .order_by("created_at", "id")
    )


# --- Resolution: the stored "who is on call" --------------------------------------------


@dataclass(frozen=True)
class Piece:
    start: dt.datetime
    end: dt.datetime
    source: str
    contact_id: int | None
    assignment_id: int | None


def resolve(
    shift_start: dt.datetime,
    shift_end: dt.datetime,
    base: Assignment | None,
    overrides: list[Assignment],
) -> list[Piece]:
    """Cut the shift into pieces: newest override covering a moment, else the base, else nobody.

    `overrides` is in creation order (oldest first). Adjacent pieces with the same person and
    source are merged.
    """
    cuts = {shift_start, shift_end}
    clipped = []
    for o in overrides:
        s, e = max(o.start, shift_start), min(o.end, shift_end)
        if s < e:
            clipped.append((s, e, o))
            cuts.update((s, e))
    points = sorted(cuts)
    pieces: list[Piece] = []
    for s, e in zip(points, points[1:], strict=False):
        winner = None
        for os_, oe, o in reversed(clipped):
            if os_ <= s and e <= oe:
                winner = o
                break
        if winner is not None:
            piece = Piece(s, e, OnCallInterval.OVERRIDE, winner.contact_id, winner.pk)
        elif base is not None:
            piece = Piece(s, e, OnCallInterval.ASSIGNMENT, base.contact_id, base.pk)
        else:
            piece = Piece(s, e, OnCallInterval.UNASSIGNED, None, None)
        last = pieces[-1] if pieces else None
        if (
            last is not None
            and last.end == piece.start
            and (last.source, last.contact_id, last.assignment_id)
            == (piece.source, piece.contact_id, piece.assignment_id)
        ):
            pieces[-1] = Piece(
                last.start, piece.end, last.source, last.contact_id, last.assignment_id
            )
        else:
            pieces.append(piece)
    return pieces


def refresh_intervals(shift: Shift) -> list[OnCallInterval]:
    """Rewrite the stored intervals of one shift (derived data, not history). In a transaction."""
    OnCallInterval.objects.filter(shift=shift).delete()
    schedule = shift.schedule
    if shift.removed_at is not None or schedule.removed_at is not None:
        return []
    pieces = resolve(shift.start, shift.end, active_base(shift), active_overrides(shift))
    rows = [
        OnCallInterval(
            account_id=schedule.account_id,
            schedule=schedule,
            shift=shift,
            start=p.start,
            end=p.end,
            source=p.source,
            contact_id=p.contact_id,
            assignment_id=p.assignment_id,
        )
        for p in pieces
    ]
    return OnCallInterval.objects.bulk_create(rows)


# --- Provisioning: schedules and shifts (staff and the provisioning API only) ------------


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
) -> tuple[Shift, str]:
    """Create or update a shift. Its assignments keep only what fits its new times."""
    actor = _actor(actor)
    shift_id = str(shift_id).strip()
    if not shift_id:
        raise OnCallError(_("A shift id is required."), field="shift_id")
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
            _event(schedule, shift, actor, "shift_created", {}, _shift_state(shift))
            refresh_intervals(shift)
            return shift, "created"
        changed = [f for f, v in values.items() if getattr(shift, f) != v]
        if not changed and shift.removed_at is None:
            return shift, "unchanged"
        before = _shift_state(shift)
        moved = "start" in changed or "end" in changed
        if moved:
            before["overrides"] = [_assignment_state(a) for a in active_overrides(shift)]
        for f, v in values.items():
            setattr(shift, f, v)
        shift.removed_at = None
        shift.version += 1
        shift.save()
        after = _shift_state(shift)
        if moved:
            _fit_assignments(shift, actor)
            after["overrides"] = [_assignment_state(a) for a in active_overrides(shift)]
        _event(schedule, shift, actor, "shift_updated", before, after)
        refresh_intervals(shift)
        return shift, "updated"


def _fit_assignments(shift: Shift, actor: Actor) -> None:
    """After a shift's times change, its assignments keep only what still fits inside it: the
    base follows the shift; an override is cut to the shift, or revoked when nothing of it
    is left. Cut in place, so that overrides keep their order (the newest wins); the shift's
    event records them before and after."""
    for a in shift.assignments.filter(revoked_at=None):
        if a.kind == Assignment.BASE:
            start, end = shift.start, shift.end
        else:
            start, end = max(a.start, shift.start), min(a.end, shift.end)
            if start >= end:
                _revoke(a, actor)
                continue
        if (start, end) != (a.start, a.end):
            a.start, a.end = start, end
            a.save(update_fields=["start", "end"])


def delete_shift(shift: Shift, actor: Actor | None = None) -> None:
    """Remove a shift from use (published as cancelled in the iCal feeds); history is kept."""
    actor = _actor(actor)
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("schedule").get(pk=shift.pk)
        if shift.removed_at is not None:
            return
        before = _shift_state(shift)
        shift.removed_at = _now()
        shift.version += 1
        shift.save(update_fields=["removed_at", "version"])
        refresh_intervals(shift)
        _event(shift.schedule, shift, actor, "shift_deleted", before, _shift_state(shift))


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


def _revoke(assignment: Assignment, actor: Actor, when: dt.datetime | None = None) -> None:
    """Unassigning never deletes: the assignment is marked revoked, with who and when."""
    assignment.revoked_at = when or _now()
    assignment.revoked_by = actor.user
    assignment.revoked_by_name = actor.label[:200]
    assignment.save(update_fields=["revoked_at", "revoked_by", "revoked_by_name"])


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


# --- Reading who is on call ------------------------------------------------------------


def contact_json(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    return {
        "id": contact.external_id,
        "name": contact.name,
        "phones": contact.phones,
        "sms": contact.sms or None,
        "email": contact.email or None,
    }


def _db_datetime(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite keeps naive UTC text
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _on_call_sql(by: str, role: str | None, schedule_id: str | None) -> str:
    """The look-up's one query; `by` is the account's column it selects on ("id" or
    "number": by number, the API needs no separate query for the account)."""
    i, a, sc, sh, c = (
        OnCallInterval._meta.db_table,
        Account._meta.db_table,
        Schedule._meta.db_table,
        Shift._meta.db_table,
        Contact._meta.db_table,
    )
    where = [f"a.{by} = %s", "i.start <= %s", 'i."end" > %s']
    if role:
        where.append("sh.role = %s")
    if schedule_id:
        where.append("sc.external_id = %s")
    return (
        "SELECT a.timezone, sc.external_id, sc.name, sh.name, sh.external_id, sh.role, sh.rank, "
        'sh.start, sh."end", i.source, i.start, i."end", c.external_id, c.name, c.phone1, '
        f"c.phone2, c.phone3, c.sms, c.email FROM {a} a JOIN {i} i ON i.account_id = a.id "
        f"JOIN {sc} sc ON sc.id = i.schedule_id JOIN {sh} sh ON sh.id = i.shift_id "
        f"LEFT JOIN {c} c ON c.id = i.contact_id WHERE {' AND '.join(where)} "
        "ORDER BY sc.name, sc.external_id, sh.role, sh.rank, sh.start, sh.id"
    )


def _on_call_rows(by: str, key, at: dt.datetime, role, schedule_id) -> list[tuple]:
    from django.db import connection

    at_db = connection.ops.adapt_datetimefield_value(at.astimezone(dt.UTC))
    params: list = [key, at_db, at_db]
    if role:
        params.append(role)
    if schedule_id:
        params.append(schedule_id)
    postgres = connection.vendor == "postgresql"
    with _prepared_cursor(connection) if postgres else connection.cursor() as cursor:
        cursor.execute(_on_call_sql(by, role, schedule_id), params)
        return cursor.fetchall()


@functools.cache
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, the statement prepared on first use (per connection)."""

        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

    return PreparedCursor


def _prepared_cursor(connection):
    """On PostgreSQL the look-up runs as a prepared statement: planning it costs about four
    times its execution, and the plan is the same every time. (Django's own cursors bind on
    the client, so each query is planned anew.) Wrapped as Django wraps its cursors, so error
    translation and query logging still apply. Behind PgBouncer this needs its
    max_prepared_statements setting (1.21+), which psycopg supports."""
    connection.ensure_connection()
    cursor = _prepared_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _on_call_entries(rows: list[tuple], tz) -> list[dict]:
    entries = []
    for (
        _tz, sched_id, sched_name, shift_name, shift_id, shift_role, rank, s_start, s_end,
        source, i_start, i_end, c_id, c_name, p1, p2, p3, sms, email,
    ) in rows:  # fmt: skip
        entries.append(
            {
                "schedule": sched_id,
                "schedule_name": sched_name,
                "shift": shift_name,
                "shift_id": shift_id,
                "role": shift_role,
                "rank": rank,
                "start": _db_datetime(s_start).astimezone(tz).isoformat(),
                "end": _db_datetime(s_end).astimezone(tz).isoformat(),
                "source": source,
                "on_call_from": _db_datetime(i_start).astimezone(tz).isoformat(),
                "on_call_until": _db_datetime(i_end).astimezone(tz).isoformat(),
                "contact": None
                if c_id is None
                else {
                    "id": c_id,
                    "name": c_name,
                    "phones": [p for p in (p1, p2, p3) if p],
                    "sms": sms or None,
                    "email": email or None,
                },
            }
        )
    return entries


def on_call_at(
    account: Account,
    at: dt.datetime | None = None,
    role: str | None = None,
    schedule_id: str | None = None,
) -> list[dict]:
    """One entry per shift covering `at`, by schedule, role and rank, overrides applied and
    gaps as `unassigned` — the contract's oncall answer. Reads the stored intervals only, in
    one indexed query (this is the dispatch's hot path, hence plain SQL)."""
    rows = _on_call_rows("id", account.pk, at or _now(), role, schedule_id)
    return _on_call_entries(rows, account.tz)


def on_call_by_number(
    number: str,
    at: dt.datetime,
    role: str | None = None,
    schedule_id: str | None = None,
) -> tuple[zoneinfo.ZoneInfo, list[dict]] | None:
    """`on_call_at` for the account numbered `number`, with that account's time zone; None if
    there is no such account. One query when a shift covers `at` (the account comes with the
    intervals); a second, for the account alone, only when none does."""
    rows = _on_call_rows("number", number, at, role, schedule_id)
    if rows:
        tz = zoneinfo.ZoneInfo(rows[0][0])
    else:
        account = Account.objects.filter(number=number).only("timezone").first()
        if account is None:
            return None
        tz = account.tz
    return tz, _on_call_entries(rows, tz)


def visible_schedules(account: Account):
    return Schedule.objects.filter(account=account, removed_at=None).order_by("name", "external_id")


def shifts_between(schedule: Schedule, start: dt.datetime, end: dt.datetime):
    return Shift.objects.filter(
        schedule=schedule, removed_at=None, start__lt=end, end__gt=start
    ).order_by("start", "rank", "id")


def gaps(account: Account, start: dt.datetime, end: dt.datetime) -> list[OnCallInterval]:
    """Stored unassigned intervals overlapping [start, end), by time."""
    return list(
        OnCallInterval.objects.filter(
            account=account,
            source=OnCallInterval.UNASSIGNED,
            start__lt=end,
            end__gt=start,
            schedule__removed_at=None,
        )
        .select_related("schedule", "shift")
        .order_by("start", "shift__rank")
    )


__all__ = [
    "Actor",
    "OnCallError",
    "StaleShift",
    "upsert_schedule",
    "delete_schedule",
    "upsert_shift",
    "delete_shift",
    "copy_schedule",
    "copy_shifts",
    "assign",
    "unassign",
    "override",
    "unassign_override",
    "swap",
    "comment",
    "on_call_at",
    "on_call_by_number",
]
