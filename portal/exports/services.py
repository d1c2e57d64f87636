"""Long exports in the background: a big Call Log workbook, a zip of many recordings.

A page whose export is above the threshold (`in_background`) calls `start`: an ExportJob is
stored and `portal.exports.tasks.build_export` is enqueued (portal.tasks.enqueue: the worker
on Redis, or this very request without REDIS_URL, so the page then shows Download at once).
`build` runs the export's own code (its builder, named in KINDS by a dotted path so that
this module imports no domain app), writing to a temporary file while it reports its
progress every few rows, then stores the file through Django's storage API (the default
storage: the disk, or S3 when configured). Any failure leaves the job failed with a reason
the page says in the reader's language (no space left, or another error) and no file.

The file is kept PORTAL_EXPORT_KEEP_HOURS, then the nightly purge (portal.tasks.purge_expired)
deletes it with its job.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy, ngettext

from portal.exports.models import ExportJob

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@dataclass(frozen=True)
class Kind:
    builder: str  # "module.function": builder(job, out, progress) -> (count, file name)
    audit: str  # the action its download records (as the inline export does)
    label: object
    content_type: str
    holds: Callable[[int], str] = str  # "%(count)s calls": what the file holds, in words
    back: str = "calls"  # the page it was asked from (a URL name under the account)
    back_label: object = gettext_lazy("Back to the call log")


KINDS = {
    "calls.xlsx": Kind(
        "portal.calls.exports.build_call_log",
        "calls.export",
        gettext_lazy("Call log, Excel workbook"),
        XLSX,
        holds=lambda n: ngettext("%(count)s call", "%(count)s calls", n),
    ),
    "recordings.zip": Kind(
        "portal.calls.exports.build_recordings_zip",
        "recordings.download",
        gettext_lazy("Recordings, zip file"),
        "application/zip",
        holds=lambda n: ngettext("%(count)s recording", "%(count)s recordings", n),
    ),
    "billable.xlsx": Kind(
        "portal.billing.reports.build_billable",
        "billable.export",
        gettext_lazy("Billable calls, Excel workbook"),
        XLSX,
        holds=lambda n: ngettext("%(count)s call", "%(count)s calls", n),
        back="billable",
        back_label=gettext_lazy("Back to the billable calls"),
    ),
    "messages.xlsx": Kind(
        "portal.inbox.exports.build_messages",
        "messages.export",
        gettext_lazy("Messages, Excel workbook"),
        XLSX,
        holds=lambda n: ngettext("%(count)s message", "%(count)s messages", n),
        back="inbox",
        back_label=gettext_lazy("Back to the messages"),
    ),
    "messages.csv": Kind(
        "portal.inbox.exports.build_messages",
        "messages.export",
        gettext_lazy("Messages, CSV file"),
        "text/csv; charset=utf-8",
        holds=lambda n: ngettext("%(count)s message", "%(count)s messages", n),
        back="inbox",
        back_label=gettext_lazy("Back to the messages"),
    ),
}


# --- The threshold -------------------------------------------------------------------------


def inline_rows() -> int:
    return int(getattr(settings, "PORTAL_EXPORT_INLINE_ROWS", 5000))


def rows_in_background(rows: int) -> bool:
    """Is a spreadsheet of this many rows made in the background?"""
    return rows > inline_rows()


def recordings_in_background(count: int, size: int) -> bool:
    """Is a zip of `count` recordings of `size` bytes in all made in the background?"""
    return count > int(getattr(settings, "PORTAL_EXPORT_INLINE_RECORDINGS", 20)) or size > int(
        getattr(settings, "PORTAL_EXPORT_INLINE_BYTES", 50 * 1024 * 1024)
    )


# --- Starting, finding ---------------------------------------------------------------------


def start(user, account, kind: str, criteria: dict, total: int) -> ExportJob:
    """Store the job and hand it to the task queue; returns the job (done already when the
    task ran in this process)."""
    from portal.exports.tasks import build_export
    from portal.tasks import enqueue

    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    job = ExportJob.objects.create(
        account=account,
        user=user,
        kind=kind,
        criteria=criteria,
        total=max(total, 0),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        expires_at=timezone.now() + dt.timedelta(hours=keep_hours()),
    )
    enqueue(build_export, str(job.pk))
    job.refresh_from_db()
    return job


def keep_hours() -> float:
    return float(getattr(settings, "PORTAL_EXPORT_KEEP_HOURS", 24))


def job_for(user, account, job_id) -> ExportJob | None:
    """The login's own job in this account, not expired; None for anyone else's (a 404)."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    return ExportJob.objects.filter(
        pk=pk, user=user, account=account, expires_at__gt=timezone.now()
    ).first()


def recent(user, account, limit: int = 10) -> list[ExportJob]:
    """The login's latest exports in this account that are still kept."""
    return list(
        ExportJob.objects.filter(user=user, account=account, expires_at__gt=timezone.now())[:limit]
    )


# --- Building ------------------------------------------------------------------------------


def job_accounts(job: ExportJob) -> list:
    """The accounts the job was asked for (checked by the page that started it)."""
    from portal.accounts.models import Account

    numbers = job.criteria.get("accounts") or [job.account.number]
    return list(Account.objects.filter(number__in=numbers).order_by("number"))


class Progress:
    """How far a job got, written to its row every `every` items (and at the end)."""

    def __init__(self, job: ExportJob, every: int | None = None):
        self.job = job
        self.every = every or int(getattr(settings, "PORTAL_EXPORT_PROGRESS_EVERY", 500))

    def total(self, n: int) -> None:
        self.job.total = n
        ExportJob.objects.filter(pk=self.job.pk).update(total=n)

    def update(self, done: int) -> None:
        self.job.done = done
        ExportJob.objects.filter(pk=self.job.pk).update(done=done)

    def wrap(self, items: Iterable, every: int | None = None) -> Iterator:
        """`items` as they were, counted as they are taken."""
        every = every or self.every
        done = 0
        for item in items:
            yield item
            done += 1
            if done % every == 0:
                self.update(done)
        self.update(done)


def build(job_id: str) -> str:
    """Make the job's file (the task's work); returns its final status. A job already
    finished (a redelivered task) is left as it is."""
    job = ExportJob.objects.select_related("account", "user").filter(pk=job_id).first()
    if job is None or job.finished:
        return job.status if job else "missing"
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.RUNNING, done=0)
    kind = KINDS[job.kind]
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as out:
            count, name = import_string(kind.builder)(job, out, Progress(job))
            out.flush()
            size = out.seek(0, 2)
            out.seek(0)
            stored = default_storage.save(
                f"exports/{job.account.number}/{job.pk}/{name}", File(out)
            )
    except OSError as exc:
        reason = ExportJob.NO_SPACE if exc.errno in NO_SPACE_ERRNOS else ExportJob.ERROR
        log.warning("Export %s (%s) failed: %s", job.pk, job.kind, exc)
        return _fail(job, reason)
    except Exception:
        log.exception("Export %s (%s) failed", job.pk, job.kind)
        return _fail(job, ExportJob.ERROR)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.DONE,
        file_name=stored,
        download_name=name,
        size=size,
        count=count,
        done=max(count, job.done),
        finished_at=timezone.now(),
    )
    return ExportJob.DONE


def _fail(job: ExportJob, reason: str) -> str:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.FAILED, error=reason, finished_at=timezone.now()
    )
    return ExportJob.FAILED


# --- The nightly purge ---------------------------------------------------------------------


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the jobs past their expiry and their files; returns how many."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).iterator():
        if job.file_name:
            try:
                default_storage.delete(job.file_name)
            except FileNotFoundError:
                pass
            except OSError as exc:  # kept for the next night
                log.warning("Export %s: its file could not be deleted: %s", job.pk, exc)
                continue
        job.delete()
        removed += 1
    return removed
