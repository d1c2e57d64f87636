"""Who is on call next: read from the stored intervals (the same rows as the look-up), no
second engine. "Next" is the first moment after the current person's time at which someone
else (or nobody: a gap, a shift without a person, time no shift covers) is on call in the same
role and rank of the same schedule."""

from __future__ import annotations

import datetime as dt

from portal.oncall.models import OnCallInterval, Schedule
from portal.oncall.services.lookup import contact_json

# How far ahead "next" is looked for; a person on call for longer has no "next" shown.
HORIZON = dt.timedelta(days=62)
_BATCH = 50


def next_on_call(
    schedule: Schedule,
    after: dt.datetime,
    *,
    current: str | None,
    role: str | None = None,
    rank: int | None = None,
) -> dict | None:
    """The first change of person from `after` on, in `schedule` (and the shifts' `role` and
    `rank` when given): {"from": instant, "contact": contact_json(...) or None (nobody)}.
    `current` is the external id of the person on call at `after` (None: nobody). None when
    nothing changes within HORIZON (or, from nobody, when nobody is ever on call)."""
    pieces = OnCallInterval.objects.filter(
        schedule=schedule,
        schedule__removed_at=None,
        shift__removed_at=None,
        end__gt=after,
        start__lt=after + HORIZON,
    )
    if role is not None:
        pieces = pieces.filter(shift__role=role)
    if rank is not None:
        pieces = pieces.filter(shift__rank=rank)
    pieces = pieces.select_related("contact").order_by("start", "shift__rank", "id")
    cursor = after
    offset = 0
    while True:
        batch = list(pieces[offset : offset + _BATCH])
        offset += len(batch)
        for p in batch:
            if p.end <= cursor:
                continue
            if p.start > cursor and current is not None:
                return {"from": cursor, "contact": None}  # no shift at all: a gap
            who = p.contact.external_id if p.contact_id is not None else None
            if who != current:
                return {"from": max(cursor, p.start), "contact": contact_json(p.contact)}
            cursor = p.end
        if len(batch) < _BATCH:
            break
    if current is not None and cursor < after + HORIZON:
        return {"from": cursor, "contact": None}  # after the last shift: nobody
    return None
