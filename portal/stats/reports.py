"""The Statistics report as the page, the Excel file and the e-mail all show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import sheets
from portal.stats import charts
from portal.stats.definitions import ROWS
from portal.stats.forms import WEEKDAYS
from portal.stats.services import (
    Figure,
    Filters,
    comparison,
    per_day,
    per_hour,
    statistics,
    statistics_by_agent,
)


@dataclass
class Report:
    filters: Filters
    accounts: list
    figures: dict[str, Figure]
    rows: list[dict[str, Any]]
    header: list[str] = field(default_factory=list)
    agents: list[dict[str, Any]] = field(default_factory=list)
    hours: list[dict[str, int]] = field(default_factory=list)
    days: list[dict[str, Any]] = field(default_factory=list)
    previous: dict[str, Any] | None = None
    previous_period: tuple[dt.date, dt.date] | None = None


def time_text(t: dt.time | None, default: dt.time) -> str:
    t = t or default
    if t == dt.time(0, 0):
        return _("12:00 mid")
    return formats.time_format(t, "TIME_FORMAT")


def header_lines(filters: Filters, accounts: list) -> list[str]:
    """Company, account(s), the period, "Calls after … and Calls before …", days of the week."""
    numbers = ", ".join(a.number for a in accounts) or "—"
    lines = [
        ", ".join(a.name for a in accounts) or "—",
        ngettext("Account %(numbers)s", "Accounts %(numbers)s", len(accounts))
        % {"numbers": numbers},
    ]
    if filters.start is not None and filters.end is not None:
        lines.append(
            _("%(start)s 12:00 AM to %(end)s 11:59 PM")
            % {
                "start": formats.date_format(filters.start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(filters.end, "SHORT_DATE_FORMAT"),
            }
        )
    lines.append(
        _("Calls after: %(after)s and Calls before: %(before)s")
        % {
            "after": time_text(filters.after, dt.time(0, 0)),
            "before": time_text(filters.before, dt.time(23, 59)),
        }
    )
    days = dict(WEEKDAYS)
    chosen = [str(days[str(d)]) for d in sorted(set(filters.weekdays))] or [str(days[""])]
    lines.append(_("Day of Week: %(days)s") % {"days": ", ".join(chosen)})
    return lines


def table_rows(figures: dict[str, Figure]) -> list[dict[str, Any]]:
    return [
        {
            "key": row.key,
            "label": str(row.label),
            "value": figures[row.key]["value"],
            "pct": figures[row.key]["pct"],
            "explanation": str(row.explanation),
            "unit": row.unit,
        }
        for row in ROWS
    ]


def build_report(filters: Filters, detail: bool = True) -> Report:
    """The figures (one aggregate query) and, with `detail`, the charts' series, the
    per-agent breakdown and the previous period of the same length."""
    accounts = filters.selected_accounts()
    filters.accounts = accounts  # the group filters are applied once, here
    filters.groups, filters.exclude_groups = [], []
    figures = statistics(filters)
    report = Report(
        filters=filters,
        accounts=accounts,
        figures=figures,
        rows=table_rows(figures),
        header=header_lines(filters, accounts),
    )
    if detail:
        report.agents = statistics_by_agent(filters)
        report.hours = per_hour(filters)
        report.days = per_day(filters)
        previous = filters.previous()
        if previous is not None:
            report.previous = comparison(figures, statistics(previous))
            report.previous_period = (previous.start, previous.end)
    return report


def chart_svgs(report: Report) -> dict[str, str]:
    t = report.figures
    hours = report.hours
    days = report.days
    answered = t["answered_of_total"]["value"] or 0
    abandoned = (t["system_abandon"]["value"] or 0) + (t["agent_abandon"]["value"] or 0)
    automated = t["automated"]["value"] or 0
    within = t["within_30s"]["value"] or 0
    return {
        "hours": charts.stacked_bars(
            _("Calls per hour of day"),
            _("Incoming calls for each hour of the day, answered and others."),
            [f"{h['hour']:02d}" for h in hours],
            [
                (_("Answered"), "answered", [h["answered"] for h in hours]),
                (_("Other"), "other", [h["total"] - h["answered"] for h in hours]),
            ],
            every=2,
        ),
        "days": charts.stacked_bars(
            _("Calls per day"),
            _("Incoming calls for each day: answered, abandoned and automated."),
            [formats.date_format(d["date"], "SHORT_DATE_FORMAT") for d in days],
            [
                (_("Answered"), "answered", [d["answered"] for d in days]),
                (_("Abandoned"), "abandoned", [d["abandoned"] for d in days]),
                (_("Automated"), "automated", [d["automated"] for d in days]),
            ],
            every=max(1, len(days) // 8),
        ),
        "answered": charts.share_bar(
            _("Answered vs. abandoned"),
            _("Incoming calls answered by an agent, abandoned, and automated."),
            [
                (_("Answered"), "answered", answered),
                (_("Abandoned"), "abandoned", abandoned),
                (_("Automated"), "automated", automated),
            ],
        ),
        "within": charts.share_bar(
            _("Share answered within 30 s"),
            _("Answered calls that reached an agent within 30 seconds, and the others."),
            [
                (_("Within 30 s"), "answered", within),
                (_("After 30 s"), "abandoned", answered - within),
            ],
        ),
    }


def number_text(value: Any, unit: str) -> str:
    """A figure as the page shows it (localised decimal separator)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        places = {"secs1": 1, "mins2": 2}.get(unit, 0)
        return formats.number_format(value, places)
    return formats.number_format(value)


def pct_text(pct: Decimal | None) -> str:
    if pct is None:
        return ""
    return formats.number_format(pct, 1) + "\u00a0%"


def email_lines(report: Report) -> list[str]:
    """The sixteen rows as an e-mail's text says them, in the reader's language
    ("Total Incoming Calls: 61 100.0 %", "Total des appels entrants : 61 100,0 %")."""
    return [
        _("%(label)s: %(value)s")
        % {
            "label": row["label"],
            "value": f"{number_text(row['value'], row['unit'])} {pct_text(row['pct'])}".strip(),
        }
        for row in report.rows
    ]


# --- Excel -------------------------------------------------------------------------------


def statistics_sheet(report: Report) -> sheets.Sheet:
    """The header lines, the sixteen rows (numbers as numbers, as many decimals as the page
    shows), then the per-agent breakdown."""
    figures = sheets.Table(
        [
            sheets.Column(_("Statistic")),
            sheets.Column(_("Num.")),
            sheets.Column(_("%"), sheets.ONE_DECIMAL),
            sheets.Column(_("Explanation"), wrap=True),
        ],
        [
            [
                row["label"],
                sheets.Value(row["value"], UNIT_FORMATS.get(row["unit"], sheets.INTEGER)),
                row["pct"],
                row["explanation"],
            ]
            for row in report.rows
        ],
    )
    tables = [figures]
    if report.agents:
        tables.append(
            sheets.Table(
                [
                    sheets.Column(_("Agent")),
                    sheets.Column(_("Answered"), sheets.INTEGER),
                    sheets.Column(_("Avg work (secs)"), sheets.INTEGER),
                    sheets.Column(_("Avg wait (secs)"), sheets.ONE_DECIMAL),
                    sheets.Column(_("Within 30 s (%)"), sheets.ONE_DECIMAL),
                ],
                [
                    [
                        a["agent"] or "—",
                        a["figures"]["answered_of_total"]["value"],
                        a["figures"]["avg_work_s"]["value"],
                        a["figures"]["avg_wait_s"]["value"],
                        a["figures"]["within_30s"]["pct"],
                    ]
                    for a in report.agents
                ],
                title=_("Per agent"),
            )
        )
    return sheets.Sheet(_("Statistics"), tables, lines=report.header)


UNIT_FORMATS = {"secs1": sheets.ONE_DECIMAL, "mins2": sheets.TWO_DECIMALS}


def workbook_bytes(report: Report, billable: dict | None = None) -> bytes:
    """The report as an .xlsx; the billable calls (a billable_report) on a second sheet
    when given."""
    workbook = [statistics_sheet(report)]
    if billable is not None:
        from portal.billing.reports import billable_sheet

        workbook.append(billable_sheet(billable))
    return sheets.xlsx_bytes(workbook)
