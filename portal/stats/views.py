"""The Statistics page, its Excel file and e-mail, and the scheduled reports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts import audit
from portal.accounts.tenancy import request_accounts
from portal.reportmail import queue_report, refusal, sent
from portal.stats import schedules
from portal.stats.definitions import ROWS
from portal.stats.forms import StatsForm
from portal.stats.models import ReportSubscription
from portal.stats.reports import (
    build_report,
    chart_svgs,
    email_lines,
    number_text,
    pct_text,
    workbook_bytes,
)


def _form(request) -> StatsForm:
    account = request.account
    today = timezone.now().astimezone(account.tz).date()
    allowed = request_accounts(request)
    return StatsForm(request.GET, allowed=allowed, today=today, current=account)


def _page(request, form, report=None, status=200):
    context = {"section": "stats", "form": form, "report": report, "query": ""}
    if report is not None:
        context["query"] = request.GET.urlencode()
        context["rows"] = [
            dict(
                row,
                value_text=number_text(row["value"], row["unit"]),
                pct_text=pct_text(row["pct"]),
            )
            for row in report.rows
        ]
        context["charts"] = chart_svgs(report)
        context["agents"] = [
            {
                "agent": a["agent"],
                "total": a["figures"]["total_incoming"]["value"],
                "answered": a["figures"]["answered_of_total"]["value"],
                "work": number_text(a["figures"]["avg_work_s"]["value"], "secs"),
                "wait": number_text(a["figures"]["avg_wait_s"]["value"], "secs1"),
                "within": pct_text(a["figures"]["within_30s"]["pct"]),
                "held": a["figures"]["held"]["value"],
            }
            for a in report.agents
        ]
        if report.previous is not None:
            context["comparison"] = [
                {
                    "label": row.label,
                    "now": number_text(report.previous[row.key]["now"], row.unit),
                    "before": number_text(report.previous[row.key]["before"], row.unit),
                    "change": _signed(report.previous[row.key]["change"], row.unit),
                }
                for row in ROWS
            ]
        context["hours_table"] = report.hours
        context["days_table"] = report.days
    return render(request, "stats/stats.html", context, status=status)


def _signed(value, unit):
    if value is None:
        return ""
    text = number_text(value, unit)
    return f"+{text}" if value > 0 else text


@require_GET
def stats(request, account_number):
    form = _form(request)
    if not form.is_valid():
        return _page(request, form, status=400 if "start" in request.GET else 200)
    report = build_report(form.filters())
    _audit(request, "stats.view", form)
    return _page(request, form, report)


def _audit(request, action: str, form) -> None:
    """A read of the statistics: every account counted in, with the form's criteria."""
    audit.read(
        request,
        action,
        account=form.selected_accounts() or request.account,
        criteria=form.cleaned_data,
    )


@require_GET
def stats_export(request, account_number):
    form = _form(request)
    if not form.is_valid():
        return _page(request, form, status=400)
    report = build_report(form.filters())
    _audit(request, "stats.export", form)
    response = HttpResponse(
        workbook_bytes(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filters = report.filters
    response["Content-Disposition"] = (
        f'attachment; filename="statistics-{request.account.number}-{filters.start}-{filters.end}.xlsx"'
    )
    return response


@require_POST
def stats_email(request, account_number):
    form = _form(request)
    back = reverse("stats", args=[request.account.number]) + "?" + request.GET.urlencode()
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        addresses = schedules.parse_addresses(request.POST.get("email", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    refused = refusal(request.user)
    if refused:
        messages.error(request, refused)
        return redirect(back)
    report = build_report(form.filters())
    body = "\n".join(report.header) + "\n\n" + "\n".join(email_lines(report))
    name = f"statistics-{request.account.number}-{report.filters.start}-{report.filters.end}.xlsx"
    subject = _("Statistics") + f" — {request.account.label}"
    try:
        queue_report(addresses, subject, body, [(name, workbook_bytes(report))])
    except OSError:
        messages.error(request, _("The e-mail could not be sent. Please try again later."))
        return redirect(back)
    sent(
        request,
        "stats.email",
        request.account,
        addresses,
        accounts=[a.number for a in report.accounts],
        criteria=form.cleaned_data,
    )
    messages.success(request, _("The report was sent to %(to)s.") % {"to": ", ".join(addresses)})
    return redirect(back)


def _is_admin(request) -> bool:
    return request.membership is not None and request.membership.role == "admin"


@require_http_methods(["GET", "POST"])
def stats_schedules(request, account_number):
    account = request.account
    subscriptions = ReportSubscription.objects.filter(account=account).prefetch_related(
        "deliveries"
    )
    errors = []
    if request.method == "POST":
        if not _is_admin(request):
            return HttpResponseForbidden(_("Only a client administrator can schedule reports."))
        try:
            schedules.subscribe(
                account,
                request.POST.get("emails", ""),
                request.POST.get("frequency", ""),
                statistics=bool(request.POST.get("statistics")),
                billable=bool(request.POST.get("billable")),
                language=request.POST.get("language") or translation.get_language(),
                user=request.user,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The scheduled report was added."))
            return redirect("stats_schedules", account_number=account.number)
    return render(
        request,
        "stats/schedules.html",
        {
            "section": "stats",
            "subscriptions": subscriptions,
            "frequencies": ReportSubscription.FREQUENCIES,
            "is_admin": _is_admin(request),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@require_POST
def stats_schedule_delete(request, account_number, subscription_id):
    if not _is_admin(request):
        return HttpResponseForbidden(_("Only a client administrator can schedule reports."))
    deleted, _n = ReportSubscription.objects.filter(
        account=request.account, pk=subscription_id
    ).delete()
    if not deleted:
        raise Http404
    messages.success(request, _("The scheduled report was removed."))
    return redirect("stats_schedules", account_number=request.account.number)
