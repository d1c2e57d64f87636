"""The Call Log section: the miTeam Call Log and the WebPortal's Agent Recordings in one page."""

import datetime as dt
import tempfile

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from portal import reportmail, sheets
from portal.accounts import audit
from portal.accounts.models import AuditLog
from portal.accounts.tenancy import request_accounts
from portal.calls.exports import call_log_sheet
from portal.calls.forms import CallFilterForm
from portal.calls.models import Call, Recording
from portal.calls.recording_files import split_missing
from portal.calls.services import (
    RecordingMissing,
    call_for,
    find_calls,
    recording_exists,
    recording_response,
    split_recent,
    split_totals,
    zip_recordings,
)
from portal.exports import services as exports
from portal.inbox.models import Message
from portal.links import url_maker

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request):
    return CallFilterForm(request.GET, accounts=request_accounts(request), current=request.account)


def _page(request, name: str) -> int:
    try:
        return max(int(request.GET.get(name, 1)), 1)
    except ValueError:
        return 1


def add_row_urls(calls: list[Call]) -> None:
    """Each row's Details / Voice / download links, from one reverse() per link rather than
    three per row (the call log's rendering time is mostly its rows)."""
    makers = {
        name: url_maker(name, "account_number", "call_id")
        for name in ("call_details", "call_voice", "call_recording")
    }
    for call in calls:
        call.urls = {name: make(call.account.number, call.call_id) for name, make in makers.items()}


def _section(request, qs, page_param: str, sums: dict) -> dict:
    page = _page(request, page_param)
    offset = (page - 1) * PAGE_SIZE
    rows = []
    # Counted first: a section with no call at this page (the archive of the last hour, most
    # often) is not searched a second time for its rows.
    if sums["count"] > offset:
        rows = list(
            qs.select_related("account", "agent", "recording")[offset : offset + PAGE_SIZE + 1]
        )
    add_row_urls(rows[:PAGE_SIZE])
    query = request.GET.copy()
    query.pop(page_param, None)
    return {
        "rows": rows[:PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "param": page_param,
        "query": query.urlencode(),
        **sums,
    }


@require_GET
def calls(request, account_number):
    form = _form(request)
    recent = archive = None
    if form.is_valid():
        accounts = form.chosen_accounts()
        now = timezone.now()
        qs = find_calls(accounts, form.to_filter(), now)
        recent_qs, archive_qs = split_recent(qs, now)
        recent_sums, archive_sums = split_totals(qs, now)
        recent = _section(request, recent_qs, "p", recent_sums)
        archive = _section(request, archive_qs, "ap", archive_sums)
        audit.read(
            request,
            "call.search",
            account=accounts,
            criteria=form.cleaned_data,
            page=recent["page"],
            archive_page=archive["page"],
            shown=[c.call_id for c in recent["rows"] + archive["rows"]],
        )
    return render(
        request,
        "calls/calls.html",
        {
            "section": "calls",
            "form": form,
            "recent": recent,
            "archive": archive,
            "query": request.GET.urlencode(),
            "many_accounts": len(form.accounts) > 1,
            "total_minutes": round((recent["minutes"] + archive["minutes"]), 1) if recent else 0,
        },
    )


def _call_or_404(request, call_id) -> Call:
    """A call of the account in the URL (any other account's call is a 404)."""
    call = call_for([request.account], call_id)
    if call is None:
        raise Http404
    return call


def _dialog(request, template: str, context: dict):
    context["base"] = "calls/_dialog_base.html" if request.htmx else "calls/page_base.html"
    return render(request, template, {"section": "calls", **context})


@require_GET
def call_details(request, account_number, call_id):
    """What a transaction without conversation was: the messages dispatched on it."""
    call = _call_or_404(request, call_id)
    dispatched = (
        Message.objects.filter(account=request.account, call_id=call.call_id)
        .prefetch_related("events")
        .order_by("taken_at")
    )
    audit.read(
        request, "call.view", account=request.account, object_type="calls.call", object_id=call_id
    )
    return _dialog(
        request,
        "calls/details.html",
        {"call": call, "dispatched": dispatched, "page_name": _("Details")},
    )


@require_GET
def call_voice(request, account_number, call_id):
    """The Call Information dialog with its audio player."""
    call = _call_or_404(request, call_id)
    recording = Recording.objects.filter(call=call).first()
    if recording is None:
        raise Http404
    audit.read(
        request, "call.voice", account=request.account, object_type="calls.call", object_id=call_id
    )
    return _dialog(
        request,
        "calls/voice.html",
        {"call": call, "recording": recording, "missing": not recording_exists(recording)},
    )


def _audit_play(request, recording: Recording) -> None:
    """One "play" per listening, not one per Range request the audio element makes."""
    rng = request.headers.get("Range", "")
    if rng and not rng.startswith("bytes=0-"):
        return
    recent = AuditLog.objects.filter(
        action="recording.play",
        user=request.user,
        object_id=str(recording.call.call_id),
        at__gte=timezone.now() - dt.timedelta(seconds=60),
    )
    if not recent.exists():
        audit.record(
            "recording.play",
            request=request,
            account=recording.call.account,
            object_type="calls.call",
            object_id=recording.call.call_id,
        )


@require_GET
def call_recording(request, account_number, call_id):
    """The audio file, access-checked, streamed, with HTTP Range (206) for seeking."""
    call = _call_or_404(request, call_id)
    recording = Recording.objects.filter(call=call).select_related("call__account").first()
    if recording is None:
        raise Http404
    if not recording_exists(recording):
        return _recording_missing(request, call)
    download = request.GET.get("download") == "1"
    if download:
        audit.record(
            "recording.download",
            request=request,
            account=request.account,
            object_type="calls.call",
            object_id=call.call_id,
        )
    else:
        _audit_play(request, recording)
    try:
        return recording_response(request, recording, download=download)
    except RecordingMissing:
        return _recording_missing(request, call)


def _recording_missing(request, call: Call):
    """410: the call had a recording, its file is gone; a page that says so."""
    response = _dialog(
        request, "calls/recording_missing.html", {"call": call, "page_name": _("Recording missing")}
    )
    response.status_code = 410
    return response


@require_POST
def calls_download(request, account_number):
    """The checked recordings as one zip, streamed. With "All my accounts" the checked calls
    may belong to any of the login's accounts (never to another's)."""
    ids = [i for i in request.POST.getlist("ids") if i][:1000]
    recordings = list(
        Recording.objects.filter(
            call__in=find_calls(request_accounts(request), _unbounded()).filter(call_id__in=ids)
        )
        .select_related("call__account")
        .order_by("-call__started_at")
    )
    back = reverse("calls", kwargs={"account_number": request.account.number})
    if not recordings:
        flash.error(request, _("Check at least one call that has a recording."))
        return redirect(f"{back}?{request.GET.urlencode()}")
    # Missing files are checked before the download starts: left out, named in MISSING.txt.
    recordings, missing = split_missing(recordings)
    if not recordings:
        flash.error(
            request,
            ngettext(
                "The recording file of the checked call is missing: there is nothing to download.",
                "The recording files of the checked calls are missing: there is nothing to "
                "download.",
                len(missing),
            ),
        )
        return redirect(f"{back}?{request.GET.urlencode()}")
    if exports.recordings_in_background(len(recordings), sum(r.size for r in recordings)):
        job = exports.start(
            request.user,
            request.account,
            "recordings.zip",
            {
                "query": request.GET.urlencode(),
                "accounts": sorted({r.call.account.number for r in recordings + missing}),
                "ids": [r.call.call_id for r in recordings],
                "missing": [r.call.call_id for r in missing],
            },
            total=len(recordings),
        )
        return redirect("export_job", account_number=request.account.number, job_id=job.pk)
    by_account: dict = {}
    for r in recordings:
        by_account.setdefault(r.call.account, []).append(r.call.call_id)
    for account, call_ids in by_account.items():
        audit.record(
            "recordings.download",
            request=request,
            account=account,
            object_type="calls.call",
            calls=call_ids,
        )
    stamp = timezone.now().astimezone(request.account.tz).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        zip_recordings(recordings, missing), content_type="application/zip"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="recordings-{request.account.number}-{stamp}.zip"'
    )
    return response


def _unbounded():
    from portal.calls.services import CallFilter

    return CallFilter()


def _report(request, form) -> tuple[tempfile.SpooledTemporaryFile, int, str]:
    qs = find_calls(form.chosen_accounts(), form.to_filter())
    out = tempfile.TemporaryFile()
    count = sheets.write_xlsx([call_log_sheet(qs)], out)
    out.seek(0)
    stamp = timezone.now().astimezone(request.account.tz).strftime("%Y%m%d-%H%M")
    return out, count, f"call-log-{request.account.number}-{stamp}.xlsx"


@require_GET
def calls_excel(request, account_number):
    """ "Open in Excel": the results as .xlsx."""
    form = _form(request)
    if not form.is_valid():
        flash.error(request, _("Correct the search criteria first."))
        return redirect("calls", account_number=request.account.number)
    accounts = form.chosen_accounts()
    rows = find_calls(accounts, form.to_filter()).count()
    if exports.rows_in_background(rows):
        job = exports.start(
            request.user,
            request.account,
            "calls.xlsx",
            {
                "query": request.GET.urlencode(),
                "accounts": [a.number for a in accounts],
                "cleaned": audit.clean_criteria(form.cleaned_data),
            },
            total=rows,
        )
        return redirect("export_job", account_number=request.account.number, job_id=job.pk)
    out, count, name = _report(request, form)
    audit.read(
        request,
        "calls.export",
        account=form.chosen_accounts(),
        criteria=form.cleaned_data,
        format="xlsx",
        count=count,
    )
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


@require_POST
def calls_email(request, account_number):
    """ "Email report": the results as .xlsx, sent to the address the user typed."""
    back = reverse("calls", kwargs={"account_number": request.account.number})
    back = f"{back}?{request.GET.urlencode()}"
    address = request.POST.get("email", "").strip()
    try:
        validate_email(address)
    except ValidationError:
        flash.error(request, _("Enter a valid e-mail address."))
        return redirect(back)
    form = _form(request)
    if not form.is_valid():
        flash.error(request, _("Correct the search criteria first."))
        return redirect(back)
    refused = reportmail.refusal(request.user)
    if refused:
        flash.error(request, refused)
        return redirect(back)
    out, count, name = _report(request, form)
    with out:
        content = out.read()
    subject = _("Call log report — account %(number)s") % {"number": request.account.number}
    body = ngettext(
        "The call log report you asked for is attached (%(count)s call).",
        "The call log report you asked for is attached (%(count)s calls).",
        count,
    ) % {"count": count}
    try:
        reportmail.queue_report([address], subject, body, [(name, content)])
    except OSError:
        flash.error(request, _("The report could not be sent. Try again later."))
        return redirect(back)
    reportmail.sent(
        request,
        "calls.email",
        request.account,
        address,
        count=count,
        filters=request.GET.urlencode(),
    )
    flash.success(request, _("The report was sent to %(email)s.") % {"email": address})
    return redirect(back)
