"""Who acts, the refusals, and the small helpers every change uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.clock import clock_at, set_clock  # noqa: F401  (re-exported for tests)
from portal.directory.models import Contact
from portal.oncall.models import (
    Assignment,
    OnCallInterval,
    Schedule,
    ScheduleEvent,
    Shift,
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


# --- The clock -------------------------------------------------------------------------
# Every service reads "now" here; tests move it for real with `clock_at` (portal.clock).


def _now() -> dt.datetime:
    return clock.now()


# --- The past is history (contract, "Additions of 2026-12") ------------------------------
#
# Nothing a client does changes who was on call before the moment it is done: a finished
# shift refuses every change, an override cannot start before now, and assigning,
# unassigning or swapping a shift in progress takes effect from now on. Staff correcting the
# past in the back office pass `past_reason`, which the history records.

SHIFT_FINISHED = _(
    "This shift is over: who was on call then is history and can no longer be changed."
)
START_BEFORE_NOW = _("The Start time cannot occur before now.")
# An override typed to the minute (the dialog's fields, which offer "now" for a shift in
# progress) or sent a few minutes ago starts as it is saved, not in the past; earlier than
# this is refused.
START_GRACE = dt.timedelta(minutes=10)
OVERRIDE_FINISHED = _(
    "This override is over: who was on call then is history and can no longer be changed."
)
REASON_REQUIRED = _("Give the reason for correcting the past.")


def _past_reason(past_reason: str | None) -> str | None:
    """A staff correction's reason, stripped; an empty one is refused."""
    if past_reason is None:
        return None
    reason = str(past_reason).strip()
    if not reason:
        raise OnCallError(REASON_REQUIRED, field="past_reason")
    return reason[:500]


def _refuse_finished(shift: Shift, now: dt.datetime, past_reason: str | None) -> None:
    if past_reason is None and shift.end <= now:
        raise OnCallError(SHIFT_FINISHED)


def _from_now(shift: Shift, now: dt.datetime, past_reason: str | None) -> dt.datetime:
    """Where a change to the shift's person takes effect: now for a shift in progress, its
    start for a coming one (or, correcting the past, its start)."""
    if past_reason is not None:
        return shift.start
    return max(shift.start, now)


def _with_reason(state: dict, past_reason: str | None) -> dict:
    if past_reason is not None:
        state = {**(state or {}), "past_reason": past_reason}
    return state


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
    if (
        contact is None
        or contact.account_id != shift.schedule.account_id
        or contact.removed_at is not None
    ):
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


def _revoke(
    assignment: Assignment,
    actor: Actor,
    when: dt.datetime | None = None,
    *,
    effective: dt.datetime | None = None,
) -> None:
    """Unassigning never deletes: the assignment is marked revoked, with who and when.
    `effective`: the moment from which it no longer counts (before it, it still says who was
    on call: the past is history); None: it never counted (a revocation before the shift, or
    one the staff made to correct the past)."""
    assignment.revoked_at = when or _now()
    assignment.revoked_by = actor.user
    assignment.revoked_by_name = actor.label[:200]
    assignment.effective_until = effective
    assignment.save(
        update_fields=["revoked_at", "revoked_by", "revoked_by_name", "effective_until"]
    )


def counting(shift: Shift):
    """The shift's assignments that count for some time: the active ones, and the revoked ones
    before the moment their revocation took effect; oldest first."""
    return (
        shift.assignments.filter(
            models.Q(revoked_at=None) | models.Q(effective_until__gt=models.F("start"))
        )
        .select_related("contact")
        .order_by("created_at", "id")
    )


# --- Who is on call, for the webhooks --------------------------------------------------


def who_is_on_call(shift) -> list[dict]:
    """The shift's stored intervals as the webhooks' `oncall.changed` gives them (UTC
    datetimes; portal.webhooks.events.oncall_changed writes them in the account's zone): the
    services take it before a change and after it."""
    return [
        {
            "start": i.start,
            "end": i.end,
            "source": i.source,
            "contact": (
                {"id": i.contact.external_id, "name": i.contact.name} if i.contact else None
            ),
        }
        for i in OnCallInterval.objects.filter(shift=shift)
        .select_related("contact")
        .order_by("start", "id")
    ]
