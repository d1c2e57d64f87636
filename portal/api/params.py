"""Query parameters the reading endpoints share, with their constraints: declared once, so
that the OpenAPI document states them and the API enforces them (a value out of range is
the contract's 422, from the API's validation handler in portal/api/urls.py)."""

from ninja import Query

from portal.api.errors import DEFAULT_LIMIT, MAX_LIMIT

DATE_OR_AWARE = (
    "a date (YYYY-MM-DD, the whole day in the account's time zone) or a timestamp with its "
    "offset (2023-05-01T07:30:00-04:00); years 1900 to 2999"
)


def limit():
    return Query(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"results per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
    )


def cursor():
    return Query(
        None,
        max_length=200,
        description="where the page starts: the `cursor` of the previous page's `next` URL",
    )


def bound(which: str, meaning: str = DATE_OR_AWARE):
    return Query(None, max_length=64, description=f"{which}: {meaning}")


# A number of seconds past any call's length (about 31 years): a bound, not a computation's
# overflow.
MAX_SECONDS = 1_000_000_000


def seconds(description: str):
    return Query(
        None,
        ge=0,
        le=MAX_SECONDS,
        allow_inf_nan=False,
        description=f"{description}; 0 to {MAX_SECONDS}",
    )
