"""Reading a request's body within the API's size limit (JSON endpoints and the CDR ones)."""

from django.conf import settings

from portal.api import errors as wording
from portal.api.auth import ApiError


def raw_body(request, max_bytes: int | None = None) -> bytes:
    """The body's bytes: 413 when it is larger than the limit (by its Content-Length, by
    Django's own upload limit, or as read)."""
    max_bytes = max_bytes or settings.PORTAL["API_MAX_BODY_BYTES"]
    too_large = ApiError(413, wording.BODY_TOO_LARGE.format(limit=max_bytes))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes:
        raise too_large
    try:
        raw = request.body
    except Exception:  # RequestDataTooBig
        raise too_large from None
    if len(raw) > max_bytes:
        raise too_large
    return raw
