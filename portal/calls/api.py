"""Client reading API for calls and their recordings (contract: GET .../calls)."""

from typing import Literal

from django.urls import reverse
from ninja import Query, Router, Schema

from portal.accounts import audit
from portal.api import errors as wording
from portal.api import params
from portal.api.auth import ApiError, account_for
from portal.api.errors import errors
from portal.api.urls import documented
from portal.calls.models import Recording
from portal.calls.services import (
    CallFilter,
    RecordingMissing,
    call_as_dict,
    call_for,
    find_calls,
    has_recording,
    recording_exists,
    recording_response,
)
from portal.inbox.api import READERS, after_cursor, audit_list, page, page_limit, parse_instant

router = Router(tags=["calls"])


class CallOut(Schema):
    """A call as ingested, plus whether it has a recording and where to fetch it."""

    call_id: str
    account: str
    direction: Literal["in", "out"]
    kind: Literal["voice", "transaction"]
    started_at: str
    duration_s: float
    caller_id: str | None
    caller_name: str | None
    agent: str | None
    station: str | None
    distribution_group: int
    quality: int | None
    queued_s: float | None
    assigned_s: float | None
    answered_s: float | None
    work_s: float | None
    holds_s: list[float]
    patch_s: float | None
    busy: bool
    has_recording: bool
    recording_url: str | None = None


class CallPage(Schema):
    results: list[CallOut]
    next: str | None = None


@router.get(
    "/accounts/{number}/calls",
    response={200: CallPage, **errors(404)},
    openapi_extra=documented(*READERS),
    summary="List an account's calls (newest first)",
)
def list_calls(
    request,
    number: str,
    start: str | None = params.bound("from"),
    end: str | None = params.bound("until"),
    caller_id: str | None = Query(None, description="the caller's number, or part of it"),
    agent: str | None = Query(None, description="the agent's code"),
    min_duration_s: float | None = params.seconds("calls at least this long (seconds)"),
    max_duration_s: float | None = params.seconds("calls at most this long (seconds)"),
    cursor: str | None = params.cursor(),
    limit: int = params.limit(),
):
    """Newest first; `next` is the URL of the following page (null on the last one).
    `recording_url` is access-checked: it takes the same token."""
    account = account_for(request, number, *READERS)
    f = CallFilter(
        start=parse_instant(start, account.tz, "start"),
        end=parse_instant(end, account.tz, "end", end=True),
        caller_id=caller_id or "",
        agent=agent or "",
        min_duration_s=min_duration_s,
        max_duration_s=max_duration_s,
    )
    qs = find_calls([account], f).select_related("account", "agent", "recording")
    qs = after_cursor(qs, cursor, "started_at")

    def as_dict(call):
        data = call_as_dict(call)
        has = has_recording(call)
        data["has_recording"] = has
        data["recording_url"] = (
            request.build_absolute_uri(
                reverse("api:call_recording", kwargs={"number": number, "call_id": call.call_id})
            )
            if has
            else None
        )
        return data

    answer = page(request, qs, page_limit(limit), "started_at", as_dict)
    audit_list(request, "call.search", account, answer, "call_id")
    return answer


AUDIO = {
    t: {"schema": {"type": "string", "format": "binary"}}
    for t in ("audio/wav", "audio/mpeg", "audio/ogg", "audio/webm")
}


@router.get(
    "/accounts/{number}/calls/{call_id}/recording",
    url_name="call_recording",
    summary="A call's recording (audio; HTTP Range answered with 206)",
    response={200: None, 206: None, **errors(404, 410), 416: None},
    openapi_extra=documented(
        *READERS,
        parameters=[
            {
                "name": "Range",
                "in": "header",
                "required": False,
                "description": "a byte range (`bytes=0-1023`): answered with 206",
                "schema": {"type": "string", "maxLength": 100},
            }
        ],
        responses={
            "200": {"description": "The whole recording", "content": AUDIO},
            "206": {"description": "The bytes of the range asked for", "content": AUDIO},
        },
    ),
)
def get_recording(request, number: str, call_id: str):
    account = account_for(request, number, *READERS)
    call = call_for([account], call_id)
    recording = Recording.objects.filter(call=call).select_related("call__account").first()
    if call is None or recording is None:
        raise ApiError(404, wording.unknown("recording", call_id))
    if not recording_exists(recording):
        raise ApiError(410, wording.RECORDING_MISSING)
    rng = request.headers.get("Range", "")
    if not rng or rng.startswith("bytes=0-"):  # one entry per download, not per Range
        audit.read(
            request,
            "recording.download",
            account=account,
            object_type="calls.call",
            object_id=call.call_id,
            via="api",
        )
    try:
        return recording_response(request, recording)
    except RecordingMissing:
        raise ApiError(410, wording.RECORDING_MISSING) from None
