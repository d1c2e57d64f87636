"""Calls and recordings: ingest (the one code path for the API, the admin and the seeder),
and what the Call Log section and the reading API do with them."""

import datetime as dt
import errno
import hashlib
import math
import os
import re
import tempfile
import wave
import zipfile
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from typing import IO, Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from portal.accounts.models import Account
from portal.calls import rollups
from portal.calls.callerid import with_caller_id
from portal.calls.models import Agent, Call, Recording
from portal.ingest import (
    MAX_INT,
    MAX_SECONDS,
    BatchInvalid,
    Counts,
    Seconds,
    Timestamp,
    account_errors,
    check_records,
    error,
    from_ms,
    to_ms,
    upsert,
)
from portal.storage import read_chunks


class CallIn(BaseModel):
    """A call as the platform pushes it (contract: POST /api/v1/ingest/calls)."""

    model_config = ConfigDict(extra="ignore", title="Call")

    call_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    direction: Literal["in", "out"] = "in"
    kind: Literal["voice", "transaction"] = "voice"
    started_at: Timestamp
    duration_s: Seconds
    caller_id: Annotated[str, Field(max_length=64)] | None = None
    caller_name: Annotated[str, Field(max_length=200)] | None = None
    agent: Annotated[str, Field(max_length=32)] | None = None
    station: Annotated[str, Field(max_length=32)] | None = None
    distribution_group: Annotated[int, Field(ge=0, le=MAX_INT)] = 0
    quality: Annotated[int, Field(ge=0, le=100)] | None = None
    queued_s: Seconds | None = None
    assigned_s: Seconds | None = None
    answered_s: Seconds | None = None
    work_s: Seconds | None = None
    holds_s: list[Seconds] | None = None
    patch_s: Seconds | None = None
    busy: bool = False


class CallsBatch(BaseModel):
    model_config = ConfigDict(title="CallsBatch")
    calls: list[CallIn] = Field(max_length=1000)


def consistency_errors(index: int, c: CallIn) -> list[dict]:
    """0 <= queued <= assigned <= answered <= duration; each needs the one before it."""
    errors = []
    if c.answered_s is not None and c.assigned_s is None:
        errors.append(error(index, "answered_s", "answered_s needs assigned_s."))
    if c.assigned_s is not None and c.queued_s is None:
        errors.append(error(index, "assigned_s", "assigned_s needs queued_s."))
    chain = [("queued_s", c.queued_s), ("assigned_s", c.assigned_s), ("answered_s", c.answered_s)]
    previous_name, previous = None, 0.0
    for name, value in chain:
        if value is None:
            continue
        if value < previous:
            errors.append(error(index, name, f"{name} must not be less than {previous_name}."))
        if value > c.duration_s:
            errors.append(error(index, name, f"{name} must not be more than duration_s."))
        previous_name, previous = name, value
    return errors


def resolve_accounts(numbers: set[str]) -> dict[str, Account]:
    return {a.number: a for a in Account.objects.filter(number__in=numbers)}


def check_batch(records: Any, schema) -> tuple[list, dict[str, Account], list[dict]]:
    """Schema errors and unknown accounts, every record at once."""
    items, errors = check_records(records, schema)
    # Only text can be an account number (a list or an object would not even be hashable).
    numbers = {
        r["account"] for r in records if isinstance(r, dict) and isinstance(r.get("account"), str)
    }
    accounts = resolve_accounts(numbers)
    errors += account_errors(records, items, set(accounts))
    errors.sort(key=lambda e: e["index"] if e["index"] is not None else -1)
    return items, accounts, errors


def agents_by_code(codes: set[str]) -> dict[str, Agent]:
    codes = {c for c in codes if c}
    found = {a.code: a for a in Agent.objects.filter(code__in=codes)}
    missing = [Agent(code=c) for c in codes - found.keys()]
    if missing:
        Agent.objects.bulk_create(missing, ignore_conflicts=True)
        found = {a.code: a for a in Agent.objects.filter(code__in=codes)}
    return found


def stat_class(
    duration_ms: int,
    busy: bool,
    queued_ms: int | None,
    assigned_ms: int | None,
    answered_ms: int | None,
) -> int:
    """The call's place in the statistics, by the contract's definitions:
    not counted (not in Total Incoming: 6 s or less, or busy), automated, system abandon,
    agent abandon, or answered."""
    if duration_ms <= 6000 or busy:
        return Call.NOT_COUNTED
    if queued_ms is None:
        return Call.AUTOMATED
    if answered_ms is not None and duration_ms - answered_ms < 10000:
        return Call.AUTOMATED
    if answered_ms is None and duration_ms - queued_ms < 10000:
        return Call.AUTOMATED
    if assigned_ms is None:
        return Call.SYSTEM_ABANDON
    if answered_ms is None:
        return Call.AGENT_ABANDON
    return Call.ANSWERED


def call_row(c: CallIn, account: Account, agent: Agent | None) -> dict[str, Any]:
    local = c.started_at.astimezone(account.tz)
    holds = [to_ms(h) for h in (c.holds_s or [])]
    return {
        "call_id": c.call_id,
        "account_id": account.pk,
        "direction": c.direction,
        "kind": c.kind,
        "started_at": c.started_at,
        "duration_ms": to_ms(c.duration_s),
        "caller_id": c.caller_id or "",
        "caller_name": c.caller_name or "",
        "agent_id": agent.pk if agent else None,
        "station": c.station or "",
        "distribution_group": c.distribution_group,
        "quality": c.quality,
        "queued_ms": to_ms(c.queued_s),
        "assigned_ms": to_ms(c.assigned_s),
        "answered_ms": to_ms(c.answered_s),
        "work_ms": to_ms(c.work_s),
        "holds_ms": holds,
        "hold_total_ms": sum(holds),
        "hold_max_ms": max(holds, default=0),
        "patch_ms": to_ms(c.patch_s) or 0,
        "busy": c.busy,
        "stat_class": stat_class(
            to_ms(c.duration_s), c.busy, to_ms(c.queued_s), to_ms(c.assigned_s), to_ms(c.answered_s)
        ),
        "local_date": local.date(),
        "local_minute": local.hour * 60 + local.minute,
        "local_weekday": local.weekday(),
    }


def ingest_calls(records: Any) -> Counts:
    """Store a batch of calls atomically (all or none), idempotent by call_id."""
    calls, accounts, errors = check_batch(records, CallIn)
    for i, c in enumerate(calls):
        if c is not None:
            errors.extend(consistency_errors(i, c))
    if errors:
        raise BatchInvalid(errors)
    with transaction.atomic():
        agents = agents_by_code({c.agent for c in calls if c.agent})
        rows = [call_row(c, accounts[c.account], agents.get(c.agent or "")) for c in calls]
        # The statistics' rollups: every hour bucket a call leaves or enters is recounted.
        before = rollups.stored_buckets([r["call_id"] for r in rows])
        counts, _objs = upsert(Call, "call_id", rows, returning=False)
        if counts.created or counts.updated:
            rollups.refresh(before | rollups.buckets_of(rows))
    return counts


def call_as_dict(call: Call) -> dict[str, Any]:
    """A call as ingested (the contract's Call), for the reading API and exports."""
    return {
        "call_id": call.call_id,
        "account": call.account.number,
        "direction": call.direction,
        "kind": call.kind,
        "started_at": call.started_at.astimezone(call.account.tz).isoformat(),
        "duration_s": from_ms(call.duration_ms),
        "caller_id": call.caller_id or None,
        "caller_name": call.caller_name or None,
        "agent": call.agent.code if call.agent_id else None,
        "station": call.station or None,
        "distribution_group": call.distribution_group,
        "quality": call.quality,
        "queued_s": from_ms(call.queued_ms),
        "assigned_s": from_ms(call.assigned_ms),
        "answered_s": from_ms(call.answered_ms),
        "work_s": from_ms(call.work_ms),
        "holds_s": [from_ms(h) for h in call.holds_ms],
        "patch_s": from_ms(call.patch_ms),
        "busy": call.busy,
    }


def recompute_local_fields(account: Account) -> int:
    """After an account's time zone changes, its calls' local date/minute/weekday follow."""
    changed = []
    tz = account.tz
    for call in Call.objects.filter(account=account).only("id", "started_at"):
        local = call.started_at.astimezone(tz)
        call.local_date = local.date()
        call.local_minute = local.hour * 60 + local.minute
        call.local_weekday = local.weekday()
        changed.append(call)
    with transaction.atomic():
        Call.objects.bulk_update(
            changed, ["local_date", "local_minute", "local_weekday"], batch_size=1000
        )
        rollups.rebuild([account.pk])
    return len(changed)


# --- Recordings --------------------------------------------------------------------------


class UnsupportedMedia(Exception):
    pass


class TooLarge(Exception):
    pass


class StorageFailed(Exception):
    """The recording could not be written (a full disk, most often): nothing was kept, neither
    a file nor a row, and a retry once there is room stores it whole (API: 507)."""

    def __init__(self, exc: OSError):
        self.errno = exc.errno
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            reason = "Not enough storage space for the recording"
        else:
            reason = f"The recording could not be stored ({exc.strerror or exc})"
        super().__init__(f"{reason}; nothing was stored. Try again later.")


def sniff(content_type: str, head: bytes) -> bool:
    """Is `head` really the start of a file of this type (checked by its header bytes)?"""
    if content_type == "audio/wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if content_type == "audio/mpeg":
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if content_type == "audio/ogg":
        return head[:4] == b"OggS"
    if content_type == "audio/webm":
        return head[:4] == b"\x1a\x45\xdf\xa3"
    return False


def wav_duration(path: str) -> float | None:
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


CHUNK = 64 * 1024


def store_recording(
    call: Call, stream: IO[bytes], content_type: str, max_bytes: int, length: int | None = None
) -> str:
    """Stream a recording to storage (never whole in memory). Returns created/updated/unchanged.

    Raises UnsupportedMedia when the type is not one of the contract's or the bytes are not
    of that type, TooLarge past `max_bytes`, StorageFailed when it cannot be written (then
    nothing is kept: no file, no row).
    """
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type not in Recording.FORMATS:
        raise UnsupportedMedia(f"Unsupported Content-Type: {content_type or 'none'}")
    if length is not None and length > max_bytes:
        raise TooLarge(f"The recording is larger than {max_bytes} bytes.")
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(delete=False, suffix=".part") as tmp:
        try:
            head = b""
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"The recording is larger than {max_bytes} bytes.")
                digest.update(chunk)
                try:
                    tmp.write(chunk)
                except OSError as exc:
                    raise StorageFailed(exc) from exc
            try:
                tmp.flush()
            except OSError as exc:
                raise StorageFailed(exc) from exc
            if size == 0 or not sniff(content_type, head):
                raise UnsupportedMedia(f"The body is not {content_type}.")
            sha = digest.hexdigest()
            existing = Recording.objects.filter(call=call).first()
            if existing and existing.sha256 == sha and existing.content_type == content_type:
                return "unchanged"
            duration = wav_duration(tmp.name) if content_type == "audio/wav" else None
            ext = Recording.FORMATS[content_type]
            with open(tmp.name, "rb") as fh:
                recording = existing or Recording(call=call)
                old_name = existing.file.name if existing else None
                recording.content_type = content_type
                recording.size = size
                recording.sha256 = sha
                recording.duration_s = duration
                try:
                    # The storage writes a temporary name and links it into place
                    # (portal.storage): a failure leaves no file behind.
                    recording.file.save(f"{call.call_id}-{sha[:12]}.{ext}", File(fh), save=False)
                except OSError as exc:
                    raise StorageFailed(exc) from exc
                try:
                    recording.save()
                except Exception:
                    recording.file.storage.delete(recording.file.name)
                    raise
            if old_name and old_name != recording.file.name:
                recording.file.storage.delete(old_name)
            return "updated" if existing else "created"
        finally:
            tmp.close()
            os.unlink(tmp.name)


# --- Reading: the Call Log section and the reading API ---------------------------------------

PRESETS = {"hour": 1, "3hours": 3, "6hours": 6, "12hours": 12}
RECENT_DAYS = 7


@dataclass
class CallFilter:
    """The Call Log's criteria. Times are aware datetimes; durations in seconds; empty = any."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    caller_id: str = ""
    account_number: str = ""
    billing_number: str = ""
    call_id: str = ""
    agent: str = ""
    station: str = ""
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    account_name: str = ""
    min_quality: int | None = None
    max_quality: int | None = None


def preset_range(preset: str, tz, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Previous hour / three / six / twelve hours, or since midnight in the account's zone."""
    if preset in PRESETS:
        return now - dt.timedelta(hours=PRESETS[preset]), now
    local = now.astimezone(tz)
    midnight = dt.datetime.combine(local.date(), dt.time.min, tzinfo=tz)
    return midnight, now


def find_calls(
    accounts: Iterable[Account], f: CallFilter, now: dt.datetime | None = None
) -> QuerySet[Call]:
    """The calls of `accounts` matching `f`, newest first, within each account's retention."""
    now = now or timezone.now()
    per_account = Q(pk__in=[])
    for account in accounts:
        cutoff = now - dt.timedelta(days=account.retention_days)
        per_account |= Q(account=account, started_at__gte=max(cutoff, f.start or cutoff))
    qs = Call.objects.filter(per_account)
    if f.end is not None:
        qs = qs.filter(started_at__lte=f.end)
    if f.caller_id.strip():
        from portal.directory.services import phone_digits

        # "(514) 775-3875" finds 5147753875, as the platform sends caller IDs.
        wanted = phone_digits(f.caller_id.strip()) or f.caller_id.strip()
        qs = with_caller_id(qs, wanted)
    if f.account_number.strip():
        qs = qs.filter(account__number=f.account_number.strip())
    if f.billing_number.strip():
        qs = qs.filter(account__billing_number=f.billing_number.strip())
    if f.call_id.strip():
        qs = qs.filter(call_id=f.call_id.strip())
    if f.agent.strip():
        agents = Agent.objects.filter(code__iexact=f.agent.strip())
        qs = qs.filter(agent__in=list(agents.values_list("pk", flat=True)))
    if f.station.strip():
        qs = qs.filter(station=f.station.strip())
    # Bounds that are not finite (NaN, infinity) say nothing; huge ones are clamped so that
    # the database can compare them.
    if f.min_duration_s and math.isfinite(f.min_duration_s):
        qs = qs.filter(duration_ms__gte=to_ms(min(f.min_duration_s, MAX_SECONDS)))
    if f.max_duration_s is not None and math.isfinite(f.max_duration_s):
        qs = qs.filter(duration_ms__lte=to_ms(max(-1, min(f.max_duration_s, MAX_SECONDS))))
    if f.account_name.strip():
        qs = qs.filter(account__name__icontains=f.account_name.strip())
    if f.min_quality:
        qs = qs.filter(quality__gte=f.min_quality)
    if f.max_quality is not None and f.max_quality < 100:
        qs = qs.filter(quality__lte=f.max_quality)
    return qs.order_by("-started_at", "-id")


def split_recent(qs: QuerySet[Call], now: dt.datetime | None = None):
    """The seed's two sections: the last 7 days ("Call Log Search Results"), then 8 to 60
    days ("Archive")."""
    now = now or timezone.now()
    edge = now - dt.timedelta(days=RECENT_DAYS)
    return qs.filter(started_at__gte=edge), qs.filter(started_at__lt=edge)


def totals(qs: QuerySet[Call]) -> dict[str, Any]:
    """How many calls and their total duration in minutes, one decimal (the WebPortal's)."""
    agg = qs.order_by().aggregate(n=Count("account_id"), ms=Sum("duration_ms"))
    return _totals(agg["n"], agg["ms"])


def _totals(n: int, ms: int | None) -> dict[str, Any]:
    return {"count": n, "minutes": round((ms or 0) / 60000, 1)}


def split_totals(qs: QuerySet[Call], now: dt.datetime | None = None) -> tuple[dict, dict]:
    """`totals` of split_recent's two sections, from one query: one pass over the calls
    found (a caller-ID search reads its index once, not once a section)."""
    now = now or timezone.now()
    recent = Q(started_at__gte=now - dt.timedelta(days=RECENT_DAYS))
    agg = qs.order_by().aggregate(
        n=Count("account_id", filter=recent),
        ms=Sum("duration_ms", filter=recent),
        archive_n=Count("account_id", filter=~recent),
        archive_ms=Sum("duration_ms", filter=~recent),
    )
    return _totals(agg["n"], agg["ms"]), _totals(agg["archive_n"], agg["archive_ms"])


def call_for(accounts: Iterable[Account], call_id: str, now: dt.datetime | None = None):
    """One call of these accounts, within retention, or None (another account's: None)."""
    return (
        find_calls(accounts, CallFilter(), now)
        .select_related("account", "agent")
        .filter(call_id=call_id)
        .first()
    )


def format_hms(ms: int) -> str:
    seconds = int(round(ms / 1000))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def total_minutes(qs: QuerySet[Call], now: dt.datetime | None = None) -> float:
    """The Call Log's "Total Duration": its two sections' totals added, as the page shows it."""
    recent, archive = split_totals(qs, now)
    return round(recent["minutes"] + archive["minutes"], 1)


def has_recording(call: Call) -> bool:
    try:
        return call.recording is not None
    except ObjectDoesNotExist:
        return False


def call_info(call: Call) -> str:
    """The Call Info column: "Details" for a transaction, "Voice" where there is a
    recording, else nothing (as the Call Log shows it)."""
    from django.utils.translation import gettext as _

    if call.kind == Call.TRANSACTION:
        return _("Details")
    return _("Voice") if has_recording(call) else ""


# --- Serving recordings: HTTP Range, streamed from storage ----------------------------------

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | Literal[False]:
    """(first, last) byte of a single Range, None when there is none, False when it cannot
    be satisfied (416)."""
    if not header:
        return None
    m = RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # not a form we answer: send the whole file
    if m.group(1):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else size - 1
    else:
        first, last = max(size - int(m.group(2)), 0), size - 1
    last = min(last, size - 1)
    if first > last or first >= size:
        return False
    return first, last


class RecordingMissing(Exception):
    """The recording's row is there but its file is not in the storage."""


def recording_exists(recording: Recording) -> bool:
    """Is the recording's file in the storage? (A storage that cannot be asked: no.)"""
    try:
        return bool(recording.file.name) and recording.file.storage.exists(recording.file.name)
    except OSError:
        return False


def recording_response(request, recording: Recording, download: bool = False):
    """The recording as the browser's audio element wants it: 206 for a Range, 200 whole,
    416 for a range past the end; never read whole into memory. RecordingMissing (before any
    byte is sent) when its file is not in the storage."""
    from django.http import HttpResponse, StreamingHttpResponse
    from django.utils.http import content_disposition_header

    size = recording.size
    wanted = parse_range(request.headers.get("Range"), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted if wanted else (0, size - 1)
    try:
        # Any storage (portal.storage): on S3 one ranged GET, streamed through.
        chunks = read_chunks(recording.file.storage, recording.file.name, first, last - first + 1)
    except FileNotFoundError:
        raise RecordingMissing(recording.file.name) from None
    response = StreamingHttpResponse(
        chunks,
        status=206 if wanted else 200,
        content_type=recording.content_type,
    )
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    name = f"{recording.call.call_id}.{recording.extension}"
    response["Content-Disposition"] = content_disposition_header(download, name)
    response["Cache-Control"] = "private, max-age=0"
    return response


class _Pipe:
    """A write-only file object whose written bytes the zip generator hands on."""

    def __init__(self):
        self.buffer: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.buffer.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.buffer)
        self.buffer.clear()
        return data


def zip_entry_name(recording: Recording) -> str:
    started = recording.call.started_at.astimezone(recording.call.account.tz)
    return f"{started:%Y-%m-%d_%H%M%S}_{recording.call.call_id}.{recording.extension}"


MISSING_NOTE = "MISSING.txt"


def zip_recordings(recordings: Iterable[Recording], missing: Iterable[Recording] = ()):
    """A zip of the recordings, produced piece by piece (nothing whole in memory).

    It never breaks off: a recording whose file is missing (`missing`, checked before the
    download starts, or found missing or unreadable while streaming) is left out or cut
    short, and the zip ends with MISSING.txt naming each one, in the reader's language."""
    from portal.calls.recording_files import missing_note

    pipe = _Pipe()
    missing = list(missing)
    short: list[Recording] = []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as zf:
        for recording in recordings:
            started = recording.call.started_at.astimezone(recording.call.account.tz)
            info = zipfile.ZipInfo(zip_entry_name(recording), date_time=started.timetuple()[:6])
            info.file_size = recording.size
            try:
                src = read_chunks(recording.file.storage, recording.file.name)
            except OSError:
                missing.append(recording)
                continue
            written = 0
            with closing(src), zf.open(info, "w") as dest:
                while True:
                    try:
                        data = next(src, b"")
                    except OSError:
                        break
                    if not data:
                        break
                    written += len(data)
                    dest.write(data)
                    yield pipe.take()
            if written != recording.size:
                short.append(recording)
        if missing or short:
            zf.writestr(MISSING_NOTE, missing_note(missing, short).encode("utf-8"))
        yield pipe.take()
    yield pipe.take()
