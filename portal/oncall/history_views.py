"""The schedule's history: a page of its changes, filtered by shift, contact and date (the
account's local dates), paged, and exported as CSV or Excel with the same filters.

Everything starts from request.account (TenantMiddleware): a schedule, shift or contact of
another account is never found, and the exports are checked as the page is.
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import sheets
from portal.accounts import audit
from portal.dates import DateField
from portal.oncall import history as history_text
from portal.oncall import page, services

PER_PAGE = 50
FORMATS = {"csv": (sheets.CSV_TYPE, "csv"), "xlsx": (sheets.XLSX_TYPE, "xlsx")}


class HistoryFilter(forms.Form):
    shift = forms.ChoiceField(label=gettext_lazy("Shift"), required=False)
    contact = forms.ChoiceField(label=gettext_lazy("Contact"), required=False)
    start = DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, schedule, account):
        super().__init__(data)
        tz = account.tz
        self.shifts = {str(s.pk): s for s in services.history_shifts(schedule)} if schedule else {}
        self.contacts = {str(c.pk): c for c in account.contacts.order_by("name")}
        self.fields["shift"].choices = [("", _("All shifts"))] + [
            (pk, history_text.shift_label(s, tz)) for pk, s in self.shifts.items()
        ]
        self.fields["contact"].choices = [("", _("All Contacts"))] + [
            (pk, c.name) for pk, c in self.contacts.items()
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        return data

    def criteria(self, tz) -> dict:
        """The keyword arguments of services.history_events (nothing when invalid)."""
        if not self.is_valid():
            for name in self.errors:
                if name in self.fields:
                    self.fields[name].widget.attrs.update(
                        {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                    )
            return {}
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        return {
            "shift": self.shifts.get(data.get("shift") or ""),
            "contact": self.contacts.get(data.get("contact") or ""),
            "start": page.local_midnight(start, tz) if start else None,
            "end": page.local_midnight(end + dt.timedelta(days=1), tz) if end else None,
        }


def _setup(request):
    schedules = list(services.visible_schedules(request.account))
    wanted = request.GET.get("schedule")
    schedule = next((s for s in schedules if s.external_id == wanted), None)
    if schedule is None and schedules:
        schedule = schedules[0]
    form = HistoryFilter(request.GET, schedule=schedule, account=request.account)
    events = None
    if schedule is not None:
        events = services.history_events(schedule, **form.criteria(request.account.tz))
    return schedules, schedule, form, events


def _query(schedule, form) -> str:
    params = {"schedule": schedule.external_id if schedule else ""}
    if form.is_valid():
        for name in ("shift", "contact", "start", "end"):
            value = form.data.get(name, "")
            if value:
                params[name] = value
    return urlencode({k: v for k, v in params.items() if v})


def _audit(request, action: str, schedule, form, **detail) -> None:
    """A read of the history: the schedule and the filters (their values as typed: the
    shift's and the contact's ids, local dates)."""
    typed = form.cleaned_data if form.is_valid() else {}
    audit.read(
        request,
        action,
        account=request.account,
        obj=schedule,
        object_id=schedule.external_id,
        criteria=typed,
        **detail,
    )


def history(request, account_number):
    schedules, schedule, form, events = _setup(request)
    page_obj = None
    if events is not None:
        page_obj = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
        history_text.annotate(list(page_obj.object_list), request.account.tz)
        _audit(request, "oncall.history", schedule, form, page=page_obj.number)
    return render(
        request,
        "oncall/history.html",
        {
            "schedules": schedules,
            "schedule": schedule,
            "form": form,
            "page_obj": page_obj,
            "events": page_obj.object_list if page_obj else [],
            "query": _query(schedule, form),
            "tz_name": request.account.timezone,
        },
    )


def history_export(request, account_number, fmt: str):
    """The filtered history as a file: what the page lists over all its pages."""
    schedules, schedule, form, events = _setup(request)
    back = reverse("oncall_history", kwargs={"account_number": request.account.number})
    if schedule is None or not form.is_valid():
        messages.error(request, _("Correct the search criteria first."))
        return redirect(f"{back}?{request.GET.urlencode()}")
    tz = request.account.tz
    table = history_text.table(events.iterator(chunk_size=500), tz)
    content_type, ext = FORMATS[fmt]
    if fmt == "csv":
        out = io.StringIO()
        count = sheets.write_csv(table, out)
        data = out.getvalue().encode("utf-8")
    else:
        sheet = sheets.Sheet(
            _("History"),
            [table],
            lines=[
                f"{request.account.label} — {schedule.name}",
                _("Times in %(tz)s") % {"tz": request.account.timezone},
            ],
        )
        out = io.BytesIO()
        count = sheets.write_xlsx([sheet], out)
        data = out.getvalue()
    _audit(request, "oncall.history_export", schedule, form, format=fmt, count=count)
    safe = "".join(c if c.isalnum() else "-" for c in schedule.name)
    today = timezone.now().astimezone(tz).date().isoformat()
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="history-{safe}-{today}.{ext}"'
    return response
