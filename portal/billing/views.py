"""Billing History and Billable Calls (with its Excel file and e-mail)."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts import audit
from portal.accounts.tenancy import request_accounts
from portal.billing.mailtext import totals_lines
from portal.billing.reports import billable_report, billable_workbook
from portal.billing.services import (
    billable_items,
    billing_history,
    cycle_containing,
    cycles_since,
    format_money,
    local_today,
    oldest_day,
)
from portal.dates import OUT_OF_RANGE, date_in_range
from portal.exports import services as exports
from portal.reportmail import XLSX, queue_report, refusal, sent
from portal.stats.schedules import parse_addresses


@require_GET
def billing(request, account_number):
    account = request.account
    language = translation.get_language()
    number = (request.GET.get("number") or "").strip()
    mine = request_accounts(request)
    billing_number = account.billing_number
    error = ""
    if number:
        by_account = [a.billing_number for a in mine if a.number == number and a.billing_number]
        by_billing = [a.billing_number for a in mine if a.billing_number == number]
        found = by_account or by_billing
        if found:
            billing_number = found[0]
        else:
            # Another login's number looks exactly like a number that does not exist.
            error = _("No billing history was found for this number.")
            billing_number = ""
    statements = billing_history(billing_number) if billing_number else []
    if not error:
        audit.read(
            request,
            "billing.view",
            account=account,
            number=number,
            billing_number=billing_number,
        )
    for statement in statements:
        for line in statement.lines:
            line.money = format_money(line.amount, language)
    hours = settings.PORTAL["AR_HOURS_FR" if language == "fr" else "AR_HOURS_EN"]
    return render(
        request,
        "billing/billing.html",
        {
            "section": "billing",
            "number": number,
            "error": error,
            "billing_number": billing_number,
            "billing_accounts": [
                a for a in mine if billing_number and a.billing_number == billing_number
            ],
            "statements": statements,
            "ar_phones": settings.PORTAL["AR_PHONES"],
            "ar_hours": hours,
        },
    )


def _period(request) -> tuple[dt.date, dt.date, list[str]]:
    """The period asked for: a cycle, or start/end dates; the current cycle by default."""
    account = request.account
    errors = []
    start, end = cycle_containing(local_today(account))
    cycle = request.GET.get("cycle")
    if cycle:
        try:
            day = dt.date.fromisoformat(cycle)
            if not date_in_range(day):
                raise ValueError(cycle)
            start, end = cycle_containing(day)
        except ValueError:
            errors.append(_("Choose a billing cycle from the list."))
    elif request.GET.get("start") or request.GET.get("end"):
        try:
            start = dt.date.fromisoformat(request.GET.get("start", ""))
            end = dt.date.fromisoformat(request.GET.get("end", ""))
        except ValueError:
            errors.append(_("Enter valid dates (YYYY-MM-DD)."))
        else:
            if not (date_in_range(start) and date_in_range(end)):
                errors.append(OUT_OF_RANGE)
            elif end < start:
                errors.append(_("The end date cannot be before the start date."))
    return start, end, errors


@require_GET
def billable(request, account_number):
    account = request.account
    start, end, errors = _period(request)
    report = None if errors else billable_report(account, start, end)
    if report is not None:
        audit.read(request, "billable.view", account=account, **_period_detail(request, report))
    today = local_today(account)
    oldest = oldest_day(account)
    cycles = [
        {"start": s, "end": e, "selected": report is not None and s <= report["start"] <= e}
        for s, e in cycles_since(oldest, today)
    ]
    return render(
        request,
        "billing/billable.html",
        {
            "section": "billable",
            "report": report,
            "errors": errors,
            "start": start,
            "end": end,
            "cycles": cycles,
            "oldest": oldest,
            "today": today,
            "query": request.GET.urlencode(),
        },
        status=400 if errors else 200,
    )


def _period_detail(request, report) -> dict:
    """What the audit trail keeps of a Billable Calls read: the period asked for and shown."""
    return {
        "cycle": request.GET.get("cycle", ""),
        "start": report["start"],
        "end": report["end"],
        "count": report["totals"]["calls"],
    }


def _filename(report) -> str:
    return f"billable-{report['account'].number}-{report['start']}-{report['end']}.xlsx"


@require_GET
def billable_export(request, account_number):
    start, end, errors = _period(request)
    if errors:
        return billable(request, account_number)
    rows = billable_items(request.account, start, end).count()
    if exports.rows_in_background(rows):  # made by the task queue: its page shows progress
        job = exports.start(
            request.user,
            request.account,
            "billable.xlsx",
            {
                "query": request.GET.urlencode(),
                "period": [start.isoformat(), end.isoformat()],
                "cleaned": audit.clean_criteria(
                    {"cycle": request.GET.get("cycle", ""), "start": start, "end": end}
                ),
            },
            total=rows,
        )
        return redirect("export_job", account_number=request.account.number, job_id=job.pk)
    report = billable_report(request.account, start, end)
    audit.read(
        request, "billable.export", account=request.account, **_period_detail(request, report)
    )
    response = HttpResponse(billable_workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report)}"'
    return response


@require_POST
def billable_email(request, account_number):
    back = reverse("billable", args=[request.account.number]) + "?" + request.GET.urlencode()
    start, end, errors = _period(request)
    if errors:
        messages.error(request, " ".join(str(e) for e in errors))
        return redirect(back)
    try:
        addresses = parse_addresses(request.POST.get("email", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    refused = refusal(request.user)
    if refused:
        messages.error(request, refused)
        return redirect(back)
    report = billable_report(request.account, start, end)
    body = "\n".join(report["header"] + [""] + totals_lines(report["totals"]))
    subject = _("Billable Calls") + f" — {request.account.label}"
    try:
        queue_report(addresses, subject, body, [(_filename(report), billable_workbook(report))])
    except OSError:
        messages.error(request, _("The e-mail could not be sent. Please try again later."))
        return redirect(back)
    sent(
        request,
        "billable.email",
        request.account,
        addresses,
        start=report["start"],
        end=report["end"],
        count=report["totals"]["calls"],
    )
    messages.success(request, _("The report was sent to %(to)s.") % {"to": ", ".join(addresses)})
    return redirect(back)
