"""Reading the audit trail back: `manage.py audit_export` and the back office's "Who saw what"
(its list and its exports) call these functions.

Entries are read oldest first and streamed (`iterator`), so that an export of millions of
rows holds one chunk in memory at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Account, AuditLog

CHUNK = 2000  # rows fetched at a time when streaming

# What each action means, in words (the back office's "Action" filter and column). Actions
# that are not named here show as they are stored ("message.view").
ACTION_LABELS = {
    "admin.list": gettext_lazy("Back office: list or search"),
    "admin.view": gettext_lazy("Back office: record opened"),
    "api.ingest.billable": gettext_lazy("API: billable calls stored"),
    "api.ingest.billing": gettext_lazy("API: billing history stored"),
    "api.ingest.calls": gettext_lazy("API: calls stored"),
    "api.ingest.cdr.asterisk": gettext_lazy("API: Asterisk call records stored"),
    "api.ingest.cdr.freeswitch": gettext_lazy("API: FreeSWITCH call records stored"),
    "api.ingest.messages": gettext_lazy("API: messages stored"),
    "api.ingest.recording": gettext_lazy("API: recording stored"),
    "api.provision.account": gettext_lazy("API: account provisioned"),
    "api.provision.contact": gettext_lazy("API: contact provisioned"),
    "api.provision.contact_deleted": gettext_lazy("API: contact removed"),
    "audit.export": gettext_lazy("Audit trail exported"),
    "billable.email": gettext_lazy("Billable calls e-mailed"),
    "billable.export": gettext_lazy("Billable calls exported"),
    "billable.view": gettext_lazy("Billable calls viewed"),
    "billing.view": gettext_lazy("Billing history viewed"),
    "call.search": gettext_lazy("Call log searched"),
    "call.view": gettext_lazy("Call details viewed"),
    "call.voice": gettext_lazy("Voice dialog opened"),
    "calls.email": gettext_lazy("Call log e-mailed"),
    "calls.export": gettext_lazy("Call log exported"),
    "directory.search": gettext_lazy("Directory searched"),
    "directory.view": gettext_lazy("Directory viewed"),
    "home.view": gettext_lazy("Home page viewed"),
    "info_pages.view": gettext_lazy("Information pages viewed"),
    "login": gettext_lazy("Signed in"),
    "login.locked": gettext_lazy("Sign-in refused (locked)"),
    "logout": gettext_lazy("Signed out"),
    "message.close": gettext_lazy("Message closed"),
    "message.confirm": gettext_lazy("Urgent message confirmed"),
    "message.poll": gettext_lazy("New messages shown in the open inbox"),
    "message.reopen": gettext_lazy("Message reopened"),
    "message.search": gettext_lazy("Messages searched"),
    "message.view": gettext_lazy("Message viewed"),
    "messages.export": gettext_lazy("Messages exported"),
    "oncall.dialog": gettext_lazy("On-call dialog opened"),
    "oncall.feed": gettext_lazy("On-call calendar feed read"),
    "oncall.feeds": gettext_lazy("Calendar feeds page viewed"),
    "oncall.gap_alert": gettext_lazy("On-call gap alert e-mailed"),
    "oncall.history": gettext_lazy("On-call history viewed"),
    "oncall.history_export": gettext_lazy("On-call history exported"),
    "oncall.now": gettext_lazy("Who is on call asked"),
    "oncall.pdf": gettext_lazy("On-call PDF downloaded"),
    "oncall.view": gettext_lazy("On Call page viewed"),
    "password.change": gettext_lazy("Password changed"),
    "password.reset": gettext_lazy("Password set by staff"),
    "password.reset_done": gettext_lazy("Password chosen from a reset link"),
    "password.reset_link_sent": gettext_lazy("Password reset link e-mailed"),
    "password.reset_requested": gettext_lazy("Password reset asked for"),
    "recording.download": gettext_lazy("Recording downloaded"),
    "recording.play": gettext_lazy("Recording played"),
    "recordings.download": gettext_lazy("Recordings downloaded"),
    "report.deleted": gettext_lazy("Scheduled report deleted by staff"),
    "report.paused": gettext_lazy("Scheduled report paused by staff"),
    "report.resumed": gettext_lazy("Scheduled report resumed by staff"),
    "report.scheduled": gettext_lazy("Scheduled report e-mailed"),
    "report.unsubscribed": gettext_lazy("Unsubscribed from a scheduled report"),
    "stats.email": gettext_lazy("Statistics e-mailed"),
    "stats.export": gettext_lazy("Statistics exported"),
    "stats.view": gettext_lazy("Statistics viewed"),
    "token.create": gettext_lazy("API token created"),
    "token.revoke": gettext_lazy("API token revoked"),
    "two_factor.disable": gettext_lazy("Two-step verification turned off"),
    "two_factor.enrol": gettext_lazy("Two-step verification turned on"),
    "two_factor.failed": gettext_lazy("Two-step verification: wrong code"),
    "two_factor.recovery_code_used": gettext_lazy("Signed in with a recovery code"),
    "two_factor.recovery_codes": gettext_lazy("New recovery codes made"),
    "two_factor.reset": gettext_lazy("Two-step verification reset by staff"),
    "user.create": gettext_lazy("Login created"),
    "view_as.refused": gettext_lazy("Change refused while viewing as the client"),
    "view_as.start": gettext_lazy("Viewing as the client started"),
    "view_as.stop": gettext_lazy("Viewing as the client stopped"),
    "webhook.delete": gettext_lazy("Webhook removed"),
    "webhook.save": gettext_lazy("Webhook registered or changed"),
    "webhook.send_again": gettext_lazy("Webhook delivery sent again"),
}

# The fields of one entry, in the order of the export's columns.
FIELDS = ["at", "actor", "ip", "action", "account", "object_type", "object_id", "detail"]
_VALUES = [
    "pk",
    "at",
    "actor",
    "ip",
    "action",
    "account__number",
    "account__timezone",
    "object_type",
    "object_id",
    "detail",
]


# Names an action was once written under: read (labelled, filtered) as the one it is now, the
# rows themselves kept as they were written. (The Settings page's API tokens wrote
# "api_token.*" for a day; the back office and create_api_token always wrote "token.*".)
FORMER_NAMES = {
    "api_token.create": "token.create",
    "api_token.revoke": "token.revoke",
}


def current_name(action: str) -> str:
    return FORMER_NAMES.get(action, action)


def names_of(action: str) -> list[str]:
    """`action` and every name it was once written under (to filter the stored rows)."""
    action = current_name(action)
    return [action, *sorted(old for old, new in FORMER_NAMES.items() if new == action)]


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(current_name(action))
    return str(label) if label is not None else action


def parse_day(text: str) -> dt.date:
    """A day typed as YYYY-MM-DD; ValidationError (in the user's language) otherwise."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD (e.g. 2026-12-01).")
            % {"value": text}
        ) from None
    if not 1900 <= day.year <= 2999:
        raise ValidationError(_("Enter a date between the years 1900 and 2999."))
    return day


def find_account(number: str) -> Account:
    """The account of that number; ValidationError naming it when there is none."""
    account = Account.objects.filter(number=number.strip()).first()
    if account is None:
        raise ValidationError(_("There is no client account %(number)s.") % {"number": number})
    return account


def zone_of(account: Account | None) -> dt.tzinfo:
    """Days are read in the account's zone; without an account, in the portal's own."""
    return account.tz if account is not None else timezone.get_default_timezone()


def start_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def entries(
    account: Account | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    queryset=None,
):
    """The entries (oldest first) of one account or of all, from the start of `since` and
    before the end of `until` (days in the account's zone, see `zone_of`)."""
    qs = AuditLog.objects.all() if queryset is None else queryset
    tz = zone_of(account)
    if account is not None:
        qs = qs.filter(account=account)
    if since is not None:
        qs = qs.filter(at__gte=start_of(since, tz))
    if until is not None:
        qs = qs.filter(at__lt=start_of(until + dt.timedelta(days=1), tz))
    return qs.order_by("at", "pk")


def as_it_stands(queryset):
    """`queryset` as the trail stands now: the entries written later (the export's own entry,
    the reads that go on while it streams) are left out."""
    last = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first()
    return queryset.filter(pk__lte=last or 0)


def _values(queryset) -> Iterator[dict[str, Any]]:
    return queryset.values(*_VALUES).iterator(chunk_size=CHUNK)


def rows(queryset) -> Iterator[dict[str, Any]]:
    """Each entry of `queryset`, in its order, as the contract's dict ("at" in UTC, ISO
    8601; "account" the number or None), streamed."""
    for values in _values(queryset):
        yield {
            "at": values["at"].astimezone(dt.UTC).isoformat(),
            "actor": values["actor"],
            "ip": values["ip"],
            "action": values["action"],
            "account": values["account__number"],
            "object_type": values["object_type"],
            "object_id": values["object_id"],
            "detail": values["detail"] if values["detail"] is not None else {},
        }


def json_lines(queryset) -> Iterator[str]:
    """One JSON document per entry, each ending with a newline (JSON lines)."""
    for row in rows(queryset):
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


def detail_text(detail: Any) -> str:
    if not detail:
        return ""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


def table(queryset):
    """The entries as one table of the spreadsheet writer (portal/sheets.py): each time in
    its account's zone (the portal's zone without an account), with the zone named."""
    from portal import sheets

    default = timezone.get_default_timezone_name()

    def lines() -> Iterable[list]:
        for row in _values(queryset):
            zone = row["account__timezone"] or default
            yield [
                row["at"].astimezone(_zone(zone)).replace(tzinfo=None),
                zone,
                row["actor"],
                row["ip"] or "",
                action_label(row["action"]),
                row["action"],
                row["account__number"] or "",
                row["object_type"],
                row["object_id"],
                detail_text(row["detail"]),
            ]

    columns = [
        sheets.Column(_("Time"), sheets.DATETIME),
        sheets.Column(_("Time zone")),
        sheets.Column(_("Person")),
        sheets.Column(_("Address")),
        sheets.Column(_("Action")),
        sheets.Column(_("Action code")),
        sheets.Column(_("Client account")),
        sheets.Column(_("Object type")),
        sheets.Column(_("Object")),
        sheets.Column(_("Detail")),
    ]
    return sheets.Table(columns=columns, rows=lines())


_ZONES: dict[str, dt.tzinfo] = {}


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    if name not in _ZONES:
        _ZONES[name] = zoneinfo.ZoneInfo(name)
    return _ZONES[name]


def export_name(account: Account | None, extension: str) -> str:
    stamp = timezone.now().astimezone(zone_of(account)).strftime("%Y%m%d-%H%M")
    who = account.number if account is not None else "all"
    return f"audit-{who}-{stamp}.{extension}"
