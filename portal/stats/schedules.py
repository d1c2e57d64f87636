"""Scheduled reports: what is due, and sending each period exactly once.

`send_due()` is the one service that sends them: the `send_scheduled_reports` command and the
task queue's periodic task call it every few minutes. It catches up: for each subscription
that is not paused, every period (day, Monday–Sunday week, calendar month, in the account's
time zone) that ended since the subscription began — from the last complete period when it
was created or resumed — and is not sent yet is sent, oldest first. A period is sent at most
RETENTION days back (the account's retention: older calls are purged, so the report would be
wrong); older missed periods are left out (logged).

Exactly once: each (subscription, period) is one ReportDelivery row (unique key), claimed by
a conditional UPDATE (`claimed_until`, a lease of LEASE) before anything is sent, so two runs
at the same time never both send it. Each message goes to one address (its own unsubscribe
link); an address the SMTP server accepted is written to the row at once, so a retry after a
failure sends only to the others. A failed send (SMTP down) leaves the row pending with its
error; the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import clock
from portal.accounts import audit
from portal.accounts.models import Account, User
from portal.stats.models import ReportDelivery, ReportSubscription

log = logging.getLogger(__name__)
MAX_ADDRESSES = 10
# How long a run holds a period it claimed; a run that died is replaced after it.
LEASE = dt.timedelta(minutes=30)


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


def next_period(frequency: str, period: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """The period right after `period` (its end + 1 is the day after it ends)."""
    return due_period(frequency, _end_of_next(frequency, period[1] + dt.timedelta(days=1)))


def _end_of_next(frequency: str, first_day: dt.date) -> dt.date:
    """A local date whose due period is the one that begins on `first_day`."""
    if frequency == ReportSubscription.DAILY:
        return first_day + dt.timedelta(days=1)
    if frequency == ReportSubscription.WEEKLY:
        return first_day + dt.timedelta(days=7)
    return (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def began(sub: ReportSubscription) -> dt.datetime:
    """When the subscription began to count: created, or resumed after a pause."""
    return max(d for d in (sub.created_at, sub.resumed_at) if d is not None)


def due_periods(sub: ReportSubscription, now: dt.datetime) -> list[tuple[dt.date, dt.date]]:
    """Every period of `sub` that is due at `now`, oldest first: from the last complete one
    when it began (created or resumed) to the last complete one now, within the account's
    retention. Empty while paused."""
    if sub.paused_at is not None:
        return []
    tz = sub.account.tz
    today = now.astimezone(tz).date()
    last = due_period(sub.frequency, today)
    # (`now` before it began — another machine's clock behind — counts from `now`.)
    period = due_period(sub.frequency, min(began(sub), now).astimezone(tz).date())
    oldest = today - dt.timedelta(days=sub.account.retention_days)
    periods = []
    while period <= last:
        if period[0] >= oldest:
            periods.append(period)
        period = next_period(sub.frequency, period)
    return periods


def pending_periods(
    sub: ReportSubscription, now: dt.datetime | None = None
) -> list[tuple[dt.date, dt.date]]:
    """The due periods not sent yet (what the back office shows as pending)."""
    sent = {(d.period_start, d.period_end) for d in sub.deliveries.all() if d.sent_at is not None}
    return [p for p in due_periods(sub, now or clock.now()) if p not in sent]


def last_sent(sub: ReportSubscription) -> ReportDelivery | None:
    return sub.last_sent


def claim(delivery: ReportDelivery) -> bool:
    """Take `delivery` for this run: one UPDATE that only one run can win (it is not sent,
    and nobody holds it or their lease ran out)."""
    now = timezone.now()
    taken = (
        ReportDelivery.objects.filter(pk=delivery.pk, sent_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if taken:
        delivery.refresh_from_db()
    return bool(taken)


def build(sub: ReportSubscription, start: dt.date, end: dt.date) -> tuple[str, list, list]:
    """The subject, the body's lines and the attachments of one period, in the
    subscription's language and the account's time zone (as on the account's pages)."""
    from portal.billing.mailtext import totals_lines
    from portal.billing.reports import billable_report, billable_workbook
    from portal.stats.reports import build_report, email_lines, workbook_bytes
    from portal.stats.services import Filters

    account = sub.account
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
    return subject, lines, attachments


def deliver(sub: ReportSubscription, delivery: ReportDelivery) -> list[str]:
    """Send the period of `delivery` (claimed by this run) to each address of `sub` that does
    not have it yet, one message each with its unsubscribe link; returns the addresses sent
    to. An address is written to the row as soon as the server accepted it."""
    from portal.stats import subscriptions
    from portal.stats.mail import send_report

    start, end = delivery.period_start, delivery.period_end
    already = set(delivery.sent_addresses)
    to = [a for a in sub.addresses if a not in already]
    sent: list[str] = []
    if not to:
        return sent
    account = sub.account
    with translation.override(sub.language), timezone.override(account.tz):
        subject, lines, attachments = build(sub, start, end)
        connection = get_connection(fail_silently=False)
        connection.open()
        try:
            for address in to:
                url = subscriptions.unsubscribe_url(sub, address)
                footer = [
                    "",
                    "-- ",
                    _(
                        "You receive this report at %(address)s as a scheduled report of "
                        "the account %(account)s. To stop receiving it, open this link: "
                        "%(url)s"
                    )
                    % {"address": address, "account": account.number, "url": url},
                ]
                send_report(
                    [address],
                    subject,
                    "\n".join(lines + footer),
                    attachments,
                    headers=subscriptions.unsubscribe_headers(url),
                    connection=connection,
                )
                sent.append(address)
                delivery.sent_to = ", ".join([*delivery.sent_addresses, address])
                delivery.save(update_fields=["sent_to"])
        finally:
            connection.close()
            if sent:
                _record(sub, delivery, sent, [name for name, _content in attachments])
    return sent


def _record(sub, delivery, sent, files) -> None:
    # The audit trail names who received which client data (issue 13, item 6).
    audit.record(
        "report.scheduled",
        actor="send_scheduled_reports",
        account=sub.account,
        obj=sub,
        to=", ".join(sent),
        reports=[
            r
            for r, wanted in (("statistics", sub.statistics), ("billable", sub.billable))
            if wanted
        ],
        start=delivery.period_start.isoformat(),
        end=delivery.period_end.isoformat(),
        frequency=sub.frequency,
        files=files,
    )


def send_due(now: dt.datetime | None = None) -> list[ReportDelivery]:
    """Send every period that is due and not sent yet (see the module's docstring); returns
    the periods this run finished sending. `now` defaults to portal.clock.now()."""
    now = now or clock.now()
    finished = []
    for sub in ReportSubscription.objects.filter(paused_at=None).select_related("account"):
        periods = due_periods(sub, now)
        if not periods:
            continue
        rows = ReportDelivery.objects.filter(
            subscription=sub, period_start__gte=periods[0][0], period_end__lte=periods[-1][1]
        )
        known = set(rows.values_list("period_start", "period_end"))
        missing = [p for p in periods if p not in known]
        if missing:
            # A row per period; another run making the same ones at the same time is fine.
            ReportDelivery.objects.bulk_create(
                [
                    ReportDelivery(subscription=sub, period_start=s, period_end=e)
                    for s, e in missing
                ],
                ignore_conflicts=True,
            )
        pending = rows.filter(sent_at=None).order_by("period_start")
        for delivery in pending:
            if not claim(delivery):
                continue  # another run has it, or just sent it
            try:
                deliver(sub, delivery)
            except Exception as error:
                # Not sent (or not to everyone): pending, tried again at the next run.
                delivery.claimed_until = None
                delivery.last_error = f"{type(error).__name__}: {error}"[:500]
                delivery.save(update_fields=["claimed_until", "last_error"])
                log.exception(
                    "Scheduled report %s (%s–%s) could not be sent",
                    sub.pk,
                    delivery.period_start,
                    delivery.period_end,
                )
                break  # the later periods wait for this one
            delivery.sent_at = timezone.now()
            delivery.claimed_until = None
            delivery.last_error = ""
            delivery.save(update_fields=["sent_at", "claimed_until", "last_error"])
            finished.append(delivery)
    return finished
