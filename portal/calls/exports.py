"""The Call Log's spreadsheet ("Open in Excel", "Email report"), through portal.sheets."""

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal import sheets
from portal.calls.models import Call
from portal.calls.services import call_info, total_minutes


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
