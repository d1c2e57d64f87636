"""Resolution: the stored "who is on call" of a shift, from its assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.oncall.models import (
    Assignment,
    OnCallInterval,
    Shift,
)
from portal.oncall.services.base import counting

# --- Resolution: the stored "who is on call" --------------------------------------------


@dataclass(frozen=True)
class Piece:
    start: dt.datetime
    end: dt.datetime
    source: str
    contact_id: int | None
    assignment_id: int | None


def _window(a: Assignment, shift_start: dt.datetime, shift_end: dt.datetime):
    """The part of the shift where `a` counts: inside the shift, and, once revoked, only
    before the moment its revocation took effect (never, when that is unset)."""
    s, e = max(a.start, shift_start), min(a.end, shift_end)
    if a.revoked_at is not None:
        if a.effective_until is None:
            return None
        e = min(e, a.effective_until)
    return (s, e) if s < e else None


def _removed_at(a: Assignment) -> dt.datetime | None:
    """When the assignment's contact was deleted from the directory (None: it was not)."""
    if a.contact_id is None:
        return None
    return a.contact.removed_at


def resolve(
    shift_start: dt.datetime,
    shift_end: dt.datetime,
    base,
    overrides: list[Assignment],
) -> list[Piece]:
    """Cut the shift into pieces: newest override covering a moment, else the newest base
    assignment covering it, else nobody. A revoked assignment still covers the time before
    its revocation took effect (`effective_until`: the past is history). Where the one who
    covers a moment has no contact, or its contact was deleted before that moment, the
    moment is a gap (`unassigned`): never an entry without a person.

    `base` is one assignment, None, or a list of them (oldest first: a shift in progress may
    have had several people); `overrides` is in creation order (oldest first). Adjacent
    pieces with the same person and source are merged.
    """
    bases = base if isinstance(base, (list, tuple)) else ([base] if base is not None else [])
    cuts = {shift_start, shift_end}
    layers: list[list[tuple]] = [[], []]  # overrides, then bases; oldest first in each
    for layer, items in ((layers[0], overrides), (layers[1], bases)):
        for a in items:
            window = _window(a, shift_start, shift_end)
            if window is None:
                continue
            removed = _removed_at(a)
            layer.append((*window, a, removed))
            cuts.update(window)
            if removed is not None and window[0] < removed < window[1]:
                cuts.add(removed)
    points = sorted(cuts)
    pieces: list[Piece] = []
    for s, e in zip(points, points[1:], strict=False):
        winner, source = None, OnCallInterval.UNASSIGNED
        for layer, kind in ((layers[0], OnCallInterval.OVERRIDE), (layers[1], None)):
            for ws, we, a, removed in reversed(layer):
                if ws <= s and e <= we:
                    winner, source = (a, removed), kind or OnCallInterval.ASSIGNMENT
                    break
            if winner is not None:
                break
        if winner is None:
            piece = Piece(s, e, OnCallInterval.UNASSIGNED, None, None)
        else:
            a, removed = winner
            if a.contact_id is None or (removed is not None and removed <= s):
                piece = Piece(s, e, OnCallInterval.UNASSIGNED, None, None)
            else:
                piece = Piece(s, e, source, a.contact_id, a.pk)
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
    everyone = list(counting(shift))
    pieces = resolve(
        shift.start,
        shift.end,
        [a for a in everyone if a.kind == Assignment.BASE],
        [a for a in everyone if a.kind == Assignment.OVERRIDE],
    )
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
