"""The Billable Calls report as the page, the Excel file and the e-mail show it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from portal.accounts.models import Account
from portal.billing.services import billable_items, billable_totals, clamp_period, mm_ss


def billable_report(account: Account, start: dt.date, end: dt.date) -> dict[str, Any]:
    start, end = clamp_period(account, start, end)
    items = billable_items(account, start, end)
    tz = account.tz
    rows = [
        {
            "at": item.at.astimezone(tz),
            "description": item.description,
            "number": item.number,
            "caller_name": item.caller_name,
            "agent": item.agent,
            "statistic": mm_ss(item.statistic_ms),
        }
        for item in items
    ]
    return {
        "account": account,
        "start": start,
        "end": end,
        "rows": rows,
        "totals": billable_totals(items),
        "header": [
            account.name,
            _("Account %(numbers)s") % {"numbers": account.number},
            _("%(start)s to %(end)s")
            % {
                "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
            },
        ],
    }


def excel_rows(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "header": report["header"],
        "rows": [
            [
                r["at"].replace(tzinfo=None),
                r["description"],
                r["number"],
                r["caller_name"],
                r["agent"],
                r["statistic"],
            ]
            for r in report["rows"]
        ],
        "totals": report["totals"],
    }


def add_billable_sheet(wb, billable: dict, first: bool = False) -> None:
    """billable: {"header": [...], "rows": [[...]], "totals": {...}} (see excel_rows)."""
    from openpyxl.styles import Font

    title = _("Billable Calls")[:31]
    if first:
        ws = wb.active
        ws.title = title
    else:
        ws = wb.create_sheet(title)
    bold = Font(bold=True)
    for line in billable["header"]:
        ws.append([line])
    ws["A1"].font = bold
    ws.append([])
    ws.append(
        [
            _("Date/Time"),
            _("Description"),
            _("Number"),
            _("Caller Name"),
            _("Agent"),
            _("Statistic"),
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in billable["rows"]:
        ws.append(row)
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd hh:mm:ss"
    totals = billable["totals"]
    ws.append([])
    ws.append([_("Total Calls:"), totals["calls"]])
    ws.append([_("Total Stats:"), float(totals["total_stats"])])
    ws.cell(ws.max_row, 2).number_format = "0.00"
    average = totals["average"]
    ws.append([_("Average Stat/Call:"), float(average) if average is not None else None])
    ws.cell(ws.max_row, 2).number_format = "0.00"
    ws.column_dimensions["A"].width = 22
    for col in "BCDE":
        ws.column_dimensions[col].width = 20


def billable_workbook(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    add_billable_sheet(wb, excel_rows(report), first=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
