"""Who is on call next: read from the stored intervals (the same rows as the look-up), no
second engine. "Next" is the first moment after the current person's time at which someone
else (or nobody: a gap, a shift without a person, time no shift covers) is on call in the same
role and rank of the same schedule."""

from __future__ import annotations

import datetime as dt

from portal.directory.models import Contact
from portal.oncall.models import OnCallInterval, Schedule
from portal.oncall.services.lookup import contact_json

# How far ahead "next" is looked for; a person on call for longer has no "next" shown.
HORIZON = dt.timedelta(days=62)
_CONTACT = ("name", "phone1", "phone2", "phone3", "sms", "email")


def _person(external_id, values) -> dict | None:
    """contact_json's answer from the row's values (None: nobody)."""
    if external_id is None:
        return None
    name, p1, p2, p3, sms, email = values
    return contact_json(
        Contact(
            external_id=external_id,
            name=name,
            phone1=p1 or "",
            phone2=p2 or "",
            phone3=p3 or "",
            sms=sms or "",
            email=email or "",
        )
    )


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
    # Plain rows, not models, in small batches that grow: "next" is nearly always among the
    # first few pieces, and the On Call page asks once per role on call now.
    pieces = pieces.order_by("start", "shift__rank", "id").values_list(
        "start", "end", "contact__external_id", *(f"contact__{f}" for f in _CONTACT)
    )
    cursor = after
    offset, size = 0, 8
    while True:
        batch = list(pieces[offset : offset + size])
        offset += len(batch)
        for p_start, p_end, who, *person in batch:
            if p_end <= cursor:
                continue
            if p_start > cursor and current is not None:
                return {"from": cursor, "contact": None}  # no shift at all: a gap
            if who != current:
                return {"from": max(cursor, p_start), "contact": _person(who, person)}
            cursor = p_end
        if len(batch) < size:
            break
        size *= 4
    if current is not None and cursor < after + HORIZON:
        return {"from": cursor, "contact": None}  # after the last shift: nobody
    return None
