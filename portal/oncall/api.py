"""API endpoints of the oncall app (mounted in portal/api/urls.py).

Provisioning of schedules and shifts (scope `provision`), the look-up of who is on call
(`oncall:read`, or `client` for its own accounts) and the client's on-call actions
(`oncall:write`, limited to its accounts). Every write goes through portal.oncall.services,
with the same rules and messages as the On Call page; the token's name is the actor.
"""

import datetime as dt
import functools
import json

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from portal.accounts import audit
from portal.api import errors as wording
from portal.api.auth import ApiError, account_for, allow_account, invalid, unknown_account
from portal.api.errors import ConflictOut, errors
from portal.api.urls import api, document, documented, read_json
from portal.ingest import validate_one
from portal.oncall import services
from portal.oncall.api_schemas import (
    Assigned,
    AssignmentIn,
    CommentIn,
    CommentOut,
    OnCallOut,
    OverrideCreated,
    OverrideIn,
    ScheduleIn,
    ScheduleOut,
    ScheduleRemoved,
    ShiftChanged,
    ShiftIn,
    ShiftOut,
    ShiftRemoved,
    SwapIn,
    Swapped,
)
from portal.oncall.models import Assignment, Schedule, Shift
from portal.oncall.services import Actor, OnCallError, StaleShift
from portal.text import API_MESSAGE, has_control

router = Router(tags=["oncall"])

PROVISION = ("provision",)
READ = ("oncall:read", "client")
WRITE = ("oncall:write",)


for _model in (ScheduleIn, ShiftIn, AssignmentIn, OverrideIn, CommentIn, SwapIn, OnCallOut):
    document(_model.__name__, _model)

# Every write can answer these besides 401, 403, 422 and 503 (an unknown account, schedule
# or shift; a body not JSON or too large; a concurrent change).
WRITE_ERRORS = errors(400, 404, 409, 413)
# The client's actions: 409 when the shift changed since the `version` the request names.
ACTION_ERRORS = {**WRITE_ERRORS, 409: ConflictOut}
UNDO_ERRORS = {**errors(404), 409: ConflictOut}


# --- Helpers ---------------------------------------------------------------------------


def _refused(exc: OnCallError) -> ApiError:
    with translation.override("en"):
        message = str(exc.message)
    if isinstance(exc, StaleShift):
        shift = exc.shift
        return ApiError(
            409,
            message,
            [
                {
                    "index": None,
                    "field": "version",
                    "message": message,
                    "shift": shift_state(shift),
                }
            ],
        )
    return ApiError(422, message, [{"index": None, "field": exc.field, "message": message}])


def shift_state(shift: Shift) -> dict:
    tz = shift.schedule.account.tz
    base = services.active_base(shift)
    return {
        "shift_id": shift.external_id,
        "version": shift.version,
        "start": shift.start.astimezone(tz).isoformat(),
        "end": shift.end.astimezone(tz).isoformat(),
        "rank": shift.rank,
        "name": shift.name,
        "role": shift.role,
        "contact": services.contact_json(base.contact) if base else None,
        "overrides": [
            {
                "override_id": o.pk,
                "contact": services.contact_json(o.contact),
                "start": o.start.astimezone(tz).isoformat(),
                "end": o.end.astimezone(tz).isoformat(),
                "comment": o.comment,
            }
            for o in services.active_overrides(shift)
        ],
    }


def _schedule(account, schedule_id: str) -> Schedule:
    schedule = Schedule.objects.filter(
        account=account, external_id=schedule_id, removed_at=None
    ).first()
    if schedule is None:
        raise ApiError(404, wording.unknown("schedule", schedule_id))
    return schedule


def _shift(schedule: Schedule, shift_id: str) -> Shift:
    shift = (
        Shift.objects.filter(schedule=schedule, external_id=shift_id, removed_at=None)
        .select_related("schedule__account")
        .first()
    )
    if shift is None:
        raise ApiError(404, wording.unknown("shift", shift_id))
    return shift


def _contact(account, contact_id: str):
    contact = account.contacts.filter(external_id=contact_id, removed_at=None).first()
    if contact is None:
        raise invalid("contact", wording.unknown("contact", contact_id))
    return contact


def _counts(outcome: str) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    counts[outcome] = 1
    return counts


def _body(request, schema):
    data = read_json(request)
    return validate_one(data, schema)


def _parse_at(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    # A "+" in a query string arrives as a space when the caller did not encode it.
    text = raw.strip().replace(" ", "+")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise invalid("at", wording.AWARE_TIMESTAMP)
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    # A day's margin at either end, so that the answer can be shown in any account's zone.
    if utc is None or not (dt.datetime(1, 1, 2, tzinfo=dt.UTC) <= utc < _LAST_DAY):
        raise invalid("at", wording.TIMESTAMP_RANGE)
    return value


_LAST_DAY = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


# --- Provisioning ----------------------------------------------------------------------


@router.put(
    "/accounts/{number}/schedules/{schedule_id}",
    response={200: ScheduleOut, **WRITE_ERRORS},
    openapi_extra=documented(*PROVISION, body="ScheduleIn"),
    summary="Create or update a schedule (provision)",
)
def put_schedule(request, number: str, schedule_id: str):
    account = account_for(request, number, *PROVISION)
    if has_control(schedule_id):
        raise invalid("schedule_id", API_MESSAGE)
    body = _body(request, ScheduleIn)
    try:
        schedule, outcome = services.upsert_schedule(
            account, schedule_id, body.name, actor=Actor.of_token(request.auth)
        )
    except OnCallError as exc:
        raise _refused(exc) from None
    return {"schedule": schedule.external_id, "name": schedule.name, **_counts(outcome)}


@router.delete(
    "/accounts/{number}/schedules/{schedule_id}",
    response={200: ScheduleRemoved, **errors(404, 409)},
    openapi_extra=documented(*PROVISION),
    summary="Remove a schedule",
)
def delete_schedule(request, number: str, schedule_id: str):
    account = account_for(request, number, *PROVISION)
    schedule = _schedule(account, schedule_id)
    services.delete_schedule(schedule, actor=Actor.of_token(request.auth))
    return {"schedule": schedule_id, "deleted": True}


@router.put(
    "/accounts/{number}/schedules/{schedule_id}/shifts/{shift_id}",
    response={200: ShiftOut, **WRITE_ERRORS},
    openapi_extra=documented(*PROVISION, body="ShiftIn"),
    summary="Create or update a shift (provision)",
)
def put_shift(request, number: str, schedule_id: str, shift_id: str):
    account = account_for(request, number, *PROVISION)
    schedule = _schedule(account, schedule_id)
    if has_control(shift_id):
        raise invalid("shift_id", API_MESSAGE)
    body = _body(request, ShiftIn)
    try:
        shift, outcome = services.upsert_shift(
            schedule,
            shift_id,
            start=body.start,
            end=body.end,
            rank=body.rank,
            name=body.name,
            role=body.role,
            actor=Actor.of_token(request.auth),
        )
    except OnCallError as exc:
        raise _refused(exc) from None
    return {"shift": shift_state(shift), **_counts(outcome)}


@router.delete(
    "/accounts/{number}/schedules/{schedule_id}/shifts/{shift_id}",
    response={200: ShiftRemoved, **errors(404, 409)},
    openapi_extra=documented(*PROVISION),
    summary="Remove a shift",
)
def delete_shift(request, number: str, schedule_id: str, shift_id: str):
    account = account_for(request, number, *PROVISION)
    shift = _shift(_schedule(account, schedule_id), shift_id)
    services.delete_shift(shift, actor=Actor.of_token(request.auth))
    return {"shift": shift_id, "deleted": True}


# --- Who is on call --------------------------------------------------------------------


@router.get(
    "/accounts/{number}/oncall",
    summary="Who is on call at an instant",
    response={200: OnCallOut, **errors(404)},
    openapi_extra=documented(
        *READ,
        responses={
            "200": {
                "description": "One entry per shift covering `at` ([] where no shift covers "
                "it), and whether anyone is on call (`covered`)",
            }
        },
    ),
)
def get_oncall(
    request,
    number: str,
    at: str | None = Query(
        None, description="a timestamp with its offset (default: now)", max_length=64
    ),
    role: str | None = Query(None, description="only the shifts of this role (e.g. OC)"),
    schedule: str | None = Query(None, description="only this schedule (its id)"),
):
    return _oncall_answer(request, number, at, role, schedule)


def _oncall_answer(request, number: str, at, role, schedule) -> HttpResponse:
    allow_account(request, number, *READ)
    for field, value in (("role", role), ("schedule", schedule)):
        if value and "\x00" in value:
            raise invalid(field, wording.UNSTORABLE_TEXT)
    instant = _parse_at(at) or services._now()
    found = services.on_call_by_number(
        number, instant, role=role or None, schedule_id=schedule or None
    )
    if found is None:
        raise unknown_account(number)
    tz, entries = found
    # The dispatch's hot path: one INSERT, no query before it (audit.read_by_number).
    audit.read_by_number(
        request, "oncall.now", number, at=at, role=role, schedule=schedule, via="api"
    )
    body = {
        "account": number,
        "at": instant.astimezone(tz).isoformat(),
        "covered": services.covered(entries),
        "entries": entries,
    }
    # The entries are already in the contract's shape.
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")


@csrf_exempt
def oncall_now(request, number: str) -> HttpResponse:
    """GET /api/v1/accounts/{number}/oncall, mounted ahead of the API (portal/urls.py).

    The dispatch asks this many times a second, so a GET skips the API framework's
    per-request machinery (its blank response, pydantic parsing of three optional strings,
    the operation's dispatch) but not its rules: the same token check, the same answer as
    `get_oncall` above (which documents it in the OpenAPI schema) and the same error answers
    through the API's exception handlers. Any other method goes to the API as usual."""
    if request.method != "GET":
        return _framework_view()(request, number=number)
    try:
        token = api.auth[0](request)
        if not token:
            raise AuthenticationError()
        request.auth = token
        query = request.GET
        return _oncall_answer(
            request, number, query.get("at"), query.get("role"), query.get("schedule")
        )
    except Exception as exc:
        return api.on_exception(request, exc)


@functools.cache
def _framework_view():
    """The API's own view of this path (its URL pattern comes after oncall_now's)."""
    from django.urls import get_resolver

    def find(patterns):
        for pattern in patterns:
            if getattr(pattern, "name", None) == "get_oncall":
                return pattern.callback
            found = find(getattr(pattern, "url_patterns", ()))
            if found is not None:
                return found
        return None

    view = find(get_resolver().url_patterns)
    if view is None:
        raise ImproperlyConfigured("The API has no get_oncall operation to fall back to.")
    return view


# --- Warnings (optional in every write's answer; they never block a write) ---------------


def _warnings(bookings=(), gaps_of=()) -> dict:
    """What the page would warn of: `double_bookings` (a contact on call in two roles at
    once, services.warnings) found before saving, and `gaps` the change leaves in the next
    days (services.gaps_left) for the shifts `gaps_of`, after saving. Optional fields."""
    account = gaps_of[0].schedule.account if gaps_of else None
    tz = account.tz if account else None
    return {
        "double_bookings": [
            {
                "contact": b.contact.external_id,
                "shift": b.shift.external_id,
                "role": b.role,
                "other_schedule": b.other.schedule.external_id,
                "other_shift": b.other.external_id,
                "other_role": b.other.role,
                "start": b.start.astimezone(tz or b.start.tzinfo).isoformat(),
                "end": b.end.astimezone(tz or b.end.tzinfo).isoformat(),
            }
            for b in bookings
        ],
        "gaps": [
            {
                "shift": g.shift.external_id if g.shift else None,
                "start": g.start.astimezone(tz).isoformat(),
                "end": g.end.astimezone(tz).isoformat(),
            }
            for g in (services.gaps_left(account, list(gaps_of)) if account else [])
        ],
    }


# --- The client's actions --------------------------------------------------------------

SHIFT = "/accounts/{number}/schedules/{schedule_id}/shifts/{shift_id}"


def _write_target(request, number, schedule_id, shift_id):
    account = account_for(request, number, *WRITE)
    shift = _shift(_schedule(account, schedule_id), shift_id)
    return account, shift, Actor.of_token(request.auth)


@router.put(
    SHIFT + "/assignment",
    response={200: Assigned, **ACTION_ERRORS},
    openapi_extra=documented(*WRITE, body="AssignmentIn"),
    summary="Assign a contact",
)
def put_assignment(request, number: str, schedule_id: str, shift_id: str):
    account, shift, actor = _write_target(request, number, schedule_id, shift_id)
    body = _body(request, AssignmentIn)
    contact = _contact(account, body.contact)
    bookings = services.assign_double_bookings(shift, contact, body.recurring_until)
    try:
        changed = services.assign(
            shift,
            contact,
            actor=actor,
            comment=body.comment,
            recurring_until=body.recurring_until,
            expected_version=body.version,
        )
    except OnCallError as exc:
        raise _refused(exc) from None
    shift.refresh_from_db()
    return {
        "assigned": [s.external_id for s in changed],
        "shift": shift_state(shift),
        "warnings": _warnings(bookings, [shift]),
    }


@router.delete(
    SHIFT + "/assignment",
    response={200: ShiftChanged, **UNDO_ERRORS},
    openapi_extra=documented(*WRITE),
    summary="Unassign the base assignment",
)
def delete_assignment(
    request,
    number: str,
    schedule_id: str,
    shift_id: str,
    version: int | None = Query(None, description="the shift's version you saw (409 if not)"),
):
    _account, shift, actor = _write_target(request, number, schedule_id, shift_id)
    try:
        services.unassign(shift, actor=actor, expected_version=version)
    except OnCallError as exc:
        raise _refused(exc) from None
    shift.refresh_from_db()
    return {"shift": shift_state(shift), "warnings": _warnings((), [shift])}


@router.post(
    SHIFT + "/overrides",
    openapi_extra=documented(*WRITE, body="OverrideIn"),
    response={201: OverrideCreated, **ACTION_ERRORS},
    summary="Override part of a shift",
)
def post_override(request, number: str, schedule_id: str, shift_id: str):
    account, shift, actor = _write_target(request, number, schedule_id, shift_id)
    body = _body(request, OverrideIn)
    contact = _contact(account, body.contact)
    bookings = []
    if body.start < body.end:  # else the service refuses it with the seed's message
        bookings = services.override_double_bookings(shift, contact, body.start, body.end)
    try:
        o = services.override(
            shift,
            contact,
            body.start,
            body.end,
            actor=actor,
            comment=body.comment,
            expected_version=body.version,
        )
    except OnCallError as exc:
        raise _refused(exc) from None
    shift.refresh_from_db()
    answer = {"override_id": o.pk, "shift": shift_state(shift)}
    return Status(201, {**answer, "warnings": _warnings(bookings, [shift])})


@router.delete(
    SHIFT + "/overrides/{override_id}",
    response={200: ShiftChanged, **UNDO_ERRORS},
    openapi_extra=documented(*WRITE),
    summary="Unassign an override",
)
def delete_override(request, number: str, schedule_id: str, shift_id: str, override_id: int):
    _account, shift, actor = _write_target(request, number, schedule_id, shift_id)
    o = Assignment.objects.filter(
        shift=shift, kind=Assignment.OVERRIDE, pk=override_id, revoked_at=None
    ).first()
    if o is None:
        raise ApiError(404, wording.unknown("override", override_id))
    try:
        services.unassign_override(o, actor=actor)
    except OnCallError as exc:
        raise _refused(exc) from None
    shift.refresh_from_db()
    return {"shift": shift_state(shift), "warnings": _warnings((), [shift])}


@router.post(
    SHIFT + "/comment",
    response={200: CommentOut, **WRITE_ERRORS},
    openapi_extra=documented(*WRITE, body="CommentIn"),
    summary="Comment a shift",
)
def post_comment(request, number: str, schedule_id: str, shift_id: str):
    _account, shift, actor = _write_target(request, number, schedule_id, shift_id)
    body = _body(request, CommentIn)
    try:
        note = services.comment(shift, body.comment, actor=actor)
    except OnCallError as exc:
        raise _refused(exc) from None
    return {"comment": note.text, "at": note.at.isoformat()}


@router.post(
    "/accounts/{number}/schedules/{schedule_id}/swap",
    response={200: Swapped, **ACTION_ERRORS},
    openapi_extra=documented(*WRITE, body="SwapIn"),
    summary="Swap the people of two shifts",
)
def post_swap(request, number: str, schedule_id: str):
    account = account_for(request, number, *WRITE)
    schedule = _schedule(account, schedule_id)
    body = _body(request, SwapIn)
    a, b = (_shift(schedule, sid) for sid in body.shifts)
    bookings = services.swap_double_bookings(a, b) if a.pk != b.pk else []
    try:
        services.swap(a, b, actor=Actor.of_token(request.auth))
    except OnCallError as exc:
        raise _refused(exc) from None
    a.refresh_from_db()
    b.refresh_from_db()
    return {"shifts": [shift_state(a), shift_state(b)], "warnings": _warnings(bookings, [a, b])}
