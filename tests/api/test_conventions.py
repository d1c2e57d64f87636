"""The whole API's conventions: 401/403 by token and scope, 400 for a body that is not JSON,
413 for a body or batch too large, 422 for a body of the wrong shape — never a 500, whatever
arrives."""

import json

import pytest

from portal.accounts.models import Account
from portal.api.models import ApiToken
from portal.calls.models import Call
from portal.directory.models import Contact
from tests.api.helpers import (
    BILLABLE,
    BILLING,
    CALLS,
    MESSAGES,
    a_billable,
    a_call,
    a_line,
    a_message,
)

pytestmark = pytest.mark.django_db

# Every JSON write of this part of the contract: (path, list key or None, a good record).
BATCHES = [
    (CALLS, "calls", a_call()),
    (MESSAGES, "messages", a_message()),
    (BILLABLE, "items", a_billable()),
    (BILLING, "lines", a_line()),
]
OBJECTS = [
    ("/api/v1/accounts/4000", {"name": "TEST"}),
    ("/api/v1/accounts/4000/contacts/luc", {"name": "Luc Lambert"}),
]


def status(api, method, path, token, body: bytes, content_type="application/json"):
    r = api(method, path, token, data=body, content_type=content_type)
    assert r.status_code != 500, (path, body[:200], r.content)
    assert r["Content-Type"].startswith("application/json")
    return r.status_code, r.json()


# --- 401 / 403 ---------------------------------------------------------------------------


@pytest.mark.parametrize("path, key, record", BATCHES)
def test_missing_or_invalid_or_revoked_token_is_401(api, make_token, account, path, key, record):
    body = json.dumps({key: [record]}).encode()
    assert status(api, "post", path, None, body)[0] == 401
    assert status(api, "post", path, "pt_not-a-token", body)[0] == 401
    raw = make_token("ingest", name="old")
    ApiToken.objects.filter(name="old").update(revoked_at="2023-01-01T00:00:00Z")
    code, answer = status(api, "post", path, raw, body)
    assert code == 401 and answer["detail"]
    assert not Call.objects.exists()


def test_a_basic_or_malformed_authorization_header_is_401(client, account):
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "pt_abc", "Bearer a b c"):
        r = client.post(CALLS, b"{}", content_type="application/json", HTTP_AUTHORIZATION=header)
        assert r.status_code == 401, header


@pytest.mark.parametrize("scope", ["provision", "oncall:read", "client", "oncall:write"])
@pytest.mark.parametrize("path, key, record", BATCHES)
def test_ingest_refuses_every_other_scope(api, make_token, account, scope, path, key, record):
    token = make_token(scope, [account] if scope in ("client", "oncall:write") else [])
    code, answer = status(api, "post", path, token, json.dumps({key: [record]}).encode())
    assert code == 403
    assert scope in answer["detail"]


def test_a_client_token_of_another_account_is_refused_there(
    api, make_token, account, other_account
):
    """Account-limited scopes answer 403 outside their accounts, whether the account exists
    or not (checked on the on-call look-up, which both scopes may read)."""
    theirs = make_token("client", [other_account])
    ours = make_token("client", [account])
    assert api("get", "/api/v1/accounts/4000/oncall", theirs).status_code == 403
    assert api("get", "/api/v1/accounts/4999/oncall", theirs).status_code == 403
    assert api("get", "/api/v1/accounts/4000/oncall", ours).status_code == 200


# --- 400 / 413 / 422 on the body ------------------------------------------------------------

NOT_JSON = [
    b"",
    b"not json",
    b"{'calls': []}",
    b'{"calls": [}',
    b"\xff\xfe\x00garbage",  # not UTF-8
    b"[" * 100_000 + b"]" * 100_000,  # nested too deep to parse
    b'{"n": ' + b"9" * 5000 + b"}",  # an integer of 5000 digits
]


@pytest.mark.parametrize("path, key, record", BATCHES)
@pytest.mark.parametrize("body", NOT_JSON, ids=range(len(NOT_JSON)))
def test_a_body_that_is_not_json_is_400(api, ingest, account, path, key, record, body):
    code, answer = status(api, "post", path, ingest, body)
    assert code == 400
    assert answer["detail"] == "The body is not valid JSON."


@pytest.mark.parametrize("path, body", OBJECTS)
def test_provisioning_bodies_that_are_not_json_are_400(api, provision, account, path, body):
    for raw in NOT_JSON:
        assert status(api, "put", path, provision, raw)[0] == 400


@pytest.mark.parametrize("path, key, record", BATCHES)
def test_a_body_past_the_size_limit_is_413(api, ingest, account, settings, path, key, record):
    settings.PORTAL = {**settings.PORTAL, "API_MAX_BODY_BYTES": 2000}
    body = json.dumps({key: [record] * 20}).encode()
    code, answer = status(api, "post", path, ingest, body)
    assert code == 413
    assert "2000" in answer["detail"]


@pytest.mark.parametrize("path, key, record", BATCHES)
def test_more_than_1000_records_is_413(api, ingest, account, path, key, record):
    code, answer = status(api, "post", path, ingest, json.dumps({key: [record] * 1001}).encode())
    assert code == 413
    assert "1000" in answer["detail"]


SHAPES = [
    "[]",
    "null",
    "42",
    '"calls"',
    "{}",
    '{"%s": null}',
    '{"%s": {}}',
    '{"%s": "x"}',
    '{"%s": [null]}',
    '{"%s": [[]]}',
    '{"%s": [42, true, "x"]}',
    '{"%s": [{}]}',
]


@pytest.mark.parametrize("path, key, record", BATCHES)
@pytest.mark.parametrize("shape", SHAPES)
def test_a_body_of_the_wrong_shape_is_422(api, ingest, account, path, key, record, shape):
    body = (shape % key if "%s" in shape else shape).encode()
    code, answer = status(api, "post", path, ingest, body)
    assert code == 422
    assert answer["errors"] and all("field" in e and "index" in e for e in answer["errors"])


def test_an_empty_batch_stores_nothing_and_says_so(api, ingest, account):
    code, answer = status(api, "post", CALLS, ingest, b'{"calls": []}')
    assert (code, answer) == (200, {"created": 0, "updated": 0, "unchanged": 0})


# Values no record may hold, each for a field of every record type.
WEIRD_VALUES = [
    ["4000"],  # a list where a string is expected (also: unhashable account numbers)
    {"number": "4000"},
    None,
    1e308,
    10**30,
    -(10**30),
    "x" * 100_000,
    "9999-12-31T23:59:59-14:00",  # past year 9999 in UTC
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "2023-04-28T08:31:00+25:00",
    "nul\u0000byte",
    "lone \ud800 surrogate",
    True,
]


@pytest.mark.parametrize("path, key, record", BATCHES)
@pytest.mark.parametrize("value", WEIRD_VALUES, ids=range(len(WEIRD_VALUES)))
def test_weird_values_in_any_field_are_422_never_500(
    api, ingest, account, path, key, record, value
):
    for field in record:
        body = json.dumps({key: [record, {**record, field: value}]}).encode()
        code, answer = status(api, "post", path, ingest, body)
        assert code in (200, 422), (field, value, answer)
        if code == 422:
            assert {e["index"] for e in answer["errors"]} == {1}, (field, answer)


@pytest.mark.parametrize("path, key, record", BATCHES)
def test_infinite_and_nan_numbers_are_422(api, ingest, account, path, key, record):
    for literal in (b"NaN", b"Infinity", b"-Infinity", b"1e400"):
        for field in record:
            body = json.dumps({key: [{**record, field: "@"}]}).encode()
            body = body.replace(b'"@"', literal)
            code, _answer = status(api, "post", path, ingest, body)
            assert code in (200, 422), (field, literal)
    assert not Call.objects.filter(duration_ms__gt=10**15).exists()


@pytest.mark.parametrize("path, body", OBJECTS)
@pytest.mark.parametrize("value", WEIRD_VALUES, ids=range(len(WEIRD_VALUES)))
def test_weird_provisioning_values_are_422_never_500(api, provision, account, path, body, value):
    fields = ["name", "billing_number", "timezone", "language", "groups", "phones", "sms", "email"]
    for field in fields:
        code, answer = status(
            api, "put", path, provision, json.dumps({**body, field: value}).encode()
        )
        assert code in (200, 422), (field, value, answer)
    for shape in (b"[]", b"null", b"42", b'"x"'):
        assert status(api, "put", path, provision, shape)[0] == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/%00",
        "/api/v1/accounts/a%20b",
        "/api/v1/accounts/4000/contacts/%00",
        "/api/v1/accounts/4000/contacts/" + "x" * 65,
        "/api/v1/accounts/%F0%9F%98%80",
    ],
)
def test_odd_path_values_are_refused_cleanly(api, provision, account, path):
    code, _answer = status(api, "put", path, provision, b'{"name": "X"}')
    assert code in (404, 422)
    assert Account.objects.count() == 1
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_the_json_endpoints_read_json_whatever_the_content_type_says(
    api, ingest, account, content_type
):
    body = json.dumps({"calls": [a_call()]}).encode()
    code, answer = status(api, "post", CALLS, ingest, body, content_type=content_type)
    assert code == 200, answer
    assert Call.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "delete", "patch"])
def test_a_method_the_path_does_not_have_is_405_in_json(client, method):
    r = getattr(client, method)(CALLS)
    assert r.status_code == 405
    assert r["Allow"] == "POST"
    assert r.json()["detail"].startswith("Method not allowed")
