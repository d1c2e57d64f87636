"""The On Call page and its dialogs (Assign, Override, UnAssign, Swap Shift, Comment),
Save as PDF and the calendar links (the history: history_views).

Every query starts from request.account; a shift of another account is a 404. Clients
change who is on call; schedules and shifts themselves are the staff's (back office), so
there is no client view that creates, edits or deletes them.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from portal.accounts import audit
from portal.dates import (
    LocalTimeError,
    RepeatedTime,
    date_in_range,
    local_instant,
    repeated,
    which_of,
)
from portal.oncall import checks, feeds, page, services, timeline
from portal.oncall.models import Assignment, CalendarFeed, Schedule, Shift
from portal.oncall.services import Actor, OnCallError, StaleShift

# --- Finding things, always from the account --------------------------------------------


def _schedules(request):
    return list(services.visible_schedules(request.account))


def _pick_schedule(request, schedules) -> Schedule | None:
    wanted = request.GET.get("schedule") or request.POST.get("schedule")
    for s in schedules:
        if s.external_id == wanted:
            return s
    return schedules[0] if schedules else None


def _shift(request, raw) -> Shift | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    shift = (
        Shift.objects.filter(
            schedule__account=request.account,
            schedule__removed_at=None,
            removed_at=None,
            pk=pk,
        )
        .select_related("schedule__account")
        .first()
    )
    if shift is None:
        raise Http404
    return shift


def _contact(request, raw):
    try:
        return request.account.contacts.get(pk=int(raw), removed_at=None)
    except (TypeError, ValueError, request.account.contacts.model.DoesNotExist):
        return None


def _day(request) -> dt.date:
    raw = request.GET.get("date", "")
    day = _date(raw)
    return day if day is not None else timezone.now().astimezone(request.account.tz).date()


def _date(raw: str) -> dt.date | None:
    """An ISO date within the portal's years (portal.dates), else None."""
    try:
        day = dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None
    return day if date_in_range(day) else None


def _page_url(request, shift: Shift | None = None, **extra) -> str:
    params = {}
    if shift is not None:
        tz = request.account.tz
        params = {
            "schedule": shift.schedule.external_id,
            "date": shift.start.astimezone(tz).date().isoformat(),
            "shift": shift.pk,
        }
    params.update(extra)
    url = reverse("oncall", kwargs={"account_number": request.account.number})
    return f"{url}?{urlencode(params)}" + (f"#shift-{shift.pk}" if shift else "")


# --- The page --------------------------------------------------------------------------


def _context(request) -> dict:
    account = request.account
    tz = account.tz
    schedules = _schedules(request)
    schedule = _pick_schedule(request, schedules)
    view = request.GET.get("view") if request.GET.get("view") in page.VIEWS else "month"
    now = timezone.now()
    today = now.astimezone(tz).date()
    show_now = request.GET.get("now") == "1"
    day = today if show_now else _day(request)
    # The Timeline view runs over a day, a week or a month (its own choice, "span").
    span = request.GET.get("span") if request.GET.get("span") in timeline.SPANS else ""
    span = span or timeline.DEFAULT_SPAN
    first, last = page.period(span if view == "timeline" else view, day)
    start, end = page.local_midnight(first, tz), page.local_midnight(last, tz)
    rows = page.rows_for(schedule, start, end, tz, now) if schedule else []
    contacts = list(account.contacts.filter(removed_at=None).order_by("name"))
    contact = None
    if request.GET.get("contact"):
        contact = next((c for c in contacts if str(c.pk) == request.GET["contact"]), None)
    assignment = request.GET.get("assignment", "")
    role = request.GET.get("role", "")
    q = request.GET.get("q", "")
    roles = sorted({r.shift.role for r in rows})
    shown = page.filter_rows(rows, contact=contact, assignment=assignment, role=role, q=q)
    selected = request.GET.get("shift", "")
    query = {
        k: v
        for k, v in {
            "schedule": schedule.external_id if schedule else "",
            "view": view,
            "span": span if view == "timeline" else "",
            "date": day.isoformat(),
            "contact": request.GET.get("contact", ""),
            "assignment": assignment,
            "role": role,
            "q": q,
            "comments": request.GET.get("comments", ""),
            "coverage": request.GET.get("coverage", ""),
        }.items()
        if v
    }
    return {
        "schedules": schedules,
        "schedule": schedule,
        "view": view,
        "views": [
            ("day", _("Day")),
            ("week", _("Week")),
            ("month", _("Month")),
            ("list", _("List")),
            ("timeline", _("Timeline")),
        ],
        "day": day,
        "first": first,
        "last_day": last - dt.timedelta(days=1),
        "rows": shown,
        "span": span,
        "spans": [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        "timeline": timeline.build(
            shown, page.filter_rows(rows, role=role), first, last, span, tz, contact
        )
        if view == "timeline" and schedule
        else None,
        "all_count": len(rows),
        "contacts": contacts,
        "contact": contact,
        "assignment": assignment,
        "role": role,
        "roles": roles,
        "q": q,
        "show_comments": request.GET.get("comments") == "1",
        "show_coverage": request.GET.get("coverage") == "1",
        "show_now": show_now,
        "selected": selected,
        # Only the time inside the period shown (and, filtered, that person's time).
        "total_hours": page.assigned_seconds(shown, start, end, contact) / 3600,
        # Nobody on call, time without any shift included (issue 12, item 2).
        "unassigned_hours": page.unassigned_seconds(schedule, start, end) / 3600,
        "coverage_lines": page.coverage_lines(shown, rows, start, end)
        if request.GET.get("coverage") == "1"
        else [],
        "assigned_count": sum(1 for r in shown if r.status == page.FULL),
        "unassigned_count": sum(1 for r in shown if r.status != page.FULL),
        "grid": page.month_grid(schedule, day, tz, today),
        "month_start": day.replace(day=1),
        "prev_date": (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
        "next_date": (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1),
        "today": today,
        "query": query,
        "query_string": urlencode(query),
        "tz_name": account.timezone,
        "is_staff": request.user.is_staff,
        # Roles: a client user of a view-only account sees no button that changes who is on call.
        "may_change": services.may_change_oncall(getattr(request, "membership", None)),
        # Reversed once: the calendar and the table link to them many times.
        "page_url": reverse("oncall", kwargs={"account_number": account.number}),
        "comment_url": reverse("oncall_comment", kwargs={"account_number": account.number}),
    }


def oncall(request, account_number):
    context = _context(request)
    # "On call now" at the top: every schedule of the account, whatever the view shows.
    account = request.account
    context["on_call_now"] = page.on_call_now(
        account, context["schedules"], account.tz, timezone.now()
    )
    _audit_page(request, "oncall.view", context)
    return render(request, "oncall/page.html", context)


def _audit_page(request, action: str, context: dict) -> None:
    """A read of the On Call page (or its PDF): the schedule, the period and the filters."""
    schedule = context["schedule"]
    audit.read(
        request,
        action,
        account=request.account,
        object_type="oncall.schedule" if schedule else "",
        object_id=schedule.external_id if schedule else "",
        criteria=context["query"],
    )


# --- Dialogs ---------------------------------------------------------------------------


def _dialog(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A dialog: a fragment inside the page's <dialog> (JS), or a page of its own (no JS)."""
    context.setdefault("dialog_template", template)
    shift = context.get("shift")
    if request.method == "GET" and shift is not None:  # a dialog opened shows the shift
        audit.read(
            request,
            "oncall.dialog",
            account=request.account,
            obj=shift,
            dialog=template.rsplit("/", 1)[-1].removesuffix(".html"),
            schedule=shift.schedule.external_id,
            shift_id=shift.external_id,
        )
    if request.headers.get("X-Dialog") == "1":
        return render(request, template, context, status=status)
    return render(request, "oncall/dialog_page.html", context, status=status)


def _shift_context(request, shift: Shift | None) -> dict:
    tz = request.account.tz
    if shift is None:
        return {"shift": None}
    rows = page.rows_for(shift.schedule, shift.start, shift.end, tz)
    row = next((r for r in rows if r.shift.pk == shift.pk), None)
    return {
        "shift": shift,
        "row": row,
        "duration": f"{page.fmt(shift.start, tz)} - {page.fmt(shift.end, tz)}",
        "contacts": list(request.account.contacts.filter(removed_at=None).order_by("name")),
        "back": _page_url(request, shift),
    }


def _refused(request, template, context, exc: OnCallError):
    if isinstance(exc, StaleShift):
        context.update(_shift_context(request, exc.shift))
        context["stale"] = True
    context["error"] = str(exc.message)
    context["error_field"] = exc.field
    return _dialog(request, template, context, status=200)


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _done(request, shift: Shift, message: str):
    messages.success(request, message)
    url = _page_url(request, shift)
    if request.headers.get("X-Dialog") == "1":
        # fetch() would follow a redirect and use up the message; the script navigates instead.
        # No anchor: a URL differing only by its anchor would not reload the page.
        return HttpResponse(status=204, headers={"X-Location": url.split("#")[0]})
    return redirect(url)


@require_http_methods(["GET", "POST"])
def assign(request, account_number):
    if (refused := checks.view_only(request)) is not None:  # roles: a view-only client user
        return refused
    shift = _shift(request, request.GET.get("shift") or request.POST.get("shift"))
    template = "oncall/dialogs/assign.html"
    context = _shift_context(request, shift)
    if request.method == "GET" or shift is None:
        return _dialog(request, template, context)
    contact = _contact(request, request.POST.get("contact"))
    context.update(
        chosen=request.POST.get("contact", ""),
        comment=request.POST.get("comment", ""),
        until=request.POST.get("until", ""),
    )
    if contact is None:
        context.update(error=_("Choose a contact."), error_field="contact")
        return _dialog(request, template, context)
    until = None
    if "recurring" in request.POST or request.POST.get(checks.CONFIRM) == "recurring":
        until = _date(request.POST.get("until", ""))
        if until is None:
            context.update(
                error=_("Pick the last date of the recurring assignment."), error_field="until"
            )
            return _dialog(request, template, context)
    if not checks.confirmed(request):  # a person in two roles at once: ask to confirm
        found = services.assign_double_bookings(shift, contact, until)
        if found:
            value = "recurring" if until else "1"
            return checks.ask_to_confirm(request, _dialog, template, context, found, value)
    try:
        changed = services.assign(
            shift,
            contact,
            actor=Actor.of_request(request),
            comment=request.POST.get("comment", ""),
            recurring_until=until,
            expected_version=_version(request),
        )
    except OnCallError as exc:
        return _refused(request, template, context, exc)
    if until is not None:
        n = len(changed)
        msg = ngettext(
            "%(name)s is assigned to %(n)s shift.", "%(name)s is assigned to %(n)s shifts.", n
        ) % {"name": contact.name, "n": n}
    else:
        msg = _("%(name)s is assigned.") % {"name": contact.name}
    return _done(request, shift, msg)


def _parse_local(raw: str, tz, which: str = "") -> dt.datetime | None:
    """A typed wall time (datetime-local) read in `tz` by portal.dates.local_instant:
    None when it is not a time; LocalTimeError when the clocks skip it or repeat it."""
    try:
        naive = dt.datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return None
    if naive.tzinfo is not None:
        return naive if date_in_range(naive.date()) else None
    return local_instant(naive, tz, which)


def _read_time(request, context: dict, name: str, invalid, tz) -> dt.datetime | None:
    """The dialog's `name` time, or None with the error in `context`. A repeated hour (the
    autumn change) asks which one with radios `<name>_which`, kept while it stays repeated."""
    which = request.POST.get(f"{name}_which", "")
    try:
        value = _parse_local(request.POST.get(name, ""), tz, which)
    except RepeatedTime as exc:
        context[f"{name}_repeat"] = {"choices": exc.choices, "chosen": "", "legend": exc.legend}
        context.setdefault("error", exc.message)
        context.setdefault("error_field", name)
        return None
    except LocalTimeError as exc:
        context.setdefault("error", exc.message)
        context.setdefault("error_field", name)
        return None
    if value is None:
        context.setdefault("error", invalid)
        context.setdefault("error_field", name)
        return None
    _offer_which(context, name, value, tz)
    return value


def _offer_which(context: dict, name: str, value: dt.datetime, tz) -> None:
    """On a repeated wall time, the radios that say which one, checked on `value`'s."""
    chosen = which_of(value, tz)
    if chosen:
        question = repeated(value.astimezone(tz).replace(tzinfo=None), tz)
        context[f"{name}_repeat"] = {
            "choices": question.choices,
            "chosen": chosen,
            "legend": question.legend,
        }


def _local_input(value: dt.datetime, tz) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


@require_http_methods(["GET", "POST"])
def override(request, account_number):
    if (refused := checks.view_only(request)) is not None:  # roles: a view-only client user
        return refused
    shift = _shift(request, request.GET.get("shift") or request.POST.get("shift"))
    template = "oncall/dialogs/override.html"
    context = _shift_context(request, shift)
    if shift is None:
        return _dialog(request, template, context)
    tz = request.account.tz
    # The past is history: a shift in progress is overridden from now on, so the Start time
    # offered is now (services.START_GRACE keeps it valid while the dialog is open).
    offered_start = max(shift.start, services._now())
    context.update(
        start_value=_local_input(offered_start, tz),
        end_value=_local_input(shift.end, tz),
        shift_start_value=_local_input(shift.start, tz),
        shift_end_value=_local_input(shift.end, tz),
    )
    if request.method == "GET":
        _offer_which(context, "start", offered_start, tz)  # DST: a repeated hour says which
        _offer_which(context, "end", shift.end, tz)
        return _dialog(request, template, context)
    context.update(
        start_value=request.POST.get("start", ""),
        end_value=request.POST.get("end", ""),
        chosen=request.POST.get("contact", ""),
        comment=request.POST.get("comment", ""),
    )
    contact = _contact(request, request.POST.get("contact"))
    start = _read_time(request, context, "start", _("Enter a valid start time."), tz)
    end = _read_time(request, context, "end", _("Enter a valid end time."), tz)
    if "error" not in context and contact is None:
        context.update(error=_("Choose the covering contact."), error_field="contact")
    if "error" in context:
        return _dialog(request, template, context)
    if not checks.confirmed(request):  # a person in two roles at once: ask to confirm
        found = services.override_double_bookings(shift, contact, start, end)
        if found:
            return checks.ask_to_confirm(request, _dialog, template, context, found)
    try:
        services.override(
            shift,
            contact,
            start,
            end,
            actor=Actor.of_request(request),
            comment=request.POST.get("comment", ""),
            expected_version=_version(request),
        )
    except OnCallError as exc:
        return _refused(request, template, context, exc)
    return _done(
        request,
        shift,
        _("%(name)s covers %(start)s – %(end)s.")
        % {"name": contact.name, "start": page.fmt(start, tz), "end": page.fmt(end, tz)},
    )


@require_http_methods(["GET", "POST"])
def unassign(request, account_number):
    if (refused := checks.view_only(request)) is not None:  # roles: a view-only client user
        return refused
    shift = _shift(request, request.GET.get("shift") or request.POST.get("shift"))
    template = "oncall/dialogs/unassign.html"
    context = _shift_context(request, shift)
    if request.method == "GET" or shift is None:
        return _dialog(request, template, context)
    target = request.POST.get("target", "")
    actor = Actor.of_request(request)
    try:
        if target == "base":
            services.unassign(shift, actor=actor, expected_version=_version(request))
            msg = _("The shift is now unassigned.")
        else:
            o = Assignment.objects.filter(
                shift=shift, kind=Assignment.OVERRIDE, revoked_at=None, pk=int(target or 0)
            ).first()
            if o is None:
                raise OnCallError(_("This override was already removed."))
            services.unassign_override(o, actor=actor, expected_version=_version(request))
            msg = _(
                "The override of %(name)s is removed: whoever it replaced is on call again."
            ) % {"name": o.contact_name}
    except ValueError:
        raise Http404 from None
    except OnCallError as exc:
        return _refused(request, template, context, exc)
    response = _done(request, shift, msg)
    checks.flash_gaps(request, [shift])  # a gap this leaves in the next days
    return response


@require_http_methods(["GET", "POST"])
def swap(request, account_number):
    if (refused := checks.view_only(request)) is not None:  # roles: a view-only client user
        return refused
    shift = _shift(request, request.GET.get("shift") or request.POST.get("shift"))
    template = "oncall/dialogs/swap.html"
    context = _shift_context(request, shift)
    if shift is None:
        return _dialog(request, template, context)
    tz = request.account.tz
    window = dt.timedelta(weeks=12)
    now = services._now()  # the past is history: only shifts not yet finished are offered
    context["others"] = [
        r
        for r in page.rows_for(
            shift.schedule, max(shift.start - window, now), shift.end + window, tz
        )
        if r.shift.pk != shift.pk and r.shift.end > now
    ]
    if request.method == "GET":
        return _dialog(request, template, context)
    other = _shift(request, request.POST.get("other"))
    if other is None or other.schedule_id != shift.schedule_id:
        context.update(error=_("Choose the shift to swap with."), error_field="other")
        return _dialog(request, template, context)
    if not checks.confirmed(request):  # a person in two roles at once: ask to confirm
        found = services.swap_double_bookings(shift, other)
        if found:
            context["chosen_other"] = str(other.pk)
            return checks.ask_to_confirm(request, _dialog, template, context, found)
    try:
        services.swap(
            shift,
            other,
            actor=Actor.of_request(request),
            expected_versions=(_version(request), None),
        )
    except OnCallError as exc:
        return _refused(request, template, context, exc)
    response = _done(request, shift, _("The two shifts' people are swapped."))
    checks.flash_gaps(request, [shift, other])  # a gap this leaves in the next days
    return response


@require_http_methods(["GET", "POST"])
def comment(request, account_number):
    shift = _shift(request, request.GET.get("shift") or request.POST.get("shift"))
    template = "oncall/dialogs/comment.html"
    context = _shift_context(request, shift)
    if request.method == "GET" or shift is None:
        return _dialog(request, template, context)
    try:
        services.comment(shift, request.POST.get("comment", ""), actor=Actor.of_request(request))
    except OnCallError as exc:
        return _refused(request, template, context, exc)
    return _done(request, shift, _("Your comment is saved."))


# --- PDF, calendar links (the history is in history_views) -----------------------------


def pdf(request, account_number):
    from weasyprint import HTML

    context = _context(request)
    context["printed_at"] = timezone.now()
    _audit_page(request, "oncall.pdf", context)
    html = render(request, "oncall/pdf.html", context).content.decode()
    data = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    name = context["schedule"].name if context["schedule"] else "oncall"
    response = HttpResponse(data, content_type="application/pdf")
    safe = "".join(c if c.isalnum() else "-" for c in name)
    response["Content-Disposition"] = f'attachment; filename="{safe}-{context["day"]}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def calendar_links(request, account_number):
    account = request.account
    if request.method == "POST":
        kind, target = request.POST.get("kind"), request.POST.get("target", "")
        schedule = contact = None
        if kind == "schedule":
            schedule = Schedule.objects.filter(
                account=account, removed_at=None, external_id=target
            ).first()
        elif kind == "contact":
            contact = _contact(request, target)
        if schedule is None and contact is None:
            raise Http404
        feeds.rotate(account, schedule=schedule, contact=contact)
        messages.success(request, _("A new secret link is made; the old one no longer works."))
        return redirect("oncall_feeds", account_number=account.number)
    active = {
        (f.schedule_id, f.contact_id): f
        for f in CalendarFeed.objects.filter(account=account, revoked_at=None)
    }
    base = request.build_absolute_uri("/")[:-1]
    schedules = [(s, active.get((s.pk, None))) for s in services.visible_schedules(account)]
    present = account.contacts.filter(removed_at=None).order_by("name")
    contacts = [(c, active.get((None, c.pk))) for c in present]
    audit.read(request, "oncall.feeds", account=account)
    return render(
        request,
        "oncall/feeds.html",
        {"schedule_feeds": schedules, "contact_feeds": contacts, "base": base},
    )
