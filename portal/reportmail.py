"""Reports sent by e-mail: sending one (its subject kept on one line), the per-login limit
on the reports a person e-mails from the pages, and the audit entry that names the
recipients.

The pages' "E-mail" buttons (Call Log, Billable Calls, Statistics) each call `refusal`
before sending and `sent` after: a login may e-mail at most
settings.PORTAL["REPORT_EMAILS_PER_HOUR"] reports (one per message, whatever the number of
addresses) in any hour, counted from the audit trail, so that the limit holds across
processes and restarts. The scheduled reports (portal.stats.schedules) go through
`send_report` too; they are not counted (the service sends them, not a login).
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import ngettext

from portal.text import single_line

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# One audit entry per report e-mailed from a page, each with `to` (the addresses).
ACTIONS = ("calls.email", "billable.email", "stats.email")
WINDOW = dt.timedelta(hours=1)


def send_report(
    to: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes]],
    headers: dict[str, str] | None = None,
    connection=None,
) -> int:
    """Send one message to `to` with .xlsx attachments (name, bytes); returns 1 when sent.
    The subject is written on one line whatever the account's name holds. `headers` adds
    header lines (the scheduled reports' List-Unsubscribe); `connection` reuses an open SMTP
    connection."""
    message = EmailMessage(
        subject=single_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers,
        connection=connection,
    )
    for name, content in attachments:
        message.attach(single_line(name), content, XLSX)
    return message.send(fail_silently=False)


def per_hour() -> int:
    return int(settings.PORTAL.get("REPORT_EMAILS_PER_HOUR", 20))


def refusal(user, now: dt.datetime | None = None) -> str | None:
    """Why `user` may not e-mail another report now (in the active language), or None.
    Counted over the last hour of the audit trail; 0 in the setting means no limit."""
    from portal.accounts.models import AuditLog

    limit = per_hour()
    if limit <= 0 or user is None or not user.is_authenticated:
        return None
    now = now or timezone.now()
    recent = list(
        AuditLog.objects.filter(user=user, action__in=ACTIONS, at__gt=now - WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    # The oldest of the last `limit` leaves the hour first: then one more may go.
    minutes = max(1, math.ceil((recent[-1] + WINDOW - now).total_seconds() / 60))
    return " ".join(
        [
            ngettext(
                "You have e-mailed %(limit)s report in the last hour, the most allowed.",
                "You have e-mailed %(limit)s reports in the last hour, the most allowed.",
                limit,
            )
            % {"limit": limit},
            ngettext(
                "Nothing was sent. You can e-mail another report in %(minutes)s minute.",
                "Nothing was sent. You can e-mail another report in %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes},
        ]
    )


def sent(request, action: str, account, to: list[str] | str, **detail) -> None:
    """The audit entry of a report e-mailed from a page: one entry per message, naming its
    recipients (`to`), the account of the page and the report's criteria."""
    from portal.accounts import audit

    assert action in ACTIONS, action
    addresses = [to] if isinstance(to, str) else list(to)
    audit.record(
        action,
        request=request,
        account=account,
        to=", ".join(addresses),
        **{k: audit.json_safe(v) for k, v in detail.items()},
    )


def queue_report(
    to: list[str], subject: str, body: str, attachments: list[tuple[str, bytes]]
) -> None:
    """What the pages' "E-mail" buttons call: the report goes by the task queue
    (portal.tasks.send_report, retried while the mail server is unreachable), so the page
    answers at once. Without REDIS_URL, or when the queue cannot be reached, it is sent here
    and now, and a mail server's refusal is raised to the page (OSError) as before."""
    from portal import tasks

    tasks.enqueue(tasks.send_report, list(to), subject, body, tasks.encode_attachments(attachments))
