"""Ingest of calls and recordings: the one code path for the API, the admin and the seeder."""

import hashlib
import os
import tempfile
import wave
from typing import IO, Annotated, Any, Literal

from django.core.files import File
from django.db import transaction
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.accounts.models import Account
from portal.calls.models import Agent, Call, Recording
from portal.ingest import (
    BatchInvalid,
    Counts,
    account_errors,
    check_records,
    error,
    from_ms,
    to_ms,
    upsert,
)

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class CallIn(BaseModel):
    """A call as the platform pushes it (contract: POST /api/v1/ingest/calls)."""

    model_config = ConfigDict(extra="ignore", title="Call")

    call_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    direction: Literal["in", "out"] = "in"
    kind: Literal["voice", "transaction"] = "voice"
    started_at: AwareDatetime
    duration_s: Seconds
    caller_id: Annotated[str, Field(max_length=64)] | None = None
    caller_name: Annotated[str, Field(max_length=200)] | None = None
    agent: Annotated[str, Field(max_length=32)] | None = None
    station: Annotated[str, Field(max_length=32)] | None = None
    distribution_group: Annotated[int, Field(ge=0)] = 0
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
    numbers = {r.get("account") for r in records if isinstance(r, dict)}
    accounts = resolve_accounts({n for n in numbers if isinstance(n, str)})
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
        counts, _objs = upsert(Call, "call_id", rows)
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
    Call.objects.bulk_update(
        changed, ["local_date", "local_minute", "local_weekday"], batch_size=1000
    )
    return len(changed)


# --- Recordings --------------------------------------------------------------------------


class UnsupportedMedia(Exception):
    pass


class TooLarge(Exception):
    pass


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
    of that type, TooLarge past `max_bytes`.
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
                tmp.write(chunk)
            tmp.flush()
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
                recording.file.save(f"{call.call_id}-{sha[:12]}.{ext}", File(fh), save=False)
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
