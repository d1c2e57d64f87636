"""The API's errors: their one shape (the contract's `{"detail", "errors"}`) and one wording for
each error, whichever endpoint raises it. Neutral: imported by the API's routers and by
portal/api/urls.py, imports nothing of the portal."""

from pydantic import BaseModel, ConfigDict, Field

# --- Wording: one sentence for one error ------------------------------------------------
MISSING_TOKEN = "Missing or invalid token."
SCOPE_REFUSED = "This token's scope ({scope}) does not allow this."
ACCOUNT_REFUSED = "This token does not give access to this account."
VALIDATION_FAILED = "Validation failed"
NOT_JSON = "The body is not valid JSON."
BODY_TOO_LARGE = "The body is larger than {limit} bytes."
WRONG_CONTENT_TYPE = "Expected Content-Type {expected}, not {got}."
TOO_MANY_RECORDS = "At most {limit} records per request; this one has {count}."
NOT_FOUND = "Not found."
METHOD_NOT_ALLOWED = "Method not allowed; this path takes {methods}."
UNKNOWN = "Unknown {kind}: {key}"
RECORDING_MISSING = "The recording file of this call is missing from the storage."
CONCURRENT_CHANGE = "A concurrent request changed the same records; try again."
DATABASE_BUSY = "The database is busy; nothing was stored, try again."
DATABASE_SLOW = "The database took too long to answer; nothing was stored, try again."
OUT_OF_STORE_RANGE = "A value is out of the range the store takes."
INTERNAL = "Internal error."
# Parameters
LIMIT_RANGE = "Expected a whole number from 1 to 500."
BAD_CURSOR = "Unknown cursor: use the `next` URL of the previous page."
NOT_NEGATIVE = "Expected a number ≥ 0."
UNSTORABLE_TEXT = "Text must not contain NUL characters or lone surrogates."
DATE_RANGE = "Expected a date between the years 1900 and 2999."
DATE_OR_TIMESTAMP = "Expected a date (YYYY-MM-DD) or a timestamp."
DATE_OR_AWARE_TIMESTAMP = "Expected a date (YYYY-MM-DD) or a timestamp with an offset."
AWARE_TIMESTAMP = "Expected a timestamp with its offset."
TIMESTAMP_RANGE = "The timestamp is out of range."
STATUS_CHOICES = "Expected open or closed."

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


def unknown(kind: str, key: object) -> str:
    """ "Unknown account: 4000", "Unknown shift: x1"… (404, or 422 for a field of a body)."""
    return UNKNOWN.format(kind=kind, key=key)


# --- Shapes -----------------------------------------------------------------------------


class ErrorItem(BaseModel):
    index: int | None = Field(None, description="the record's position in the batch, if any")
    field: str | None = Field(
        None, description="the field, dotted for nested ones (e.g. holds_s.1)"
    )
    message: str


class ErrorOut(BaseModel):
    """Every error: `detail` says what went wrong; a 422 lists every problem in `errors`."""

    model_config = ConfigDict(title="ErrorOut")
    detail: str
    errors: list[ErrorItem] | None = None


class ConflictItem(ErrorItem):
    shift: dict = Field(
        description="the shift as it is now (its `version`, times, contact and overrides)"
    )


class ConflictOut(BaseModel):
    """409: someone changed the shift since the `version` the request names; nothing was
    changed. Read the shift's state in `errors[0].shift` and try again."""

    model_config = ConfigDict(title="ConflictOut")
    detail: str
    errors: list[ConflictItem] | None = None


# What each error status means, in the OpenAPI document.
DESCRIPTIONS = {
    400: "The body is not JSON (or not of the expected shape at its top level).",
    401: "Missing or invalid token (`Authorization: Bearer <token>`).",
    403: "A valid token outside its scope or its accounts.",
    404: "An unknown account, or an unknown object in the path.",
    409: "A concurrent change: nothing was changed; try again.",
    410: "Gone: the object exists but its file is missing from the storage.",
    413: "The body is too large, or the batch has more than 1000 records.",
    415: "The body's Content-Type is not one this endpoint takes, or the body is not of it.",
    416: "The Range asked for lies past the end of the file.",
    422: "Validation failed: every problem is listed in `errors` (index, field, message).",
    503: "The database is busy or took too long: nothing was stored; try again (`Retry-After`).",
    507: "The storage could not keep the file: nothing was stored; try again.",
}


def errors(*statuses: int) -> dict[int, type]:
    """The `response=` entries of these error statuses. 401, 403, 422 and 503 are added to
    every operation by the document itself (portal/api/urls.py)."""
    return {status: ErrorOut for status in statuses}
