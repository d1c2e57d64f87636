"""Schemathesis over the whole API: every operation of /api/v1/openapi.json, with a token of
every scope, on a small dataset (an account with a contact, a schedule and a shift with an
override, a call with its recording, a message, a billable item, a webhook), must answer
without a server error and within its documented statuses, content types and schemas; and
requests the document forbids (negative mode, for the scopes that may call it) get an error
in the contract's shape, never a server error.

Bounded for CI: a few generated requests per operation and scope (more for the scopes that
may call it), derandomized (the same requests on every run), through the WSGI application
in the test's own database transaction."""

import datetime as dt
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.serialization import Binary

from tests.api.helpers import a_billable, a_call, a_message, wav_bytes

pytestmark = pytest.mark.django_db

SCOPES = ["ingest", "provision", "oncall:read", "client", "oncall:write"]
LIMITED = {"client", "oncall:write"}
SHIFT = "/api/v1/accounts/{number}/schedules/{schedule_id}/shifts/{shift_id}"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Generated requests per operation: for a scope that may call it, and for one that may not
# (403 at once).
# (PORTAL_SCHEMATHESIS_SCALE=10 for a deeper run by hand.)
SCALE = int(os.environ.get("PORTAL_SCHEMATHESIS_SCALE", "1"))
ALLOWED_EXAMPLES = 10 * SCALE
REFUSED_EXAMPLES = 2
NEGATIVE_EXAMPLES = 5 * SCALE


@schemathesis.serializer("audio/wav", "audio/mpeg", "audio/ogg", "audio/webm", "text/csv")
def _raw_body(ctx, value) -> bytes:
    """The recording's audio and the Asterisk CSV are sent as generated (format binary or a
    string): mostly bytes of no audio format (415) and rows that are not CDRs (422)."""
    if isinstance(value, Binary):
        return value.data
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


def _document() -> dict:
    from portal.api.urls import api

    return api.get_openapi_schema(path_params={})


DOCUMENT = _document()
OPERATIONS = [(method, path) for path, item in DOCUMENT["paths"].items() for method in item]


def documented_scopes(method: str, path: str) -> set[str]:
    operation = DOCUMENT["paths"][path][method]
    return {scope for req in operation.get("security", []) for scope in req.get("TokenAuth", [])}


@pytest.fixture(scope="module")
def schema():
    loaded = schemathesis.openapi.from_dict(_document())
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def wsgi_in_the_test_transaction(dataset, tokens):
    """The WSGI handler closes the database connection at the end of each request (Django's
    own test client turns that off too): the dataset lives in the test's transaction. Taken
    after the dataset and tokens: the test client, which made them, connects Django's
    closing of old connections again after each of its requests (harmless on SQLite in
    memory, which ignores a close, but not on a file or PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dataset(api, make_token, account, other_account):
    """Made through the API itself, as the platform would."""
    ingest = make_token("ingest", name="platform")
    provision = make_token("provision", name="provisioning")
    writer = make_token("oncall:write", [account], name="dispatch-writer")

    def ok(response):
        assert response.status_code in (200, 201), response.content
        return response.json()

    ok(
        api(
            "put",
            "/api/v1/accounts/4000/contacts/luc",
            provision,
            json={"name": "Luc Lambert", "phones": ["5145550100"], "email": "luc@example.com"},
        )
    )
    ok(api("put", "/api/v1/accounts/4000/schedules/01", provision, json={"name": "01 Horaire"}))
    tz = dt.timezone(dt.timedelta(hours=-5))
    start = (dt.datetime.now(tz) + dt.timedelta(days=1)).replace(microsecond=0)
    ok(
        api(
            "put",
            "/api/v1/accounts/4000/schedules/01/shifts/s1",
            provision,
            json={"start": start.isoformat(), "end": (start + dt.timedelta(hours=8)).isoformat()},
        )
    )
    ok(
        api(
            "put",
            "/api/v1/accounts/4000/schedules/01/shifts/s2",
            provision,
            json={
                "start": (start + dt.timedelta(hours=8)).isoformat(),
                "end": (start + dt.timedelta(hours=16)).isoformat(),
            },
        )
    )
    shift = "/api/v1/accounts/4000/schedules/01/shifts/s1"
    ok(api("put", shift + "/assignment", writer, json={"contact": "luc"}))
    override = ok(
        api(
            "post",
            shift + "/overrides",
            writer,
            json={
                "contact": "luc",
                "start": (start + dt.timedelta(hours=1)).isoformat(),
                "end": (start + dt.timedelta(hours=2)).isoformat(),
            },
        )
    )
    # Within the retention period (older calls and messages are not shown).
    recent = (dt.datetime.now(tz) - dt.timedelta(hours=2)).replace(microsecond=0).isoformat()
    ok(api("post", "/api/v1/ingest/calls", ingest, json={"calls": [a_call(started_at=recent)]}))
    ok(
        api(
            "put",
            "/api/v1/ingest/calls/15319140/recording",
            ingest,
            data=wav_bytes(0.1),
            content_type="audio/wav",
        )
    )
    ok(
        api(
            "post",
            "/api/v1/ingest/messages",
            ingest,
            json={"messages": [a_message(taken_at=recent, events=[])]},
        )
    )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    ok(api("post", "/api/v1/ingest/billable", ingest, json={"items": [a_billable(at=now)]}))
    if ("get", "/api/v1/webhooks") in OPERATIONS:
        ok(
            api(
                "put",
                "/api/v1/webhooks/hook1",
                provision,
                json={
                    "url": "http://127.0.0.1:9/hook",
                    "secret": "s3cret-s3cret",
                    "events": ["oncall.changed"],
                    "accounts": None,
                },
            )
        )
    assert api("get", "/api/v1/accounts/4000/calls/15319140/recording", ingest).status_code == 200
    during = start + dt.timedelta(hours=3)
    # Bodies that the dataset takes (the answers with a body), beside the generated ones.
    good_bodies = {
        ("put", SHIFT + "/assignment"): {"contact": "luc", "comment": "fuzz"},
        ("post", SHIFT + "/overrides"): {
            "contact": "luc",
            "start": during.isoformat(),
            "end": (during + dt.timedelta(hours=1)).isoformat(),
        },
        ("post", "/api/v1/accounts/{number}/schedules/{schedule_id}/swap"): {
            "shifts": ["s1", "s2"]
        },
        ("put", SHIFT): {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=9)).isoformat(),
        },
        ("put", "/api/v1/ingest/calls/{call_id}/recording"): (wav_bytes(0.2), "audio/wav"),
        ("post", "/api/v1/ingest/cdr/freeswitch"): {
            "channel_data": {"direction": "inbound"},
            "variables": {
                "uuid": "6f1c1a3e-0000-4000-8000-000000000001",
                "accountcode": "4000",
                "start_epoch": str(int(start.timestamp()) - 86400 * 2),
                "end_epoch": str(int(start.timestamp()) - 86400 * 2 + 60),
                "duration": "60",
            },
        },
        ("put", "/api/v1/webhooks/{webhook_id}"): {
            "url": "https://platform.example.com/hooks",
            "secret": "another-secret",
            "events": ["message.status_changed"],
            "accounts": ["4000"],
        },
    }
    return {
        "bodies": good_bodies,
        "number": "4000",
        "contact_id": "luc",
        "schedule_id": "01",
        "shift_id": "s1",
        "override_id": override["override_id"],
        "call_id": "15319140",
        "webhook_id": "hook1",
    }


@pytest.fixture
def tokens(make_token, account):
    return {s: make_token(s, [account] if s in LIMITED else [], name=f"fuzz {s}") for s in SCOPES}


def _cases(operation, known: dict):
    """Some with the dataset's objects in the path (and a body it takes, where the operation
    has one: the answers with a body), the others with whatever the document allows there
    (mostly 404s and 422s)."""
    names = re.findall(r"\{(\w+)\}", operation.path)
    fixed = {name: known[name] for name in names if name in known}
    strategies = [operation.as_strategy()]
    if fixed:
        strategies.append(operation.as_strategy(path_parameters=fixed))
    body = known["bodies"].get((operation.method.lower(), operation.path))
    if isinstance(body, tuple):
        body, media_type = body
        strategies.append(
            operation.as_strategy(path_parameters=fixed, body=body, media_type=media_type)
        )
    elif body is not None:
        strategies.append(operation.as_strategy(path_parameters=fixed, body=body))
    return st.one_of(*strategies)


def _negative_run(operation, known: dict, headers: dict, examples: int) -> list[int]:
    """Requests the document forbids (a parameter or body out of its schema): answered with
    an error of the contract's, never a server error."""
    statuses: list[int] = []
    names = re.findall(r"\{(\w+)\}", operation.path)
    fixed = {name: known[name] for name in names if name in known}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed or None))
    def run(case):
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error, content_type_conformance])
        assert response.status_code < 500
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body.get("detail"), str), body

    try:
        run()
    except Unsatisfiable:  # nothing in the operation to make invalid
        pass
    return statuses


def _run(operation, known: dict, headers: dict, examples: int) -> list[int]:
    statuses: list[int] = []

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, known))
    def run(case):
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()
    return statuses


@pytest.mark.parametrize("scope", SCOPES)
def test_every_operation_answers_as_documented(
    schema, wsgi_in_the_test_transaction, dataset, tokens, scope
):
    """Each operation starts from the same dataset (its changes are rolled back after it)."""
    headers = {"Authorization": f"Bearer {tokens[scope]}"}
    failures = []
    for method, path in OPERATIONS:
        allowed = scope in documented_scopes(method, path)
        examples = ALLOWED_EXAMPLES if allowed else REFUSED_EXAMPLES
        statuses: list[int] = []
        try:
            with transaction.atomic():
                statuses = _run(schema[path][method.upper()], dataset, headers, examples)
                transaction.set_rollback(True)
        except Exception as exc:  # a check failed: listed with the others below
            failures.append(f"{method.upper()} {path} with {scope}:\n{exc}")
            continue
        if allowed:
            try:
                with transaction.atomic():
                    _negative_run(schema[path][method.upper()], dataset, headers, NEGATIVE_EXAMPLES)
                    transaction.set_rollback(True)
            except Exception as exc:
                failures.append(f"{method.upper()} {path} with {scope}, negative:\n{exc}")
        if not allowed and not set(statuses) <= {403, 422}:
            # Refused before anything else: its scope (or, checked first, a generated
            # parameter out of its range: 422).
            failures.append(f"{method.upper()} {path} with {scope}: {sorted(set(statuses))}")
    assert not failures, "\n\n".join(failures)
