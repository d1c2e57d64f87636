"""Recording files against their rows: the ones a download finds missing, the note a zip
carries about them, and the nightly check of the storage (`manage.py recordings_orphans`)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.calls.models import Recording
from portal.calls.services import recording_exists, zip_entry_name
from portal.storage import is_temporary, walk

ROOT = "recordings"  # where recording_path puts every recording file
# A file younger than this may be a recording being stored right now (its file is written
# before its row): never called an orphan, never removed.
GRACE = dt.timedelta(hours=1)


def split_missing(recordings: Iterable[Recording]) -> tuple[list[Recording], list[Recording]]:
    """(the recordings whose file is there, those whose file is missing)."""
    present, missing = [], []
    for recording in recordings:
        (present if recording_exists(recording) else missing).append(recording)
    return present, missing


def _line(recording: Recording) -> str:
    started = recording.call.started_at.astimezone(recording.call.account.tz)
    return _("%(file)s — call %(call)s of %(time)s, account %(account)s") % {
        "file": zip_entry_name(recording),
        "call": recording.call.call_id,
        "time": f"{started:%Y-%m-%d %H:%M:%S}",
        "account": recording.call.account.number,
    }


def missing_note(missing: Iterable[Recording], short: Iterable[Recording] = ()) -> str:
    """MISSING.txt: what the zip lacks, in the reader's language."""
    parts = []
    missing, short = list(missing), list(short)
    if missing:
        parts.append(_("These recordings are missing from the storage; they are not in this zip:"))
        parts += [f"- {_line(r)}" for r in missing]
    if short:
        if parts:
            parts.append("")
        parts.append(
            _("These recordings could not be read in full; their files here are cut short:")
        )
        parts += [f"- {_line(r)}" for r in short]
    parts += ["", _("Contact the service if you need them.")]
    return "\r\n".join(parts) + "\r\n"


# --- The nightly check ----------------------------------------------------------------------


@dataclass
class StorageReport:
    orphans: list[str] = field(default_factory=list)  # files no recording row names
    leftovers: list[str] = field(default_factory=list)  # temporary files of an interrupted save
    missing: list[Recording] = field(default_factory=list)  # rows whose file is not there
    young: int = 0  # files too recent to judge (GRACE)


def _old(storage, name: str, now: dt.datetime) -> bool:
    try:
        return storage.get_modified_time(name) < now - GRACE
    except (NotImplementedError, OSError):
        return True


def check_storage(storage=None, now: dt.datetime | None = None) -> StorageReport:
    """Files under recordings/ that no recording names (orphans; temporary files left by an
    interrupted save), and recordings whose file is not in the storage."""
    storage = storage or default_storage
    now = now or timezone.now()
    report = StorageReport()
    named = set(Recording.objects.values_list("file", flat=True))
    present = set()
    for name in walk(storage, ROOT):
        present.add(name)
        if name in named:
            continue
        if not _old(storage, name, now):
            report.young += 1
        elif is_temporary(name):
            report.leftovers.append(name)
        else:
            report.orphans.append(name)
    rows = Recording.objects.select_related("call__account").order_by("call__started_at", "pk")
    report.missing = [r for r in rows.iterator() if r.file.name not in present]
    return report


def delete_orphans(report: StorageReport, storage=None) -> int:
    """Removes the report's orphan and leftover files (each checked again first: a recording
    that names it since is kept). Returns how many were removed."""
    storage = storage or default_storage
    removed = 0
    for name in report.orphans + report.leftovers:
        if Recording.objects.filter(file=name).exists():
            continue
        storage.delete(name)
        removed += 1
    return removed
