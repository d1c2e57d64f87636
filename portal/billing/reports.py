"""The Billable Calls report as the page, the Excel file and the e-mail show it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from portal import sheets
from portal.accounts.models import Account
from portal.billing.services import (
    billable_items,
    billable_totals,
    clamp_period,
    mm_ss,
    seconds,
)


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
            "statistic_s": seconds(item.statistic_ms),
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


def billable_sheet(report: dict[str, Any]) -> sheets.Sheet:
    """The report's header lines, its calls (the date and time in the account's zone, the
    statistic as a duration shown as the page's 01:45), then the page's three totals."""
    columns = [
        sheets.Column(_("Date/Time"), sheets.DATETIME),
        sheets.Column(_("Description")),
        sheets.Column(_("Number")),
        sheets.Column(_("Caller Name")),
        sheets.Column(_("Agent")),
        sheets.Column(_("Statistic"), sheets.MINUTES_SECONDS),
    ]
    rows = (
        [
            r["at"],
            r["description"],
            r["number"],
            r["caller_name"],
            r["agent"],
            dt.timedelta(seconds=r["statistic_s"]),
        ]
        for r in report["rows"]
    )
    t = report["totals"]
    average = t["average"]
    totals = [
        [_("Total Calls:"), t["calls"]],
        [_("Total Stats:"), sheets.Value(t["total_stats"], sheets.TWO_DECIMALS)],
        [
            _("Average Stat/Call:"),
            sheets.Value(average, sheets.TWO_DECIMALS) if average is not None else None,
        ],
    ]
    table = sheets.Table(columns, rows, totals=totals, tz=report["account"].tz)
    return sheets.Sheet(_("Billable Calls"), [table], lines=report["header"])


def billable_workbook(report: dict[str, Any]) -> bytes:
    return sheets.xlsx_bytes([billable_sheet(report)])


def build_billable(job, out, progress) -> tuple[int, str]:
    """In the background (portal.exports): the Billable Calls workbook of the job's period, as
    "Open in Excel" makes it, its progress told every few rows."""
    start, end = (dt.date.fromisoformat(d) for d in job.criteria["period"])
    report = billable_report(job.account, start, end)
    sheet = billable_sheet(report)
    sheet.tables[0].rows = progress.wrap(sheet.tables[0].rows)
    count = sheets.write_xlsx([sheet], out)
    return count, f"billable-{job.account.number}-{report['start']}-{report['end']}.xlsx"
