"""Records as the platform sends them, and real audio headers for the recording tests."""

import io
import struct
import wave

CALLS = "/api/v1/ingest/calls"
MESSAGES = "/api/v1/ingest/messages"
BILLABLE = "/api/v1/ingest/billable"
BILLING = "/api/v1/ingest/billing"


def recording_url(call_id: str) -> str:
    return f"/api/v1/ingest/calls/{call_id}/recording"


def a_call(call_id="15319140", **kw) -> dict:
    call = {
        "call_id": call_id,
        "account": "4000",
        "direction": "in",
        "kind": "voice",
        "started_at": "2023-04-28T08:31:00-04:00",
        "duration_s": 37,
        "caller_id": "5145550199",
        "caller_name": "TREMBLAY J",
        "agent": "F-CAROLANE",
        "station": "12",
        "distribution_group": 2,
        "quality": 88,
        "queued_s": 0,
        "assigned_s": 2,
        "answered_s": 5.5,
        "work_s": 60,
        "holds_s": [12, 3],
        "patch_s": 0,
        "busy": False,
    }
    call.update(kw)
    return call


def a_message(message_id="2598662", **kw) -> dict:
    message = {
        "message_id": message_id,
        "account": "4000",
        "taken_at": "2023-04-28T08:32:00-04:00",
        "call_id": "15319140",
        "agent": "ELD",
        "subject": "RENDEZ-VOUS",
        "fields": [["Prénom", "Julie"], ["Tel", "(514) 521-0000"]],
        "body": "Veut déplacer son rendez-vous de jeudi.",
        "urgent": False,
        "status": "open",
        "events": [
            {
                "at": "2023-04-28T08:32:00-04:00",
                "kind": "taken",
                "channel": None,
                "recipient": None,
            },
            {
                "at": "2023-04-28T08:33:00-04:00",
                "kind": "delivered",
                "channel": "email",
                "recipient": "client@example.com",
            },
        ],
    }
    message.update(kw)
    return message


def a_billable(transaction_id="T-1", **kw) -> dict:
    item = {
        "transaction_id": transaction_id,
        "account": "4000",
        "at": "2023-04-28T08:31:00-04:00",
        "description": "Appel entrant",
        "number": "5145550199",
        "caller_name": "TREMBLAY J",
        "agent": "ELD",
        "statistic_s": 95,
    }
    item.update(kw)
    return item


def a_line(line_id="L-1", **kw) -> dict:
    line = {
        "line_id": line_id,
        "billing_number": "784000",
        "date": "2023-04-19",
        "description": "Frais mensuels",
        "amount": "125.40",
        "kind": "charge",
    }
    line.update(kw)
    return line


# --- Audio: small but real files (the endpoint checks the header bytes) -------------------


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(rate * seconds))
    return out.getvalue()


def mp3_bytes() -> bytes:
    """An ID3v2 tag followed by one MPEG-1 Layer III frame header (128 kb/s, 44.1 kHz)."""
    id3 = b"ID3" + bytes([4, 0, 0]) + bytes([0, 0, 0, 0])
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return id3 + frame


def mp3_frame_bytes() -> bytes:
    """An MP3 without a tag: starts directly with a frame sync."""
    return b"\xff\xfb\x90\x64" + b"\x00" * 413


def ogg_bytes() -> bytes:
    """An Ogg page header (capture pattern "OggS", version 0, beginning of stream)."""
    header = b"OggS" + bytes([0, 0x02]) + struct.pack("<qIIIB", 0, 1, 0, 0, 1) + bytes([30])
    return header + b"\x01vorbis" + b"\x00" * 23


def webm_bytes() -> bytes:
    """An EBML header whose DocType is "webm"."""
    doctype = b"\x42\x82\x84webm"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doctype)]) + doctype + b"\x00" * 32
