"""Every endpoint in the OpenAPI document, whoever wrote it, keeps the API's conventions:
401 without a valid token, 403 for a token of another scope, and never a 500 for a body
or parameters it did not expect."""

import re

import pytest

from tests.api.test_openapi import CONTRACT

pytestmark = pytest.mark.django_db

SCOPES = ["ingest", "provision", "oncall:read", "client", "oncall:write"]
LIMITED = {"client", "oncall:write"}

# Who may call what (contract "Conventions" and each section's heading).
SHIFT = "/api/v1/accounts/{number}/schedules/{schedule_id}/shifts/{shift_id}"
ONCALL_WRITES = {
    ("put", SHIFT + "/assignment"),
    ("delete", SHIFT + "/assignment"),
    ("post", SHIFT + "/overrides"),
    ("delete", SHIFT + "/overrides/{override_id}"),
    ("post", SHIFT + "/comment"),
    ("post", "/api/v1/accounts/{number}/schedules/{schedule_id}/swap"),
}
CLIENT_READING = {"messages", "calls", "billable"}


def allowed_scopes(method: str, path: str) -> set[str]:
    if path.startswith("/api/v1/ingest/"):
        return {"ingest"}
    if (method, path) in ONCALL_WRITES:
        return {"oncall:write"}
    if path.endswith("/oncall"):
        return {"oncall:read", "client"}
    if path == "/api/v1/statistics" or path.rsplit("/", 1)[1] in CLIENT_READING:
        return {"client", "ingest"}
    if method == "get" and path.endswith("/calls/{call_id}/recording"):
        return {"client", "ingest"}
    if path.startswith("/api/v1/webhooks"):
        return {"provision"}
    if method in ("put", "delete"):
        return {"provision"}
    return set(SCOPES)  # not in the contract: not checked here


def whose(method: str, path: str) -> str:
    return CONTRACT.get((method, path), "not in the contract")


def concrete(path: str) -> str:
    values = {"number": "4000", "override_id": "1"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x1"), path)


@pytest.fixture
def endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    found = [(method, path) for path, item in schema["paths"].items() for method in item]
    assert len(found) >= len(CONTRACT) - 4
    return found


@pytest.fixture
def tokens(make_token, account):
    return {s: make_token(s, [account] if s in LIMITED else [], name=s) for s in SCOPES}


def call(api, method, path, token, body=b'{"x": 1}'):
    if method in ("get", "delete"):
        return api(method, path, token)
    return api(method, path, token, data=body)


def test_without_a_valid_token_every_endpoint_is_401(api, endpoints, account):
    wrong = []
    for method, path in endpoints:
        for token in (None, "pt_nope"):
            r = call(api, method, concrete(path), token)
            if r.status_code != 401:
                wrong.append(f"{whose(method, path)}: {method.upper()} {path}: {r.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_token_of_another_scope_is_403_everywhere(api, endpoints, tokens):
    wrong = []
    for method, path in endpoints:
        for scope in set(SCOPES) - allowed_scopes(method, path):
            r = call(api, method, concrete(path), tokens[scope])
            if r.status_code != 403:
                wrong.append(
                    f"{whose(method, path)}: {method.upper()} {path} with {scope}: {r.status_code}"
                )
    assert not wrong, "\n".join(wrong)


def test_an_account_limited_token_is_403_on_another_account(
    api, endpoints, make_token, account, other_account
):
    wrong = []
    for scope in LIMITED:
        theirs = make_token(scope, [other_account], name=f"other {scope}")
        for method, path in endpoints:
            if "{number}" not in path or scope not in allowed_scopes(method, path):
                continue
            r = call(api, method, concrete(path), theirs)
            if r.status_code != 403:
                wrong.append(
                    f"{whose(method, path)}: {method.upper()} {path} with {scope} of 5000: "
                    f"{r.status_code}"
                )
    assert not wrong, "\n".join(wrong)


ODD_BODIES = [b"", b"[]", b"null", b"{}", b'{"x": [1, {"y": null}]}', b"\xff\xfe", b"[" * 5000]
ODD_QUERIES = [
    "?at=not-a-time&start=x&end=&limit=-1&cursor=%00",
    "?limit=99999999999999999999&cursor=zz&start=9999-12-31&after=25:99&weekday=9",
    "?accounts=4000,,5000&groups=a,b&min_duration_s=NaN&max_duration_s=1e999&urgent=maybe",
    "?min_duration_s=1e300&max_duration_s=-1e300&hold_gt=1e300&delay_gt=-1e300",
    "?min_duration_s=inf&max_duration_s=-inf&start=2023-04-28T08:31:00%2B25:00",
]


def test_no_endpoint_answers_500_to_odd_bodies_or_parameters(api, endpoints, tokens):
    errors = []
    for method, path in endpoints:
        for scope in allowed_scopes(method, path):
            url = concrete(path)
            for body in ODD_BODIES:
                r = call(api, method, url, tokens[scope], body)
                if r.status_code >= 500:
                    errors.append(
                        f"{whose(method, path)}: {method.upper()} {path} ({scope}) "
                        f"body {body[:20]!r}"
                    )
            for query in ODD_QUERIES:
                r = call(api, method, url + query, tokens[scope])
                if r.status_code >= 500:
                    errors.append(
                        f"{whose(method, path)}: {method.upper()} {path} ({scope}) query {query}"
                    )
    assert not errors, "\n".join(errors)
