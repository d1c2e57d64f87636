"""Test data through the ingest services (the same code path as the API)."""

import datetime as dt
import io
import math
import struct

from django.utils import timezone

from portal.calls.models import Call
from portal.calls.services import ingest_calls, store_recording
from portal.inbox.models import Message
from portal.inbox.services import ingest_messages

_seq = iter(range(10_000_000, 99_999_999))


def wav_bytes(seconds: float = 4, rate: int = 8000) -> bytes:
    """A real, audible WAV: a 440 Hz tone, 16-bit mono."""
    n = int(seconds * rate)
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n)
    )
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(frames)) + frames


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def make_call(account, ago=dt.timedelta(minutes=30), **kw) -> Call:
    call_id = kw.pop("call_id", None) or str(next(_seq))
    record = {
        "call_id": call_id,
        "account": account.number,
        "started_at": iso(kw.pop("started_at", None) or timezone.now() - ago),
        "duration_s": 291,
        "agent": "F-CAROLANE",
        "station": "14",
        "caller_id": "5149150123",
        "quality": 80,
    }
    record.update(kw)
    ingest_calls([record])
    return Call.objects.get(call_id=call_id)


def add_recording(call: Call, data: bytes | None = None) -> Call:
    data = data if data is not None else wav_bytes(1)
    store_recording(call, io.BytesIO(data), "audio/wav", 50 * 1024 * 1024, len(data))
    call.refresh_from_db()
    return call


def make_message(account, ago: dt.timedelta | None = None, **kw) -> Message:
    """A message taken `ago` before now; by default a little while ago, but always today
    in the account's zone (tests that filter on "Today" also run just after midnight)."""
    message_id = kw.pop("message_id", None) or str(next(_seq))
    now = timezone.now()
    if ago is None:
        midnight = now.astimezone(account.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        taken = max(now - dt.timedelta(minutes=30), midnight)
    else:
        taken = now - ago
    taken = kw.pop("taken_at", None) or taken
    record = {
        "message_id": message_id,
        "account": account.number,
        "taken_at": iso(taken),
        "subject": "RENDEZ-VOUS",
        "fields": [["Prénom", "Luc"], ["Modèle", "XR-200"], ["Tel", "(514) 521-0000"]],
        "body": "Rappeler avant midi.",
        "agent": "ELD",
        "events": [
            {
                "at": iso(taken + dt.timedelta(minutes=4)),
                "kind": "initiated",
                "channel": "email",
                "recipient": "info@compagnie.ca",
            },
            {
                "at": iso(taken + dt.timedelta(minutes=4)),
                "kind": "completed",
                "channel": "email",
                "recipient": "info@compagnie.ca",
            },
            {"at": iso(taken + dt.timedelta(minutes=4)), "kind": "delivered"},
            {"at": iso(taken), "kind": "taken"},
        ],
    }
    record.update(kw)
    ingest_messages([record])
    return Message.objects.get(message_id=message_id)
