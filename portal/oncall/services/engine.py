"""Resolution: the stored "who is on call" of a shift, from its assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.oncall.models import (
    Assignment,
    OnCallInterval,
    Shift,
)
from portal.oncall.services.base import active_base, active_overrides

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
