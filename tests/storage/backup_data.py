"""Data for the backup tests, made and read in a portal process of its own
(`manage.py shell -c "from tests.storage.backup_data import build; build()"`)."""

import datetime as dt
import hashlib
import json

from django.utils import timezone

from portal.accounts.models import Account
from portal.calls.models import Call, Recording
from portal.inbox.models import Message
from tests.calls.helpers import add_recording, make_call, make_message, wav_bytes

RECORDINGS = {"71000001": 1, "71000002": 2, "72000001": 3}  # call: seconds of audio


def expected_sha256() -> dict[str, str]:
    return {c: hashlib.sha256(wav_bytes(s)).hexdigest() for c, s in RECORDINGS.items()}


def build() -> None:
    """Two accounts, their calls, messages and recordings, through the ingest services."""
    now = timezone.now()
    for number, name in (("7100", "CLINIQUE DU PARC"), ("7200", "PLOMBERIE")):
        account = Account.objects.create(number=number, name=name, billing_number=f"9{number}")
        for i in range(1, 4):
            call_id = f"{number[:2]}00000{i}"
            call = make_call(
                account,
                call_id=call_id,
                started_at=now - dt.timedelta(hours=i),
                caller_id=f"51455501{i:02d}",
            )
            if call_id in RECORDINGS:
                add_recording(call, wav_bytes(RECORDINGS[call_id]))
            make_message(
                account, message_id=f"{number}-{i}", call_id=call_id, body=f"Rappeler {name} ({i})"
            )


def read() -> None:
    """What the portal holds, as JSON on standard output; recordings read back as bytes."""
    data = {
        "messages": [
            {"id": m.message_id, "account": m.account.number, "subject": m.subject, "body": m.body,
             "fields": m.fields, "events": m.events.count(), "taken_at": m.taken_at.isoformat()}
            for m in Message.objects.select_related("account").order_by("message_id")
        ],
        "calls": [
            {"id": c.call_id, "account": c.account.number, "started_at": c.started_at.isoformat(),
             "caller_id": c.caller_id, "duration_ms": c.duration_ms}
            for c in Call.objects.select_related("account").order_by("call_id")
        ],
        "recordings": {},
    }  # fmt: skip
    for r in Recording.objects.select_related("call").order_by("call__call_id"):
        with r.file.open("rb") as fh:
            content = fh.read()
        data["recordings"][r.call.call_id] = {
            "name": r.file.name,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "row_sha256": r.sha256,
        }
    print(json.dumps(data, sort_keys=True))
