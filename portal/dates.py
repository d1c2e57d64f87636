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


# --- Local wall times across clock changes ------------------------------------------------
# Every form that takes a local time (the On Call Override dialog, the back office's shift
# form) reads it here: a time the spring change skips is refused with a message that says so;
# a time the autumn change repeats is refused until the person says which of the two it is.

FIRST, SECOND = "first", "second"


class LocalTimeError(ValueError):
    """A wall time that is not one instant; `message` is for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class SkippedTime(LocalTimeError):
    """The clocks jump over this wall time (spring)."""


class RepeatedTime(LocalTimeError):
    """The clocks go through this wall time twice (autumn); `choices` are (value, label)."""

    def __init__(self, message, choices, legend=""):
        super().__init__(message)
        self.choices = choices
        self.legend = legend


def clock(value: dt.datetime | dt.time) -> str:
    """A wall time as the portal writes it: "1:30" in English, "1h30" in French."""
    from django.utils.translation import get_language

    if (get_language() or "en").startswith("fr"):
        return f"{value.hour}h{value.minute:02d}"
    return f"{value.hour}:{value.minute:02d}"


def _day_label(day: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "MONTH_DAY_FORMAT")  # "March 8", "8 mars"


def _offsets(naive: dt.datetime, tz) -> tuple[dt.timedelta, dt.timedelta]:
    return (
        naive.replace(tzinfo=tz, fold=0).utcoffset(),
        naive.replace(tzinfo=tz, fold=1).utcoffset(),
    )


def is_repeated(naive: dt.datetime, tz) -> bool:
    first, second = _offsets(naive, tz)
    return first > second


def repeated_choices(naive: dt.datetime, tz) -> list[tuple[str, str]]:
    """The two readings of a repeated wall time: "first 1:30 (EDT)", "second 1:30 (EST)"."""
    names = {
        "time": clock(naive),
        "first": naive.replace(tzinfo=tz, fold=0).tzname(),
        "second": naive.replace(tzinfo=tz, fold=1).tzname(),
    }
    return [
        (FIRST, _("first %(time)s (%(first)s)") % names),
        (SECOND, _("second %(time)s (%(second)s)") % names),
    ]


def local_instant(naive: dt.datetime, tz, which: str = "") -> dt.datetime:
    """The instant (aware, in `tz`) of a wall time typed in the zone `tz`.

    Raises SkippedTime for a time the clocks skip, RepeatedTime for a time they repeat when
    `which` (FIRST or SECOND) does not say which of the two is meant; `which` is ignored for
    every other time. Dates outside the portal's range raise LocalTimeError too."""
    if naive.tzinfo is not None:
        naive = naive.replace(tzinfo=None)
    if not date_in_range(naive.date()):
        raise LocalTimeError(OUT_OF_RANGE)
    before, after = _offsets(naive, tz)
    if before == after:
        return naive.replace(tzinfo=tz, fold=0)
    if before < after:  # skipped: the wall clock jumps from `start` to `end`
        utc = naive - after  # an instant before the change; the change lies within the hour
        low, high = utc, naive - before
        while high - low > dt.timedelta(minutes=1):
            mid = low + (high - low) / 2
            if mid.replace(tzinfo=dt.UTC).astimezone(tz).utcoffset() == before:
                low = mid
            else:
                high = mid
        start, end = high + before, high + after
        raise SkippedTime(
            _("%(time)s does not exist on %(day)s: the clocks go from %(start)s to %(end)s.")
            % {
                "time": clock(naive),
                "day": _day_label(naive.date()),
                "start": clock(start),
                "end": clock(end),
            }
        )
    if which == FIRST:
        return naive.replace(tzinfo=tz, fold=0)
    if which == SECOND:
        return naive.replace(tzinfo=tz, fold=1)
    raise repeated(naive, tz)


def repeated(naive: dt.datetime, tz) -> RepeatedTime:
    """The refusal of a repeated wall time, with its two readings and the question to ask."""
    return RepeatedTime(
        _("%(time)s occurs twice on %(day)s (the clocks go back an hour): choose which.")
        % {"time": clock(naive), "day": _day_label(naive.date())},
        repeated_choices(naive, tz),
        _("Which %(time)s?") % {"time": clock(naive)},
    )


def which_of(value: dt.datetime, tz) -> str:
    """FIRST or SECOND for an instant whose wall time in `tz` is repeated, else ""."""
    local = value.astimezone(tz)
    if not is_repeated(local.replace(tzinfo=None), tz):
        return ""
    return SECOND if local.fold else FIRST


def day_has_change(day: dt.date, tz) -> bool:
    """True when the zone's clocks change on this local day."""
    first = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    last = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz)
    return first.utcoffset() != last.utcoffset()
