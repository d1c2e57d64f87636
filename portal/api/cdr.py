"""CDR ingest (scope `ingest`): Asterisk Master.csv rows and FreeSWITCH mod_json_cdr
documents, stored as calls through the calls ingest service (portal/calls/cdr.py).
Contract: "Additions of 2026-12", "Call-detail records from telephony platforms"."""

import codecs
import io

from django.conf import settings
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from portal.api import errors as wording
from portal.api.auth import ApiError, invalid, require_scope
from portal.api.bodies import raw_body
from portal.api.errors import ErrorItem
from portal.api.ingest import INGEST, BatchCounts, audited, stored
from portal.api.urls import document
from portal.calls import cdr

router = Router(tags=["ingest"])


class CdrErrorItem(ErrorItem):
    line: int | None = Field(
        None, description="the row's line in the body (1 is the first; a CSV row's first line)"
    )


class CdrErrorOut(BaseModel):
    model_config = ConfigDict(title="CdrErrorOut")
    detail: str
    errors: list[CdrErrorItem] | None = None


class FreeSwitchCallerProfile(BaseModel):
    model_config = ConfigDict(extra="allow", title="FreeSwitchCallerProfile")
    caller_id_name: str | None = None
    caller_id_number: str | None = None
    destination_number: str | None = None
    uuid: str | None = None


class FreeSwitchCallflow(BaseModel):
    model_config = ConfigDict(extra="allow", title="FreeSwitchCallflow")
    caller_profile: FreeSwitchCallerProfile | None = None


class FreeSwitchCdr(BaseModel):
    """A mod_json_cdr document. Variables are URL-encoded as mod_json_cdr writes them by
    default (encode-values). Read: uuid, accountcode, start/answer/end/bridge epochs
    (`*_uepoch` preferred), duration, hold_accum_seconds, hangup_cause, caller_id_name,
    caller_id_number, cc_agent, cc_queue_joined_epoch, cc_queue_answered_epoch."""

    model_config = ConfigDict(extra="allow", title="FreeSwitchCdr")
    channel_data: dict[str, str] | None = Field(
        None, description='"direction": "inbound" (a call in) or "outbound"'
    )
    variables: dict[str, str]
    callflow: list[FreeSwitchCallflow] | FreeSwitchCallflow | None = None


document("FreeSwitchCdr", FreeSwitchCdr)

ERRORS = {
    400: CdrErrorOut,
    401: CdrErrorOut,
    403: CdrErrorOut,
    409: CdrErrorOut,
    413: CdrErrorOut,
    415: CdrErrorOut,
    422: CdrErrorOut,
}


class AsteriskQuery(Schema):
    tz: str | None = Field(
        None,
        description="IANA zone of the times in the rows (Asterisk writes the server's local "
        "time; `UTC` with usegmtime=yes). Default: each row's account's time zone.",
        max_length=64,
    )


def read_body(request, content_type: str) -> str:
    """The body as text: 415 for another Content-Type, 413 past the body limit."""
    if request.content_type != content_type:
        raise ApiError(
            415,
            wording.WRONG_CONTENT_TYPE.format(
                expected=content_type, got=request.content_type or "none"
            ),
        )
    raw = raw_body(request)
    charset = request.content_params.get("charset") or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        raise ApiError(415, f"Unknown charset: {charset[:40]}.") from None
    return raw.decode(charset, errors="replace")


def checked_size(sources: list) -> list:
    limit = settings.PORTAL["API_MAX_BATCH"]
    if len(sources) > limit:
        raise ApiError(413, wording.TOO_MANY_RECORDS.format(limit=limit, count=len(sources)))
    return sources


def text_body(description: str, content_type: str, schema: dict) -> dict:
    return {
        "x-scopes": [INGEST],
        "requestBody": {
            "required": True,
            "description": description,
            "content": {content_type: {"schema": schema}},
        },
    }


@router.post(
    "/ingest/cdr/asterisk",
    response={200: BatchCounts, **ERRORS},
    openapi_extra=text_body(
        "Rows of Asterisk's Master.csv as cdr_csv writes them (default column order, then "
        "uniqueid and userfield where logged); at most 1000 rows. accountcode is the client "
        "account number. Key: uniqueid, else the row's start, channel and source.",
        "text/csv",
        {"type": "string"},
    ),
    summary="Asterisk CDRs (Master.csv rows) as calls",
)
def post_asterisk(request, query: Query[AsteriskQuery]):
    """Atomic: every row stored (200) or none (422 listing each bad row with its line)."""
    require_scope(request, INGEST)
    try:
        tz = cdr.zone(query.tz)
    except cdr.Problem as p:
        raise invalid(p.field, p.message) from None
    text = read_body(request, "text/csv")
    sources = checked_size(list(cdr.asterisk_rows(io.StringIO(text, newline=""))))
    counts = stored(lambda rows: cdr.ingest_cdr(cdr.ASTERISK, rows, tz), sources)
    return audited(request, "api.ingest.cdr.asterisk", "calls.call", sources, counts)


@router.post(
    "/ingest/cdr/freeswitch",
    response={200: BatchCounts, **ERRORS},
    openapi_extra=text_body(
        "One mod_json_cdr document, or a list of them (at most 1000). The account number is "
        "the channel variable accountcode; the key is the leg's uuid.",
        "application/json",
        {
            "oneOf": [
                {"$ref": "#/components/schemas/FreeSwitchCdr"},
                {"type": "array", "items": {"$ref": "#/components/schemas/FreeSwitchCdr"}},
            ]
        },
    ),
    summary="FreeSWITCH CDRs (mod_json_cdr documents) as calls",
)
def post_freeswitch(request):
    """Atomic: every document stored (200) or none (422 listing each bad one with its line)."""
    require_scope(request, INGEST)
    text = read_body(request, "application/json")
    sources = list(cdr.freeswitch_documents(io.StringIO(text)))
    if not sources or any(s.problem for s in sources):
        raise ApiError(400, wording.NOT_JSON)
    checked_size(sources)
    counts = stored(lambda rows: cdr.ingest_cdr(cdr.FREESWITCH, rows), sources)
    return audited(request, "api.ingest.cdr.freeswitch", "calls.call", sources, counts)
