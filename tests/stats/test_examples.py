"""The seeds' examples, reproduced exactly from calls pushed through the ingest API."""

import datetime as dt
from decimal import Decimal

import pytest

from portal.stats.services import Filters, statistics
from tests.stats.examples import (
    ENGLISH_FIGURES,
    FRENCH_FIGURES,
    english_example,
    french_example,
    ingest,
)


def as_expected(figures):
    out = {}
    for key, f in figures.items():
        value = f["value"]
        out[key] = (
            str(value) if isinstance(value, Decimal) else value,
            None if f["pct"] is None else str(f["pct"]),
        )
    return out


@pytest.mark.django_db
def test_the_french_example_is_reproduced_exactly(account, make_token, api):
    ingest(api, make_token(), french_example())
    figures = statistics(
        Filters(accounts=[account], start=dt.date(2023, 3, 1), end=dt.date(2023, 3, 22))
    )
    assert as_expected(figures) == FRENCH_FIGURES


@pytest.mark.django_db
def test_the_english_example_is_reproduced_exactly(account, make_token, api):
    ingest(api, make_token(), english_example())
    figures = statistics(
        Filters(accounts=[account], start=dt.date(2023, 3, 1), end=dt.date(2023, 3, 22))
    )
    assert as_expected(figures) == ENGLISH_FIGURES
