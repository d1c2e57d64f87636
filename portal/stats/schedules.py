"""Scheduled reports: what is due, and sending each period exactly once."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts import audit
from portal.accounts.models import Account, User
from portal.stats.models import ReportDelivery, ReportSubscription

log = logging.getLogger(__name__)
MAX_ADDRESSES = 10


def parse_addresses(text: str) -> list[str]:
    """Comma- or space-separated addresses; ValidationError naming the first bad one."""
    addresses = [a.strip() for a in text.replace(";", ",").replace(" ", ",").split(",")]
    addresses = [a for a in addresses if a]
    if not addresses:
        raise ValidationError(_("Enter at least one e-mail address."))
    if len(addresses) > MAX_ADDRESSES:
        raise ValidationError(
            ngettext("At most %(n)s address.", "At most %(n)s addresses.", MAX_ADDRESSES)
            % {"n": MAX_ADDRESSES}
        )
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("“%(address)s” is not a valid e-mail address.") % {"address": address}
            ) from None
    return list(dict.fromkeys(addresses))


def subscribe(
    account: Account,
    emails: str,
    frequency: str,
    statistics: bool,
    billable: bool,
    language: str,
    user: User | None = None,
) -> ReportSubscription:
    if frequency not in dict(ReportSubscription.FREQUENCIES):
        raise ValidationError(_("Choose daily, weekly or monthly."))
    if not statistics and not billable:
        raise ValidationError(_("Choose at least one report."))
    addresses = parse_addresses(emails)
    return ReportSubscription.objects.create(
        account=account,
        emails=", ".join(addresses),
        frequency=frequency,
        statistics=statistics,
        billable=billable,
        language=language if language in ("fr", "en") else account.language,
        created_by=user,
    )


def due_period(frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period before `today` (a local date): yesterday, last Monday–Sunday
    week, or last calendar month."""
    if frequency == ReportSubscription.DAILY:
        day = today - dt.timedelta(days=1)
        return day, day
    if frequency == ReportSubscription.WEEKLY:
        this_monday = today - dt.timedelta(days=today.weekday())
        return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    return last_day.replace(day=1), last_day


def claim(sub: ReportSubscription, start: dt.date, end: dt.date) -> ReportDelivery | None:
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(
                subscription=sub, period_start=start, period_end=end
            )
    except IntegrityError:
        return None


def deliver(sub: ReportSubscription, start: dt.date, end: dt.date) -> None:
    """Build the report(s) of the period in the subscription's language and send them."""
    from portal.billing.mailtext import totals_lines
    from portal.billing.reports import billable_report, billable_workbook
    from portal.stats.mail import send_report
    from portal.stats.reports import build_report, email_lines, workbook_bytes
    from portal.stats.services import Filters

    account = sub.account
    # In the subscription's language and the account's time zone, as on the account's pages.
    with translation.override(sub.language), timezone.override(account.tz):
        attachments = []
        lines = []
        subject = _("%(account)s: report from %(start)s to %(end)s") % {
            "account": account.label,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        billable = billable_report(account, start, end) if sub.billable else None
        if sub.statistics:
            report = build_report(Filters(accounts=[account], start=start, end=end))
            lines += report.header + [""]
            lines += email_lines(report)
            content = workbook_bytes(report, billable)
            attachments.append((f"statistics-{account.number}-{start}-{end}.xlsx", content))
        elif billable is not None:
            attachments.append(
                (f"billable-{account.number}-{start}-{end}.xlsx", billable_workbook(billable))
            )
        if billable is not None:
            lines += ["", _("Billable Calls"), *totals_lines(billable["totals"])]
        send_report(sub.addresses, subject, "\n".join(lines), attachments)
    # The audit trail names who received which client data (issue 13, item 6).
    audit.record(
        "report.scheduled",
        actor="send_scheduled_reports",
        account=account,
        obj=sub,
        to=", ".join(sub.addresses),
        reports=[
            r
            for r, wanted in (("statistics", sub.statistics), ("billable", sub.billable))
            if wanted
        ],
        start=start.isoformat(),
        end=end.isoformat(),
        frequency=sub.frequency,
        files=[name for name, _content in attachments],
    )


def send_due(now: dt.datetime | None = None) -> list[ReportDelivery]:
    """Send every subscription's last complete period that was not sent yet; each period is
    claimed first, so running twice (even at the same time) sends it once."""
    now = now or timezone.now()
    sent = []
    for sub in ReportSubscription.objects.select_related("account"):
        today = now.astimezone(sub.account.tz).date()
        start, end = due_period(sub.frequency, today)
        delivery = claim(sub, start, end)
        if delivery is None:
            continue
        try:
            deliver(sub, start, end)
        except Exception:
            # Not sent: give the claim back so that the next run tries again.
            delivery.delete()
            log.exception("Scheduled report %s could not be sent", sub.pk)
            continue
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
        sent.append(delivery)
    return sent
