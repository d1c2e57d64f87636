"""The portal's background work as Celery tasks: thin wrappers of the services, which keep the
domain logic (and stay what the management commands call by hand).

Every task is safe to run again (a retry, a redelivery after a worker died, the beat and a
person at once): the scheduled reports claim each period once, a gap alert is one task per
account (a retry re-sends only that account's), the purge and the orphans' check only find
less to do. A report e-mail is sent at least once: a worker killed between the mail server's
"250 OK" and the acknowledgement sends it again.

They are acknowledged late (settings: CELERY_TASK_ACKS_LATE) and have time limits; the ones
that talk to a mail server retry on its errors with growing delays. Without REDIS_URL they run
in the caller (portal/celery.py) and a failure is raised there at once, without retries.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging

from celery import Task, shared_task
from django.conf import settings

log = logging.getLogger(__name__)

# smtplib.SMTPException, refused connections and timeouts are all OSError.
MAIL_ERRORS = (OSError,)
MAIL_RETRY = {
    "autoretry_for": MAIL_ERRORS,
    # 30 s, 60 s, 120 s … (PORTAL_TASK_RETRY_SECONDS), with jitter, at most half an hour.
    "retry_backoff": settings.PORTAL_TASK_RETRY_SECONDS,
    "retry_backoff_max": max(settings.PORTAL_TASK_RETRY_SECONDS, 30 * 60),
    "retry_jitter": True,
    "max_retries": 10,  # over about two hours at most (the jitter draws each delay below it)
}


class PortalTask(Task):
    """Acknowledged once run; in-process (no REDIS_URL) a failure is not retried but raised
    in the caller, which says so (e.g. "The e-mail could not be sent")."""

    acks_late = True
    reject_on_worker_lost = True

    def retry(self, args=None, kwargs=None, exc=None, throw=True, **options):
        if self.request.is_eager and exc is not None:
            raise exc
        return super().retry(args=args, kwargs=kwargs, exc=exc, throw=throw, **options)


def enqueue(task, *args, **kwargs) -> None:
    """Send `task` to the queue once the caller's transaction commits (at once outside one;
    Django's transaction.on_commit, as pretix's TransactionAwareTask): the worker then reads
    what the caller wrote, and a change rolled back sends nothing. When the queue cannot be
    reached (Redis down) it runs here and now instead, its failure raised to the caller;
    without REDIS_URL it runs here anyway. Inside a transaction that failure is raised when
    the transaction commits (the change stays)."""
    from django.db import transaction

    transaction.on_commit(_Send(task, args, kwargs))


class _Send:
    """What enqueue hands to transaction.on_commit (the tests' conftest recognises it: their
    own transaction, rolled back at the end, stands for none)."""

    def __init__(self, task, args, kwargs):
        self.task, self.args, self.kwargs = task, args, kwargs

    def __call__(self):
        from kombu.exceptions import OperationalError

        try:
            return self.task.delay(*self.args, **self.kwargs)
        except OperationalError:
            log.warning("Task queue unreachable: %s run in this process", self.task.name)
            return self.task.apply(args=self.args, kwargs=self.kwargs, throw=True)


# E-mails ----------------------------------------------------------------------------------


@shared_task(base=PortalTask, name="portal.tasks.send_email", **MAIL_RETRY)
def send_email(subject: str, body: str, to: list[str]) -> int:
    """A plain e-mail from DEFAULT_FROM_EMAIL (the password reset link)."""
    from django.core.mail import send_mail

    return send_mail(subject, body, None, to, fail_silently=False)


# E-mailed reports -------------------------------------------------------------------------


def encode_attachments(attachments: list[tuple[str, bytes]]) -> list[list[str]]:
    """(name, bytes) as JSON can carry them."""
    return [[name, base64.b64encode(content).decode("ascii")] for name, content in attachments]


@shared_task(base=PortalTask, name="portal.tasks.send_report", **MAIL_RETRY)
def send_report(to: list[str], subject: str, body: str, attachments: list[list[str]]) -> int:
    """One report e-mailed from a page (portal.reportmail.queue_report)."""
    from portal import reportmail

    files = [(name, base64.b64decode(content)) for name, content in attachments]
    return reportmail.send_report(to, subject, body, files)


# Scheduled reports ------------------------------------------------------------------------


@shared_task(base=PortalTask, name="portal.tasks.send_scheduled_reports")
def send_scheduled_reports() -> int:
    """Every subscription's periods that are due and not sent yet (stats.schedules); each
    period is claimed before it is sent, so two runs at once send it once."""
    from portal.stats.schedules import send_due

    return len(send_due())


# Gap alerts -------------------------------------------------------------------------------


@shared_task(base=PortalTask, name="portal.tasks.oncall_gap_alerts")
def oncall_gap_alerts(days: int = 7) -> int:
    """One task per account (oncall_gap_alert), all for the same stretch of time."""
    from django.utils import timezone

    from portal.accounts.models import Account

    now = timezone.now().isoformat()
    numbers = list(Account.objects.order_by("number").values_list("number", flat=True))
    for number in numbers:
        oncall_gap_alert.delay(number, days, now)
    return len(numbers)


@shared_task(base=PortalTask, name="portal.tasks.oncall_gap_alert", **MAIL_RETRY)
def oncall_gap_alert(number: str, days: int, now: str) -> list[str]:
    """The gap alert of one account (oncall.alerts.send_gap_alerts); the addresses told."""
    from portal.oncall.alerts import send_gap_alerts

    unreached: list[str] = []
    sent = send_gap_alerts(
        days=days, now=dt.datetime.fromisoformat(now), unreached=unreached, numbers=[number]
    )
    if unreached:
        log.warning(
            "Account %s: unassigned on-call time ahead, but no client admin has an e-mail "
            "address: nobody was told.",
            number,
        )
    return [address for _number, addresses in sent for address in addresses]


# Retention --------------------------------------------------------------------------------


@shared_task(base=PortalTask, name="portal.tasks.purge_expired")
def purge_expired(batch_size: int = 1000) -> dict[str, int]:
    """Each account's messages, calls and recordings older than its retention
    (inbox.services.purge_expired), in batches; then the background exports past their
    expiry, with their files (exports.services.purge_expired)."""
    from portal.exports.services import purge_expired as purge_exports
    from portal.inbox.services import purge_expired as purge

    total = {"messages": 0, "calls": 0, "recordings": 0}
    for account, removed in purge(batch_size=batch_size):
        for key, n in removed.items():
            total[key] += n
        log.info("Purged account %s: %s", account.number, removed)
    exports = purge_exports()  # the background exports past their expiry, with their files
    if exports:
        total["exports"] = exports
    from portal.webhooks.services import purge_deliveries

    deliveries = purge_deliveries()  # the webhooks' delivery log past the retention period
    if deliveries:
        total["webhook_deliveries"] = deliveries
    return total


# Recordings' storage ----------------------------------------------------------------------


@shared_task(base=PortalTask, name="portal.tasks.recordings_orphans")
def recordings_orphans(delete: bool = False) -> dict[str, int]:
    """The nightly check of the recordings' storage (calls.recording_files): what is wrong is
    logged as a warning; with `delete`, the orphan files are removed (never a recording)."""
    from portal.calls.recording_files import check_storage, delete_orphans

    report = check_storage()
    summary = {
        "orphans": len(report.orphans),
        "leftovers": len(report.leftovers),
        "missing": len(report.missing),
        "young": report.young,
        "removed": delete_orphans(report) if delete else 0,
    }
    if report.orphans or report.leftovers or report.missing:
        log.warning(
            "Recordings' storage: %(orphans)s orphan file(s), %(leftovers)s interrupted "
            "save(s), %(missing)s recording(s) without a file, %(removed)s file(s) removed "
            "(manage.py recordings_orphans lists them).",
            summary,
        )
    return summary
