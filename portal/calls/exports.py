"""The Call Log's spreadsheet ("Open in Excel", "Email report"), through portal.sheets."""

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal import sheets
from portal.calls.models import Call
from portal.calls.services import call_info, total_minutes
from portal.exports.services import job_accounts


def call_rows(calls: Iterable[Call]) -> Iterator[list]:
    """One row per call, the Call Log's columns: the start in the call's account's zone,
    the duration as the page shows it (whole seconds) and in minutes (one decimal)."""
    for c in calls:
        yield [
            c.started_at.astimezone(c.account.tz),
            dt.timedelta(seconds=int(round(c.duration_ms / 1000))),
            round(c.duration_ms / 60000, 1),
            c.account.name,
            c.account.number,
            c.agent.code if c.agent_id else "",
            c.station,
            c.caller_id,
            c.caller_name,
            c.call_id,
            call_info(c),
        ]


def call_log_sheet(qs: QuerySet[Call]) -> sheets.Sheet:
    """The calls of the search, newest first, then the page's "Total Duration" (minutes)."""
    columns = [
        sheets.Column(_("Start"), sheets.DATETIME),
        sheets.Column(_("Duration"), sheets.DURATION),
        sheets.Column(_("Duration (mins)"), sheets.ONE_DECIMAL),
        sheets.Column(_("Client Name")),
        sheets.Column(_("Client")),
        sheets.Column(_("Agent")),
        sheets.Column(_("Station")),
        sheets.Column(_("Caller ID")),
        sheets.Column(_("Caller name")),
        sheets.Column(_("Call ID")),
        sheets.Column(_("Call Info")),
    ]
    totals = [[_("Total Duration"), None, total_minutes(qs)]]
    rows = call_rows(qs.select_related("account", "agent", "recording").iterator(chunk_size=2000))
    return sheets.Sheet(_("Call Log"), [sheets.Table(columns, rows, totals=totals)])


# --- In the background (portal.exports): the same workbook and zip, made by the worker ------


def build_call_log(job, out, progress) -> tuple[int, str]:
    """The Call Log workbook of the job's search (its query string), as "Open in Excel"
    makes it, its progress told every few rows."""
    from django.http import QueryDict
    from django.utils import timezone

    from portal.calls.forms import CallFilterForm
    from portal.calls.services import find_calls

    accounts = job_accounts(job)
    form = CallFilterForm(
        QueryDict(job.criteria.get("query", "")), accounts=accounts, current=job.account
    )
    if not form.is_valid():
        raise ValueError(f"the export's criteria are no longer valid: {form.errors.as_json()}")
    qs = find_calls(form.chosen_accounts(), form.to_filter())
    sheet = call_log_sheet(qs)
    table = sheet.tables[0]
    table.rows = progress.wrap(table.rows)
    count = sheets.write_xlsx([sheet], out)
    stamp = timezone.now().astimezone(job.account.tz).strftime("%Y%m%d-%H%M")
    return count, f"call-log-{job.account.number}-{stamp}.xlsx"


def build_recordings_zip(job, out, progress) -> tuple[int, str]:
    """The checked calls' recordings as one zip, as "Download selected" makes it (missing
    files named in MISSING.txt), its progress told at each recording."""
    from django.utils import timezone

    from portal.calls.models import Recording
    from portal.calls.services import CallFilter, find_calls, zip_recordings

    calls = find_calls(job_accounts(job), CallFilter())

    def recordings(ids):
        return list(
            Recording.objects.filter(call__in=calls.filter(call_id__in=ids))
            .select_related("call__account")
            .order_by("-call__started_at")
        )

    found = recordings(job.criteria.get("ids") or [])
    missing = recordings(job.criteria.get("missing") or [])
    progress.total(len(found))
    for piece in zip_recordings(progress.wrap(found, every=1), missing):
        out.write(piece)
    stamp = timezone.now().astimezone(job.account.tz).strftime("%Y%m%d-%H%M")
    return len(found), f"recordings-{job.account.number}-{stamp}.zip"
