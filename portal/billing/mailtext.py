"""The Billable Calls totals as an e-mail's text says them (the page's e-mail and the
scheduled reports), in the reader's language: "Total Stats: 13.75" / "… : 13,75"."""

from django.utils import formats
from django.utils.translation import gettext as _


def totals_lines(totals: dict) -> list[str]:
    average = totals["average"]
    return [
        _("Total Calls:") + f" {totals['calls']}",
        _("Total Stats:") + " " + formats.number_format(totals["total_stats"], 2),
        _("Average Stat/Call:")
        + ("" if average is None else " " + formats.number_format(average, 2)),
    ]
