"""The portal's "now" for what must agree on what is past (the on-call services, the
directory's deletions): the real clock, or the one a test sets.

`with clock_at(when): ...` moves it for real inside the block — the services, the page and the
API then all read `when` (a process-wide setting, not per thread, so that a live test server
sees it too); `set_clock(when)` moves it again between the steps of a test (None: the real
clock). The on-call services read it through `portal.oncall.services.base._now`.
"""

import contextlib
import datetime as dt

from django.utils import timezone

_clock: dt.datetime | None = None


def now() -> dt.datetime:
    return _clock if _clock is not None else timezone.now()


def set_clock(when: dt.datetime | None) -> None:
    global _clock
    if when is not None and timezone.is_naive(when):
        raise ValueError("the clock needs an aware datetime")
    _clock = None if when is None else when.astimezone(dt.UTC)


@contextlib.contextmanager
def clock_at(when: dt.datetime):
    """The clock reads `when` inside the block (and whatever set_clock moves it to); the one
    before the block after it."""
    previous = _clock
    set_clock(when)
    try:
        yield
    finally:
        set_clock(previous)
