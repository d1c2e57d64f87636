"""The range of dates the portal accepts from people and programs: the years 1900 to 2999.

Nothing it keeps lies outside; and at the ends of the calendar (years 1 and 9999) a date
cannot even be turned into a day's bounds or a time in every zone (Python raises
OverflowError), which used to give 500s.
"""

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)
OUT_OF_RANGE = _("Choose a date between the years 1900 and 2999.")


def date_in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def instant_in_range(moment: dt.datetime) -> bool:
    """An aware datetime within the range (False, not an error, when it cannot be converted)."""
    try:
        return EARLIEST <= moment.astimezone(dt.UTC) < LATEST
    except OverflowError:
        return False


class DateField(forms.DateField):
    """A form's date, refused with a clear message outside the portal's range."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(FIRST_DAY, message=OUT_OF_RANGE),
            MaxValueValidator(LAST_DAY, message=OUT_OF_RANGE),
        ]
