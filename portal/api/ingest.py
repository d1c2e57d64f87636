"""Ingest (scope `ingest`): the platform pushes calls, recordings, messages, billable
transactions and billing lines. Contract: shared/contracts/api-v1.md, "Ingest".

The endpoints only read the request, check its shape and size, call the ingest service
(the same code the admin and the demo seeder use) and write one audit entry per request.
"""

from django.conf import settings
from django.db import IntegrityError
from ninja import Router
from pydantic import BaseModel

from portal.accounts import audit
from portal.api import errors as wording
from portal.api.auth import ApiError, invalid, require_scope
from portal.api.errors import ErrorItem, ErrorOut, errors
from portal.api.urls import document, documented, read_json
from portal.billing.services import (
    BillableBatch,
    BillingBatch,
    ingest_billable,
    ingest_billing_lines,
)
from portal.calls.models import Call, Recording
from portal.calls.services import (
    CallsBatch,
    StorageFailed,
    TooLarge,
    UnsupportedMedia,
    ingest_calls,
    store_recording,
)
from portal.inbox.services import MessagesBatch, ingest_messages
from portal.ingest import Counts

router = Router(tags=["ingest"])

INGEST = "ingest"


class BatchCounts(BaseModel):
    """What a write did: records created, updated, and sent again unchanged."""

    created: int
    updated: int
    unchanged: int


class RecordingOut(BatchCounts):
    call_id: str
    content_type: str
    size: int
    sha256: str


for _name, _model in (
    ("CallsBatch", CallsBatch),
    ("MessagesBatch", MessagesBatch),
    ("BillableBatch", BillableBatch),
    ("BillingBatch", BillingBatch),
):
    document(_name, _model)

# Every batch can answer with these (the contract's error shapes; 401, 403, 422 and 503 are
# added to every operation by the document).
ERRORS = errors(400, 409, 413)
__all__ = ["ERRORS", "BatchCounts", "ErrorItem", "ErrorOut"]


def batch_records(request, key: str) -> list:
    """The list under `key` of a JSON object body; 400/413/422 as the contract says."""
    data = read_json(request)
    if not isinstance(data, dict):
        raise invalid("", f'Expected a JSON object: {{"{key}": [...]}}.')
    records = data.get(key)
    if records is None:
        raise invalid(key, "Field required.")
    if not isinstance(records, list):
        raise invalid(key, "Expected a list of records.")
    limit = settings.PORTAL["API_MAX_BATCH"]
    if len(records) > limit:
        raise ApiError(413, wording.TOO_MANY_RECORDS.format(limit=limit, count=len(records)))
    return records


def stored(service, records: list) -> Counts:
    """Run an ingest service; once more if a concurrent request inserted some of the same
    keys first (PostgreSQL, read committed): the service rolled back, and the second run
    finds those rows and counts them as unchanged or updated."""
    try:
        return service(records)
    except IntegrityError:
        return service(records)


def audited(request, action: str, object_type: str, records: list, counts: Counts) -> dict:
    """One audit entry per request (not per record); the actor is "api:<token name>"."""
    answer = counts.as_dict()
    audit.record(
        action,
        request=request,
        object_type=object_type,
        records=len(records),
        **answer,
    )
    return answer


@router.post(
    "/ingest/calls",
    response={200: BatchCounts, **ERRORS},
    openapi_extra=documented(INGEST, body="CallsBatch"),
    summary="Calls, by call_id",
)
def post_calls(request):
    """`{"calls": [Call, ...]}`, at most 1000; atomic and idempotent by `call_id`."""
    require_scope(request, INGEST)
    records = batch_records(request, "calls")
    return audited(
        request, "api.ingest.calls", "calls.call", records, stored(ingest_calls, records)
    )


@router.post(
    "/ingest/messages",
    response={200: BatchCounts, **ERRORS},
    openapi_extra=documented(INGEST, body="MessagesBatch"),
    summary="Messages and their dispatch events, by message_id",
)
def post_messages(request):
    """`{"messages": [Message, ...]}`; events already stored are not stored twice."""
    require_scope(request, INGEST)
    records = batch_records(request, "messages")
    return audited(
        request, "api.ingest.messages", "inbox.message", records, stored(ingest_messages, records)
    )


@router.post(
    "/ingest/billable",
    response={200: BatchCounts, **ERRORS},
    openapi_extra=documented(INGEST, body="BillableBatch"),
    summary="Billable transactions, by transaction_id",
)
def post_billable(request):
    """`{"items": [Billable, ...]}`."""
    require_scope(request, INGEST)
    records = batch_records(request, "items")
    return audited(
        request,
        "api.ingest.billable",
        "billing.billabletransaction",
        records,
        stored(ingest_billable, records),
    )


@router.post(
    "/ingest/billing",
    response={200: BatchCounts, **ERRORS},
    openapi_extra=documented(INGEST, body="BillingBatch"),
    summary="Billing statement lines, by line_id",
)
def post_billing(request):
    """`{"lines": [BillingLine, ...]}`."""
    require_scope(request, INGEST)
    records = batch_records(request, "lines")
    return audited(
        request,
        "api.ingest.billing",
        "billing.billingline",
        records,
        stored(ingest_billing_lines, records),
    )


AUDIO = {"schema": {"type": "string", "format": "binary"}}


@router.put(
    "/ingest/calls/{call_id}/recording",
    response={200: RecordingOut, **errors(404, 409, 413, 415, 507)},
    openapi_extra={
        "x-scopes": [INGEST],
        "requestBody": {
            "required": True,
            "description": "The raw audio; it must really be of its Content-Type (checked by "
            "its header bytes). Size limit: PORTAL_RECORDING_MAX_BYTES (default 50 MB).",
            "content": {t: AUDIO for t in ("audio/wav", "audio/mpeg", "audio/ogg", "audio/webm")},
        },
    },
    summary="A call's recording (raw audio body)",
)
def put_recording(request, call_id: str):
    """Streamed to storage, never held whole in memory: the service reads the request
    itself (`request.read`), so `request.body` must not be touched here."""
    require_scope(request, INGEST)
    call = Call.objects.select_related("account").filter(call_id=call_id).first()
    if call is None:
        raise ApiError(404, wording.unknown("call", call_id))
    content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type not in Recording.FORMATS:
        raise ApiError(
            415,
            wording.WRONG_CONTENT_TYPE.format(
                expected=", ".join(Recording.FORMATS), got=content_type or "none"
            ),
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) or None
    except ValueError:
        length = None
    max_bytes = settings.PORTAL["RECORDING_MAX_BYTES"]
    try:
        outcome = store_recording(
            call,
            request,
            request.META.get("CONTENT_TYPE", ""),
            max_bytes,
            length,
        )
    except UnsupportedMedia as exc:
        raise ApiError(415, str(exc)) from None
    except TooLarge:
        raise ApiError(413, wording.BODY_TOO_LARGE.format(limit=max_bytes)) from None
    except StorageFailed as exc:
        raise ApiError(507, str(exc)) from None
    recording = Recording.objects.get(call=call)
    counts = Counts()
    counts.add(outcome)
    answer = counts.as_dict()
    audit.record(
        "api.ingest.recording",
        request=request,
        account=call.account,
        obj=recording,
        call_id=call.call_id,
        size=recording.size,
        sha256=recording.sha256,
        **answer,
    )
    return {
        **answer,
        "call_id": call.call_id,
        "content_type": recording.content_type,
        "size": recording.size,
        "sha256": recording.sha256,
    }
