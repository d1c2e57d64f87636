"""The ingest services: one code path for the API, the admin and the demo seeder."""

import io
import struct

import pytest

from portal.billing.services import ingest_billable, ingest_billing_lines
from portal.calls.models import Call, Recording
from portal.calls.services import TooLarge, UnsupportedMedia, ingest_calls, store_recording
from portal.inbox.models import Message
from portal.inbox.services import ingest_messages
from portal.ingest import BatchInvalid


def a_call(**kw):
    call = {
        "call_id": "15319140",
        "account": "4000",
        "started_at": "2023-04-28T08:31:00-04:00",
        "duration_s": 37,
        "queued_s": 0,
        "assigned_s": 2,
        "answered_s": 5.5,
        "work_s": 60,
        "holds_s": [12, 3],
        "agent": "ELD",
    }
    call.update(kw)
    return call


def wav_bytes(seconds=1, rate=8000) -> bytes:
    frames = b"\x00\x00" * rate * seconds
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(frames)) + frames


def test_calls_are_stored_once_and_updated_when_changed(account):
    assert ingest_calls([a_call()]).as_dict() == {"created": 1, "updated": 0, "unchanged": 0}
    assert ingest_calls([a_call()]).as_dict() == {"created": 0, "updated": 0, "unchanged": 1}
    assert ingest_calls([a_call(duration_s=40)]).as_dict() == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
    }
    call = Call.objects.get()
    assert call.duration_ms == 40_000
    assert call.hold_total_ms == 15_000 and call.hold_max_ms == 12_000
    assert call.local_minute == 8 * 60 + 31 and call.local_weekday == 4


def test_a_batch_with_one_bad_record_stores_nothing(account):
    with pytest.raises(BatchInvalid) as exc:
        ingest_calls(
            [
                a_call(call_id="1"),
                a_call(call_id="2", started_at="2023-04-28T08:31:00"),
                a_call(call_id="3", account="9999"),
                a_call(call_id="4", answered_s=99),
            ]
        )
    fields = {(e["index"], e["field"]) for e in exc.value.errors}
    assert (1, "started_at") in fields
    assert (2, "account") in fields
    assert (3, "answered_s") in fields
    assert Call.objects.count() == 0


def test_messages_append_events_once(account):
    msg = {
        "message_id": "2598662",
        "account": "4000",
        "taken_at": "2017-03-22T09:16:44-04:00",
        "subject": "RENDEZ-VOUS",
        "fields": [["Modèle", "XXXXX"], ["Serie", "10906256AJ"]],
        "events": [{"at": "2017-03-22T09:20:08-04:00", "kind": "taken"}],
    }
    assert ingest_messages([msg]).created == 1
    assert ingest_messages([msg]).unchanged == 1
    msg["events"].append(
        {
            "at": "2017-03-22T09:20:08-04:00",
            "kind": "delivered",
            "channel": "email",
            "recipient": "info@compagnie.ca",
        }
    )
    assert ingest_messages([msg]).updated == 1
    message = Message.objects.get()
    assert message.events.count() == 2
    assert "modele" in message.search_text


def test_recordings_are_checked_by_their_bytes(account):
    ingest_calls([a_call()])
    call = Call.objects.get()
    data = wav_bytes()
    assert store_recording(call, io.BytesIO(data), "audio/wav", 10**6) == "created"
    assert store_recording(call, io.BytesIO(data), "audio/wav", 10**6) == "unchanged"
    recording = Recording.objects.get()
    assert recording.size == len(data) and recording.duration_s == pytest.approx(1.0)
    with pytest.raises(UnsupportedMedia):
        store_recording(call, io.BytesIO(b"not audio at all"), "audio/wav", 10**6)
    with pytest.raises(TooLarge):
        store_recording(call, io.BytesIO(data), "audio/wav", 100)


def test_billing_ingest(account):
    assert (
        ingest_billable(
            [
                {
                    "transaction_id": "t1",
                    "account": "4000",
                    "at": "2023-03-24T08:37:00-04:00",
                    "statistic_s": 105,
                    "agent": "FA1",
                }
            ]
        ).created
        == 1
    )
    assert (
        ingest_billing_lines(
            [
                {
                    "line_id": "l1",
                    "billing_number": "784000",
                    "date": "2023-04-01",
                    "description": "Call Center Services",
                    "amount": "125.40",
                    "kind": "charge",
                }
            ]
        ).created
        == 1
    )
