"""The schedule's history in words: each ScheduleEvent's action, and what was there before
and after, as a person reads it (the events themselves keep the exact states as JSON)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.oncall.page import fmt

ACTIONS = {
    "assign": gettext_lazy("Assign"),
    "assign_recurring": gettext_lazy("Assign Recurring"),
    "unassign": gettext_lazy("UnAssign"),
    "override": gettext_lazy("Override"),
    "unassign_override": gettext_lazy("UnAssign (override)"),
    "swap": gettext_lazy("Swap Shift"),
    "comment": gettext_lazy("Comment"),
    "schedule_created": gettext_lazy("Schedule created"),
    "schedule_updated": gettext_lazy("Schedule changed"),
    "schedule_deleted": gettext_lazy("Schedule removed"),
    "shift_created": gettext_lazy("Shift created"),
    "shift_updated": gettext_lazy("Shift changed"),
    "shift_deleted": gettext_lazy("Shift removed"),
}


def _when(value: str | None, tz) -> str:
    if not value:
        return ""
    return fmt(dt.datetime.fromisoformat(value), tz)


def _span(state: dict, tz) -> str:
    return f"{_when(state.get('start'), tz)} – {_when(state.get('end'), tz)}"


def _who(state: dict | None) -> str:
    if not state:
        return _("Nobody")
    contact = state.get("contact") or {}
    return contact.get("name") or _("Nobody")


def _comment(assignment: dict | None) -> list[str]:
    """The comment typed with an assignment or override, as a line of its own."""
    text = (assignment or {}).get("comment") if isinstance(assignment, dict) else None
    return [_("Comment: %(text)s") % {"text": text}] if text else []


def describe(state: Any, tz) -> list[str]:
    """Lines of text for one side (before or after) of an event."""
    if not isinstance(state, dict) or not state:
        return []
    lines: list[str] = []
    if "assignment" in state:
        lines.append(_("Assigned: %(name)s") % {"name": _who(state["assignment"])})
        lines += _comment(state["assignment"])
    if state.get("override"):
        o = state["override"]
        lines.append(_("Override: %(name)s, %(span)s") % {"name": _who(o), "span": _span(o, tz)})
        lines += _comment(o)
    for piece in state.get("on_call") or []:
        name = piece.get("contact") or _("Nobody")
        lines.append(_("On call: %(name)s, %(span)s") % {"name": name, "span": _span(piece, tz)})
    if state.get("swapped_with"):
        lines.append(_("Swapped with shift %(id)s") % {"id": state["swapped_with"]})
    if state.get("comment"):
        lines.append(_("Comment: %(text)s") % {"text": state["comment"]})
    if "shift_id" in state:
        line = _("%(span)s, rank %(rank)s, %(name)s %(role)s") % {
            "span": _span(state, tz),
            "rank": state.get("rank"),
            "name": state.get("name", ""),
            "role": state.get("role", ""),
        }
        lines.append(line + (" — " + _("removed") if state.get("removed") else ""))
    elif "name" in state:
        lines.append(_("Schedule: %(name)s") % {"name": state["name"]})
    if state.get("past_reason"):  # the staff corrected the past (back office), and why
        lines.append(_("Past corrected: %(reason)s") % {"reason": state["past_reason"]})
    return lines


def annotate(events: list, tz) -> list:
    """Give each event `label`, `before_lines` and `after_lines` for the history page."""
    for e in events:
        e.label = ACTIONS.get(e.action, e.action)
        e.before_lines = describe(e.before, tz)
        e.after_lines = describe(e.after, tz)
    return events


def shift_label(shift, tz) -> str:
    """A shift as the history names it: "5/01 7:30 am Rotation OC (0)"."""
    return f"{fmt(shift.start, tz, with_year=True)} {shift.name} {shift.role} ({shift.rank})"


def table(events, tz):
    """The history as a spreadsheet table (portal.sheets): one row per event, its time a
    real date in the account's zone, what was before and after as lines of text."""
    from portal import sheets

    def rows():
        for e in events:
            annotate([e], tz)
            yield [
                e.at,
                e.actor_name,
                str(e.label),
                shift_label(e.shift, tz) if e.shift else "",
                "\n".join(e.before_lines),
                "\n".join(e.after_lines),
            ]

    return sheets.Table(
        columns=[
            sheets.Column(_("When"), sheets.DATETIME),
            sheets.Column(_("Who")),
            sheets.Column(_("What")),
            sheets.Column(_("Shift")),
            sheets.Column(_("Before"), wrap=True),
            sheets.Column(_("After"), wrap=True),
        ],
        rows=rows(),
        tz=tz,
    )
