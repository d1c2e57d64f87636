"""The OpenAPI document is complete: every URL the API serves (read off Django's URL resolver)
is in it with each method it takes, each operation documents its answer's schema, its
errors in the contract's shape and the scopes that may call it, and the parameters the
contract bounds carry their bounds (which the API enforces: 422)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.operation import PathView

from tests.api.test_every_endpoint import SCOPES, allowed_scopes

pytestmark = pytest.mark.django_db

# The document, its page, and ninja's root (a 404 in the contract's shape).
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}


def served() -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every URL under /api/v1/ that the resolver serves."""
    found: set[tuple[str, str]] = set()

    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
                continue
            assert isinstance(pattern, URLPattern)
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            if not path.startswith("/api/v1/") or path in NOT_OPERATIONS:
                continue
            views = [
                cell.cell_contents
                for cell in getattr(pattern.callback, "__closure__", None) or ()
                if isinstance(cell.cell_contents, PathView)
            ]
            if views:
                methods = {m.lower() for op in views[0].operations for m in op.methods}
            else:  # a view of its own ahead of the API (the on-call look-up): GET
                methods = {"get"}
            found.update((method, path) for method in methods)

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_every_url_the_api_serves_is_documented_and_nothing_else(document):
    urls = served()
    documented = {(method, path) for method, path, _ in operations(document)}
    assert len(urls) >= 25
    assert urls - documented == set(), "served but not documented"
    assert documented - urls == set(), "documented but not served"


def _schema_of(document, answer: dict) -> dict:
    content = answer.get("content", {})
    assert content, answer
    (media, body), *_ = content.items()
    schema = body["schema"]
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return media, schema


def test_every_operation_documents_its_answer_and_its_errors(document):
    missing = []
    for method, path, operation in operations(document):
        responses = operation["responses"]
        ok = [s for s in responses if s.startswith("2")]
        if not ok:
            missing.append(f"{method} {path}: no 2xx")
        for status in ok:
            media, schema = _schema_of(document, responses[status])
            if media == "application/json" and not schema.get("properties"):
                missing.append(f"{method} {path}: {status} has no schema")
        for status in ("401", "403", "422"):
            if status not in responses:
                missing.append(f"{method} {path}: no {status}")
                continue
            _media, schema = _schema_of(document, responses[status])
            if "detail" not in schema["required"] or "errors" not in schema["properties"]:
                missing.append(f"{method} {path}: {status} not in the contract's error shape")
        if "requestBody" in operation and "application/json" in operation["requestBody"].get(
            "content", {}
        ):
            for status in ("400", "413"):
                if status not in responses:
                    missing.append(f"{method} {path}: a JSON body, no {status}")
    assert not missing, "\n".join(missing)


def test_the_error_items_are_index_field_message(document):
    item = document["components"]["schemas"]["ErrorItem"]
    assert set(item["properties"]) == {"index", "field", "message"}


def test_each_operation_states_the_scopes_the_api_enforces(document):
    """The scopes in the document are those tests/api/test_every_endpoint.py checks the API
    refuses (403) to every other scope."""
    wrong = []
    for method, path, operation in operations(document):
        stated = {s for req in operation.get("security", []) for s in req.get("TokenAuth", [])}
        if stated != allowed_scopes(method, path) & set(SCOPES):
            wrong.append(f"{method} {path}: {sorted(stated)}")
        if not operation.get("description", "").startswith("**Scope:**"):
            wrong.append(f"{method} {path}: its description does not name its scope")
    assert not wrong, "\n".join(wrong)
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def _parameter(document, method, path, name) -> dict:
    for parameter in document["paths"][path][method]["parameters"]:
        if parameter["name"] == name:
            schema = parameter["schema"]
            return next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)
    raise AssertionError(f"{method} {path} has no parameter {name}")


LISTS = [
    "/api/v1/accounts/{number}/messages",
    "/api/v1/accounts/{number}/calls",
    "/api/v1/accounts/{number}/billable",
]


@pytest.mark.parametrize("path", LISTS)
def test_the_lists_document_limit_and_cursor(document, path):
    limit = _parameter(document, "get", path, "limit")
    assert (limit["type"], limit["minimum"], limit["maximum"]) == ("integer", 1, 500)
    assert document["paths"][path]["get"]["parameters"]
    assert _parameter(document, "get", path, "cursor")["type"] == "string"


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten"])
def test_a_limit_out_of_its_range_is_the_contracts_422(api, make_token, account, path, limit):
    token = make_token("client", [account])
    r = api("get", path.replace("{number}", "4000") + f"?limit={limit}", token)
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] == "Validation failed"
    assert [e["field"] for e in body["errors"]] == ["limit"]
    assert set(body["errors"][0]) == {"index", "field", "message"}


def test_the_other_bounds_are_documented(document):
    status = _parameter(document, "get", "/api/v1/accounts/{number}/messages", "status")
    assert status["enum"] == ["open", "closed"]
    for name in ("min_duration_s", "max_duration_s"):
        seconds = _parameter(document, "get", "/api/v1/accounts/{number}/calls", name)
        assert seconds["minimum"] == 0
    weekday = _parameter(document, "get", "/api/v1/statistics", "weekday")
    assert re.fullmatch(weekday["pattern"], "0") and re.fullmatch(weekday["pattern"], "6")
    assert not re.fullmatch(weekday["pattern"], "7")


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/statistics?weekday=7",
        "/api/v1/statistics?after=25:00",
        "/api/v1/statistics?hold_gt=-1",
        "/api/v1/statistics?delay_gt=1e400",
        "/api/v1/statistics?groups=99999999999999999999",
        "/api/v1/accounts/4000/calls?min_duration_s=-1",
        "/api/v1/accounts/4000/calls?max_duration_s=nan",
        "/api/v1/accounts/4000/messages?status=pending",
    ],
)
def test_values_out_of_their_documented_bounds_are_the_contracts_422(
    api, make_token, account, query
):
    r = api("get", query, make_token("client", [account]))
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert errors and all(set(e) == {"index", "field", "message"} for e in errors)
    name = re.search(r"\?(\w+)=", query).group(1)
    assert [e["field"] for e in errors] == [name]
