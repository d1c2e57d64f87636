"""The integration API, version 1 (see shared/contracts/api-v1.md).

Each domain app contributes a router in its own `api.py`; this module mounts them and
turns every error into the contract's shape: {"detail": ..., "errors": [...]}.
"""

import json
import logging

from django.db import DataError, IntegrityError, OperationalError
from django.http import JsonResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import PathView

from portal.api import errors as wording
from portal.api.auth import ApiError, TokenAuth
from portal.api.bodies import raw_body
from portal.ingest import BatchInvalid
from portal.ops import dbtimeout

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Answering service portal — integration API",
    version="1",
    description="The call-center platform's API: ingest, provisioning, on-call and client reading.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Public, as the document is. Swagger UI from the portal's own static files (ninja in
    # INSTALLED_APPS: ninja/swagger.html, no inline script), under the portal's CSP; no
    # validator badge (an image from validator.swagger.io).
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
)


def error_response(status: int, detail: str, errors: list | None = None) -> JsonResponse:
    body: dict = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _json_not_allowed(self: PathView) -> JsonResponse:
    """A method the path does not have: 405 in the contract's shape (ninja answers in text)."""
    allowed = sorted({m for op in self.operations for m in op.methods})
    response = error_response(405, wording.METHOD_NOT_ALLOWED.format(methods=", ".join(allowed)))
    response["Allow"] = ", ".join(allowed)
    return response


PathView._not_allowed = _json_not_allowed  # this project's only ninja API


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(exc.status, exc.detail, exc.errors)


@api.exception_handler(BatchInvalid)
def _batch_invalid(request, exc: BatchInvalid):
    return error_response(422, exc.detail, exc.errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(401, wording.MISSING_TOKEN)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    errors = []
    for e in exc.errors:
        loc = [p for p in e.get("loc", ()) if p not in ("query", "path", "body", "payload")]
        errors.append(
            {"index": None, "field": ".".join(map(str, loc)), "message": e.get("msg", "")}
        )
    return error_response(422, wording.VALIDATION_FAILED, errors)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, str(exc))


@api.exception_handler(json.JSONDecodeError)
def _bad_json(request, exc):
    return error_response(400, wording.NOT_JSON)


@api.exception_handler(OperationalError)
def _database_busy(request, exc):
    # SQLite still locked after its timeout, a PostgreSQL connection lost, a query cancelled
    # by the statement timeout (portal.ops.dbtimeout): nothing was stored (each write is one
    # transaction); the caller may send the same request again.
    if dbtimeout.is_query_cancelled(exc):
        log.warning("API query cancelled by the statement timeout: %s", request.path)
        response = error_response(503, wording.DATABASE_SLOW)
        response["Retry-After"] = "1"
        return response
    log.exception("API database error")
    response = error_response(503, wording.DATABASE_BUSY)
    response["Retry-After"] = "5"
    return response


@api.exception_handler(DataError)
def _unstorable_value(request, exc):
    # A value the database refuses (a NUL character in a path never gets this far: see
    # accounts.middleware.NulMiddleware).
    log.exception("API data error")
    return error_response(
        422,
        wording.VALIDATION_FAILED,
        [{"index": None, "field": None, "message": wording.OUT_OF_STORE_RANGE}],
    )


@api.exception_handler(IntegrityError)
def _conflict(request, exc):
    log.exception("API integrity error")
    return error_response(409, wording.CONCURRENT_CHANGE)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    # The contract says never a 500 for bad input; anything reaching here is our bug.
    log.exception("API error")
    return error_response(500, wording.INTERNAL)


def read_json(request, max_bytes: int | None = None):
    """The request's JSON body: 413 when too large, 400 when not JSON."""
    raw = raw_body(request, max_bytes)
    try:
        data = json.loads(raw or b"")
    except (ValueError, RecursionError):
        # ValueError: not JSON, not UTF-8, or an integer of thousands of digits;
        # RecursionError: arrays nested thousands deep.
        raise ApiError(400, wording.NOT_JSON) from None
    if b"\\u0000" in raw or b"\\ud" in raw or b"\\uD" in raw:
        # Escapes that decode to text no database stores (NUL, a lone surrogate): cheap to
        # spot in the raw bytes, so only such bodies are walked.
        errors = unstorable_text(data)
        if errors:
            raise ApiError(422, wording.VALIDATION_FAILED, errors)
    return data


def unstorable_text(data) -> list[dict]:
    """Every string (key or value) holding NUL or a lone surrogate, as contract errors:
    in a batch `{"calls": [...]}` the index is the record's and the field is inside it."""
    errors: list[dict] = []
    stack: list[tuple[tuple, object]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if _unstorable(k):
                    errors.append(_text_error((*path, k)))
                stack.append(((*path, k), v))
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and _unstorable(value):
            errors.append(_text_error(path))
    return sorted(errors, key=lambda e: (e["index"] if e["index"] is not None else -1, e["field"]))


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _text_error(path: tuple) -> dict:
    index = None
    if len(path) >= 2 and isinstance(path[1], int):
        index, path = path[1], path[2:]
    return {
        "index": index,
        "field": ".".join(map(str, path)),
        "message": wording.UNSTORABLE_TEXT,
    }


def json_body(schema_name: str) -> dict:
    """openapi_extra for an endpoint whose JSON body we parse ourselves (see read_json)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
            },
        }
    }


EXTRA_SCHEMAS: dict[str, type] = {}


def document(name: str, model: type) -> None:
    """Register a pydantic model for the OpenAPI components (bodies we parse ourselves)."""
    EXTRA_SCHEMAS[name] = model


def documented(*scopes: str, body: str | None = None, **extra) -> dict:
    """openapi_extra of an operation: the scopes whose tokens may call it (the document
    states them in its description and security requirement), the JSON body it parses
    itself (the name of a schema registered with `document`), and any other entry."""
    out: dict = {"x-scopes": list(scopes), **extra}
    if body is not None:
        out.update(json_body(body))
    return out


# Every operation can answer these (a token missing or refused, a parameter out of its
# range, the database busy): added to each by the document itself.
COMMON_ERRORS = (401, 403, 422, 503)


def _add_schema(components: dict, name: str, model: type) -> None:
    js = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for def_name, definition in js.pop("$defs", {}).items():
        components.setdefault(def_name, definition)
    components[name] = js


def _complete_operation(operation: dict) -> None:
    from ninja.openapi.schema import responses as phrases

    # ninja keys the responses by number, openapi_extra by text: one key each, as text.
    answers: dict = {}
    for status, answer in operation.get("responses", {}).items():
        answers.setdefault(str(status), {}).update(answer)
    operation["responses"] = answers
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    for status in COMMON_ERRORS:
        answers.setdefault(str(status), {"content": {"application/json": {"schema": error_ref}}})
    answers["503"].setdefault(
        "headers",
        {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}},
    )
    for status, answer in answers.items():
        code = int(status)
        if code in wording.DESCRIPTIONS and answer.get("description") in (
            None,
            "",
            phrases.get(code),
        ):
            answer["description"] = wording.DESCRIPTIONS[code]
    scopes = operation.pop("x-scopes", None)
    if scopes:
        # OpenAPI 3.1: a bearer scheme's requirement may name roles; one requirement per
        # scope, as any one of them is enough.
        operation["security"] = [{"TokenAuth": [scope]} for scope in scopes]
        named = " or ".join(f"`{scope}`" for scope in scopes)
        operation["description"] = (
            f"**Scope:** {named}.\n\n{operation.get('description', '')}".rstrip()
        )


_original_schema = api.get_openapi_schema


def _schema_with_extras(*args, **kwargs):
    schema = _original_schema(*args, **kwargs)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _add_schema(components, "ErrorOut", wording.ErrorOut)
    for name, model in EXTRA_SCHEMAS.items():
        _add_schema(components, name, model)
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            _complete_operation(operation)
    return schema


api.get_openapi_schema = _schema_with_extras

# Each app's router. Imported here so that all of them share the API's auth and errors.
from portal.accounts.api import router as accounts_router  # noqa: E402
from portal.api.cdr import router as cdr_router  # noqa: E402
from portal.api.ingest import router as ingest_router  # noqa: E402
from portal.api.provision import router as provision_router  # noqa: E402
from portal.billing.api import router as billing_router  # noqa: E402
from portal.calls.api import router as calls_router  # noqa: E402
from portal.directory.api import router as directory_router  # noqa: E402
from portal.inbox.api import router as inbox_router  # noqa: E402
from portal.oncall.api import router as oncall_router  # noqa: E402
from portal.stats.api import router as stats_router  # noqa: E402
from portal.webhooks.api import router as webhooks_router  # noqa: E402

for _router in (
    ingest_router,
    cdr_router,
    provision_router,
    accounts_router,
    directory_router,
    calls_router,
    inbox_router,
    billing_router,
    oncall_router,
    stats_router,
    webhooks_router,
):
    api.add_router("", _router)
