"""The schedule's history as people search it: by shift, by contact and by date.

One query for the page, its pager and its exports (CSV, Excel), so that a file holds what
the filtered page holds. Times are bounds in UTC; callers turn the account's local dates
into them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from portal.directory.models import Contact
from portal.oncall.models import Schedule, ScheduleEvent, Shift


def mentions(state: Any, contact: Contact) -> bool:
    """Whether one side (before or after) of an event names the contact: an assignment's or
    override's contact by its id (or by name, when it had none), or a piece of "on call"
    by name."""
    if isinstance(state, list):
        return any(mentions(item, contact) for item in state)
    if not isinstance(state, dict):
        return False
    who = state.get("contact")
    if isinstance(who, dict):
        if who.get("id") and who.get("id") == contact.external_id:
            return True
        if not who.get("id") and who.get("name") == contact.name:
            return True
    elif isinstance(who, str) and who == contact.name:
        return True
    return any(mentions(v, contact) for k, v in state.items() if k != "contact")


def history_events(
    schedule: Schedule,
    *,
    shift: Shift | None = None,
    contact: Contact | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[ScheduleEvent]:
    """The schedule's events, newest first, that concern `shift`, name `contact` and
    happened in [start, end)."""
    qs = schedule.events.all()
    if shift is not None:
        qs = qs.filter(shift=shift)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    if contact is not None:
        # The states are JSON (stored as text with escaped accents on SQLite): read them here.
        ids = [
            pk
            for pk, before, after in qs.values_list("pk", "before", "after").iterator()
            if mentions(before, contact) or mentions(after, contact)
        ]
        qs = schedule.events.filter(pk__in=ids)
    return qs.select_related("shift").order_by("-at", "-id")


def history_shifts(schedule: Schedule) -> list[Shift]:
    """The shifts the history can be filtered by: those with at least one event."""
    return list(
        Shift.objects.filter(schedule=schedule, events__isnull=False)
        .distinct()
        .order_by("start", "rank", "id")
    )
