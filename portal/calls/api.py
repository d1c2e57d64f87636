"""Client reading API for calls and their recordings (contract: GET .../calls)."""

from django.urls import reverse
from ninja import Router

from portal.accounts import audit
from portal.api.auth import ApiError, account_for, invalid
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

MISSING = "The recording file of this call is missing from the storage."


def _duration(value: float | None, field: str) -> float | None:
    if value is not None and value < 0:
        raise invalid(field, "Must be ≥ 0.")
    return value


@router.get("/accounts/{number}/calls", summary="List an account's calls (newest first)")
def list_calls(
    request,
    number: str,
    start: str | None = None,
    end: str | None = None,
    caller_id: str | None = None,
    agent: str | None = None,
    min_duration_s: float | None = None,
    max_duration_s: float | None = None,
    cursor: str | None = None,
    limit: int | None = None,
):
    account = account_for(request, number, *READERS)
    f = CallFilter(
        start=parse_instant(start, account.tz, "start"),
        end=parse_instant(end, account.tz, "end", end=True),
        caller_id=caller_id or "",
        agent=agent or "",
        min_duration_s=_duration(min_duration_s, "min_duration_s"),
        max_duration_s=_duration(max_duration_s, "max_duration_s"),
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


@router.get(
    "/accounts/{number}/calls/{call_id}/recording",
    url_name="call_recording",
    summary="A call's recording (audio; HTTP Range answered with 206)",
    response={200: None, 206: None},
    openapi_extra={
        "responses": {
            "410": {
                "description": "The call has a recording but its file is missing from the "
                'storage: `{"detail": "..."}`, as every error.'
            }
        }
    },
)
def get_recording(request, number: str, call_id: str):
    account = account_for(request, number, *READERS)
    call = call_for([account], call_id)
    recording = Recording.objects.filter(call=call).select_related("call__account").first()
    if call is None or recording is None:
        raise ApiError(404, "No such recording.")
    if not recording_exists(recording):
        raise ApiError(410, MISSING)
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
        raise ApiError(410, MISSING) from None
