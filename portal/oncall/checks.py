"""The On Call dialogs' side of the checks (services.warnings): the double-booking warning
that asks to confirm ("Save anyway", a second submit, without JavaScript too), the message
naming a gap a change leaves in the coming days, and the view-only refusal (roles)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.oncall import page, services

CONFIRM = "confirm"  # the "Save anyway" button's name


def confirmed(request) -> bool:
    return CONFIRM in request.POST


def booking_lines(found: list[services.DoubleBooking], tz) -> list[str]:
    return [
        _(
            "%(name)s is also on call as %(other_role)s (%(schedule)s · %(shift)s) from "
            "%(start)s to %(end)s, while this shift is %(role)s."
        )
        % {
            "name": b.contact.name,
            "other_role": b.other.role,
            "schedule": b.other.schedule.name,
            "shift": b.other.name,
            "start": page.fmt(b.start, tz),
            "end": page.fmt(b.end, tz),
            "role": b.role,
        }
        for b in found
    ]


def ask_to_confirm(request, dialog, template: str, context: dict, found, confirm_value: str = "1"):
    """The dialog again, its values kept, with the warning and a "Save anyway" button."""
    context.update(
        double_bookings=booking_lines(found, request.account.tz),
        confirm_value=confirm_value,
    )
    return dialog(request, template, context)


def flash_gaps(request, shifts) -> None:
    """After saving: say so when the changed shifts leave nobody on call in the next days."""
    left = services.gaps_left(request.account, list(shifts))
    if not left:
        return
    tz = request.account.tz
    times = ", ".join(
        _("from %(start)s to %(end)s")
        % {"start": page.fmt(g.start, tz), "end": page.fmt(g.end, tz)}
        for g in left
    )
    messages.warning(
        request,
        ngettext(
            "This change leaves a gap in the next %(days)s days: nobody is on call "
            "%(times)s (%(tz)s).",
            "This change leaves gaps in the next %(days)s days: nobody is on call "
            "%(times)s (%(tz)s).",
            len(left),
        )
        % {"days": services.GAP_DAYS, "times": times, "tz": request.account.timezone},
    )


def view_only(request):
    """A client user of a view-only account: no change, a 403 that says why."""
    if services.may_change_oncall(getattr(request, "membership", None)):
        return None
    template = "oncall/dialogs/view_only.html"
    context = {"dialog_template": template}
    if request.headers.get("X-Dialog") == "1":
        return render(request, template, context, status=403)
    return render(request, "oncall/dialog_page.html", context, status=403)
