"""Sign-in throttling: django-axes 8 with this module's handler and cool-off.

Failed sign-ins are counted (axes' AccessAttempt rows, one per user name, address and browser)
by (user name, address) and by address, never by user name alone: an attacker at another address
slows only themselves and never locks the real person out of their own browser.

- After AXES_FAILURE_LIMIT (5) failures for one user name from one address, or
  PORTAL_LOGIN_ADDRESS_LIMIT (20) failures from one address whatever the user names, that pair
  (or address) is locked for PORTAL_LOGIN_COOLOFF_MINUTES (15). Each further failure once a lock
  has ended locks it again for twice as long (30, 60, 120 min…), up to
  PORTAL_LOGIN_MAX_COOLOFF_MINUTES (240). Attempts while locked are refused without checking the
  password and do not extend the lock (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False).
- Failures are forgotten PORTAL_LOGIN_MEMORY_HOURS (24) after the last one; signing in with the
  right password forgets that user name's failures from that address (not the address's
  failures for other user names, so a valid login of one's own does not reset a spray).
- Global ceiling against spraying from many addresses: when more than
  PORTAL_LOGIN_GLOBAL_CEILING (200) failures were recorded on the whole portal in the last
  PORTAL_LOGIN_GLOBAL_WINDOW_MINUTES (10), sign-ins are refused unchecked ("wait a few
  minutes") until the count falls back, except from a browser where that user name signed in
  before (a signed cookie set at each sign-in, `remember_device`), so the real people keep
  signing in from their own browsers while the spray is held to the ceiling's rate.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core import signing
from django.db.models import Max, Sum
from django.utils import timezone

DEVICE_COOKIE = "portal_signed_in_here"
DEVICE_SALT = "portal.accounts.throttle.device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600
DEVICE_NAMES = 8  # user names remembered per browser


def _minutes(name: str) -> timedelta:
    return timedelta(minutes=float(getattr(settings, name)))


def memory() -> timedelta:
    """How long failures are kept after the last one (never shorter than the longest lock)."""
    return max(
        timedelta(hours=float(settings.PORTAL_LOGIN_MEMORY_HOURS)),
        _minutes("PORTAL_LOGIN_MAX_COOLOFF_MINUTES"),
    )


def delay(level: int) -> timedelta:
    """The length of the `level`-th lock in a row: the first cool-off, doubled each time."""
    first = _minutes("PORTAL_LOGIN_COOLOFF_MINUTES")
    longest = _minutes("PORTAL_LOGIN_MAX_COOLOFF_MINUTES")
    return min(first * 2 ** min(max(level, 1) - 1, 30), longest)


def username(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the user name as typed, trimmed and in lower case, so that
    "Alice" and "alice " count as the same user name."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {}) or {}
    value = source.get(field) or ""
    return str(value).strip().lower()[:255]


@dataclass
class Lock:
    until: datetime | None  # the end of the lock, None when not locked
    failures: int  # for axes: the failure limit when locked, else the pair's failures

    @property
    def locked(self) -> bool:
        return self.until is not None


def _count(attempts) -> tuple[int, datetime | None]:
    found = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    return found["n"] or 0, found["last"]


def lock_of(request, credentials=None, *, now: datetime | None = None) -> Lock:
    """Whether this request's (user name, address) or address is locked now, and until when."""
    now = now or timezone.now()
    ip = getattr(request, "axes_ip_address", None)
    recent = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gt=now - memory())
    pair, pair_last = _count(recent.filter(username=username(request, credentials)))
    address, address_last = _count(recent)
    limits = [
        (pair, pair_last, int(settings.AXES_FAILURE_LIMIT)),
        (address, address_last, int(settings.PORTAL_LOGIN_ADDRESS_LIMIT)),
    ]
    until = None
    for failures, last, limit in limits:
        excess = failures - limit + 1
        if excess >= 1 and last is not None and last + delay(excess) > now:
            until = max(until or now, last + delay(excess))
    if until is not None:
        return Lock(until, int(settings.AXES_FAILURE_LIMIT))
    return Lock(None, min(pair, int(settings.AXES_FAILURE_LIMIT) - 1))


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: the length of this request's lock (its level's delay); the first
    delay when nothing is locked."""
    if request is None or not hasattr(request, "axes_ip_address"):
        return delay(1)
    lock = lock_of(request)
    if lock.until is None:
        return delay(1)
    return max(lock.until - timezone.now(), timedelta(seconds=1))


def wait_minutes(request, credentials=None) -> int:
    """Whole minutes (at least 1) before this request may try again."""
    if getattr(request, "portal_global_wait", None) is not None:
        seconds = request.portal_global_wait.total_seconds()
    else:
        lock = lock_of(request, credentials)
        seconds = (lock.until - timezone.now()).total_seconds() if lock.locked else 60
    return max(1, math.ceil(seconds / 60))


# --- the global ceiling ------------------------------------------------------------------


def global_wait(now: datetime | None = None) -> timedelta | None:
    """Over the ceiling: how long until the portal's failures in the window fall below it."""
    now = now or timezone.now()
    window = _minutes("PORTAL_LOGIN_GLOBAL_WINDOW_MINUTES")
    ceiling = int(settings.PORTAL_LOGIN_GLOBAL_CEILING)
    recent = AccessFailureLog.objects.filter(attempt_time__gt=now - window)
    count = recent.count()
    if count < ceiling:
        return None
    times = recent.order_by("attempt_time").values_list("attempt_time", flat=True)
    pivot = times[count - ceiling]  # once this one leaves the window, the count is below
    return max(pivot + window - now, timedelta(seconds=1))


def _device_names(request) -> list[str]:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        names = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def known_device(request, name: str) -> bool:
    """Whether this browser signed in as `name` before (the global ceiling spares it)."""
    return bool(name) and name in _device_names(request)


def remember_device(request, response, user) -> None:
    """After a sign-in: this browser is one where `user` signs in (see the global ceiling)."""
    name = user.get_username().strip().lower()
    names = [name] + [n for n in _device_names(request) if n != name]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names[:DEVICE_NAMES], salt=DEVICE_SALT),
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


# --- the handler -------------------------------------------------------------------------


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, counting and locking as the module's docstring says."""

    def is_allowed(self, request, credentials=None) -> bool:
        if not super().is_allowed(request, credentials):
            return False
        wait = global_wait()
        if wait is not None and not known_device(request, username(request, credentials)):
            request.portal_global_wait = wait
            return False
        return True

    def get_failures(self, request, credentials=None) -> int:
        return lock_of(request, credentials).failures

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        count, _ = AccessAttempt.objects.filter(
            attempt_time__lte=timezone.now() - memory()
        ).delete()
        return count

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A sign-in forgets that user name's failures from that address, nothing more."""
        count, _ = AccessAttempt.objects.filter(
            username=username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count
