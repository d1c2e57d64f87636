"""Two-step verification (the second factor): services the sign-in, the Settings page, the
enrolment pages, the middleware and the back office all call.

A login turns it on with an authenticator app (a TOTP device of django-otp, confirmed by a
first code) and receives ten single-use recovery codes (a static device). Signing in, a
login with it on gives its password, then a code: until the code is right the session only
holds a pending sign-in (PENDING), the person is not signed in (see views_twofactor).

Required for every staff login and for every login of an account that asks for it
(Account.require_two_factor): such a login without it is sent to set it up right after
signing in, before any page (TwoFactorMiddleware).

Every change is in the audit trail: two_factor.enrol, two_factor.recovery_codes (new codes),
two_factor.recovery_code_used, two_factor.disable, two_factor.reset (by staff), and
two_factor.failed (a wrong code).
"""

import base64
import re
import time

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import audit

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
APP_DEVICE_NAME = "Authenticator app"
# The session of a sign-in whose password was right and whose code is still to come.
PENDING = "_two_factor_pending"
PENDING_SECONDS = 5 * 60
# Recovery codes just made, shown (and downloadable) until the person says they kept them.
NEW_CODES = "_two_factor_new_codes"


# --- state ---------------------------------------------------------------------------------


def app_device(user) -> TOTPDevice | None:
    """The login's confirmed authenticator app, if it turned two-step verification on."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_on(user) -> bool:
    return app_device(user) is not None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def required_for(user, accounts) -> bool:
    """Staff always; a client login when one of its accounts requires it."""
    return bool(user.is_staff or any(a.require_two_factor for a in accounts))


def requiring_accounts(accounts) -> list:
    return [a for a in accounts if a.require_two_factor]


# --- turning it on -------------------------------------------------------------------------


def pending_app_device(user) -> TOTPDevice:
    """The unconfirmed device of an enrolment under way (made once, so that reloading the
    page keeps the same secret the person may already have typed into their app)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app takes it typed by hand: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def config_url(device: TOTPDevice) -> str:
    issuer = f"{settings.PORTAL['SERVICE_NAME']} Client Portal".replace(":", "")
    label = f"{issuer}:{device.user.get_username()}"
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    from urllib.parse import quote, urlencode

    query = urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})
    return f"otpauth://totp/{quote(label)}?{query}"


def qr_data_uri(device: TOTPDevice) -> str:
    """The QR code of the device's otpauth:// address as an SVG data: URI, made here (no
    outside service; the pages' Content-Security-Policy allows data: images)."""
    qr = segno.make(config_url(device), error="m")
    return qr.svg_data_uri(scale=5, border=2, dark="#111", light="#fff")


def clean_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def throttled_seconds(device) -> int:
    """Seconds before the device accepts another try after wrong codes (0: now)."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds() + 0.999))


def confirm_app(request, user, code: str) -> tuple[bool, int]:
    """Turn two-step verification on with the first code of the pending device.

    Returns (done, seconds to wait when throttled). On success the device is confirmed, fresh
    recovery codes are made and kept in the session to be shown (NEW_CODES), this session
    counts as verified, and the audit trail says so."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            return False, 0
        wait = throttled_seconds(device)
        if wait:
            return False, wait
        if not device.verify_token(clean_code(code)):
            audit.record("two_factor.failed", request=request, user=user, step="enrol")
            return False, 0
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(request, user, reason="enrol")
    request.session[NEW_CODES] = codes
    if request.user.is_authenticated and request.user.pk == user.pk:
        otp_login(request, device)
    audit.record("two_factor.enrol", request=request, user=user, obj=user, **_accounts(user))
    return True, 0


def new_recovery_codes(request, user, reason="regenerate") -> list[str]:
    """Ten fresh single-use recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    if reason == "regenerate":
        audit.record("two_factor.recovery_codes", request=request, user=user, obj=user)
    return codes


# --- signing in ----------------------------------------------------------------------------


def begin(request, user, next_url: str) -> None:
    """The password was right and the login has two-step verification: the session holds
    the pending sign-in (a fresh session key), nobody is signed in yet."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
        "next": next_url,
    }


def pending(request):
    """(user, pending dict) of the sign-in waiting for its code, or (None, None)."""
    from portal.accounts.models import User

    data = request.session.get(PENDING)
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return (user, data) if user is not None else (None, None)


def verify(request, user, code: str):
    """Check a sign-in code: the app's code, else a recovery code (used up).

    Returns (device or None, seconds to wait when throttled)."""
    code = clean_code(code)
    if not code:
        return None, 0
    kind = (
        "app" if code.isdigit() and len(code) == 6 else "recovery"
    )  # recovery codes: 8 characters
    model = TOTPDevice if kind == "app" else StaticDevice
    with transaction.atomic():
        devices = list(
            model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        for device in devices:
            wait = throttled_seconds(device)
            if wait:
                return None, wait
        for device in devices:
            if device.verify_token(code):
                if kind == "recovery":
                    audit.record(
                        "two_factor.recovery_code_used",
                        request=request,
                        user=user,
                        obj=user,
                        left=recovery_codes_left(user),
                    )
                return device, 0
    audit.record("two_factor.failed", request=request, user=user, step="sign-in", kind=kind)
    return None, 0


def verified(request, device) -> None:
    """After auth.login: this session passed its second factor (django-otp's marker)."""
    otp_login(request, device)


# --- turning it off ------------------------------------------------------------------------


def _remove_devices(user) -> int:
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return removed


def _accounts(user) -> dict:
    return {"accounts": sorted(user.memberships.values_list("account__number", flat=True))}


def disable(request, user) -> None:
    """The login turns it off itself (Settings, with its password)."""
    _remove_devices(user)
    audit.record("two_factor.disable", request=request, user=user, obj=user, **_accounts(user))


def reset(request, login) -> bool:
    """Staff remove a login's second factor (a lost phone): it signs in with its password
    alone, and sets it up again when it is required. Returns whether there was one."""
    had = _remove_devices(login) > 0
    first = login.memberships.select_related("account").order_by("account__number").first()
    audit.record(
        "two_factor.reset",
        request=request,
        account=first.account if first else None,
        obj=login,
        login=login.get_username(),
        had_device=had,
        **_accounts(login),
    )
    return had


def settings_state(user, accounts) -> dict:
    """What the Settings page's "Two-step verification" section shows."""
    device = app_device(user)
    return {
        "on": device is not None,
        "since": device.created_at if device is not None else None,
        "codes_left": recovery_codes_left(user) if device is not None else 0,
        "required": required_for(user, accounts),
        "total": RECOVERY_CODE_COUNT,
    }
