"""Sending a report by e-mail lives in portal.reportmail (shared with the call log and the
billable calls); the names stay importable from here."""

from portal.reportmail import XLSX, send_report

__all__ = ["XLSX", "send_report"]
