"""Breached passwords refused (AUTH_PASSWORD_VALIDATORS), wherever a password is chosen:
Settings, the reset by e-mail, the back office and provisioning (they all validate with
Django's validate_password).

The machines have no internet, so the list is bundled: the 30,000 passwords seen most often in
breaches that the zxcvbn package ships (frequency list "passwords", from a compilation of
10 million breached passwords), besides Django's CommonPasswordValidator (kept, before this one:
a password it refuses is not refused twice). When PORTAL_PWNED_PASSWORDS_URL is set (e.g.
https://api.pwnedpasswords.com/range/), the Have I Been Pwned range API is asked too, by
k-anonymity (only the first 5 hex digits of the password's SHA-1 leave the machine); if it does
not answer within PORTAL_PWNED_PASSWORDS_TIMEOUT seconds, the bundled list alone decides.
"""

import functools
import hashlib
import logging
import urllib.request

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


@functools.cache
def _breached() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


@functools.cache
def _common() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def in_bundled_list(password: str) -> bool:
    return password.lower().strip() in _breached()


def seen_by_range_api(password: str) -> bool:
    """The HIBP range API (PORTAL_PWNED_PASSWORDS_URL) knows this password; False when unset
    or when it does not answer."""
    base = getattr(settings, "PORTAL_PWNED_PASSWORDS_URL", "")
    if not base:
        return False
    digest = hashlib.sha1(password.encode("utf-8")).hexdigest().upper()  # noqa: S324 (HIBP's)
    prefix, suffix = digest[:5], digest[5:]
    request = urllib.request.Request(
        base.rstrip("/") + "/" + prefix, headers={"Add-Padding": "true", "User-Agent": "portal"}
    )
    timeout = float(getattr(settings, "PORTAL_PWNED_PASSWORDS_TIMEOUT", 3))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = answer.read().decode("ascii", "replace")
    except OSError as error:
        log.warning("Pwned Passwords range API unreachable (%s): bundled list only", error)
        return False
    for line in body.splitlines():
        found, _sep, count = line.strip().partition(":")
        if found.upper() == suffix and count.strip() not in ("", "0"):
            return True
    return False


class BreachedPasswordValidator:
    """Refuses a password known from data breaches, saying so."""

    def validate(self, password, user=None):
        if password.lower().strip() in _common():
            return  # CommonPasswordValidator says "too common" already
        if in_bundled_list(password) or seen_by_range_api(password):
            raise ValidationError(
                _("This password has appeared in a data breach; choose another."),
                code="password_breached",
            )

    def get_help_text(self):
        return _("Your password can’t be one that has appeared in a data breach.")
