"""The second factor in tests: sign staff in as the back office now demands, and give browser
tests the codes a person would read off their authenticator app.

- `staff_login(client, user)`: a Django test client signed in with its second factor verified
  (a confirmed TOTP device, enrolled here if the user has none, marked in the session the way
  `django_otp.login` does). Use it for every test that opens /admin/ as staff.
- `enrol(user)`: the user's confirmed TOTP device (made if missing).
- `totp_code(user)`: the code of the user's device at this moment, as the app would show it.
  It also lets that code be accepted again (a TOTP code is refused a second time in its
  30-second step, and a test may sign in twice within one) and forgets earlier wrong codes
  (django-otp's throttling), so that a test signing in through the form always gets in.
- `recovery_codes(user, count=10)`: fresh single-use recovery codes for the user.
- `pass_code_step(page, user, lang="en")`: in a browser on the sign-in's code step, type the
  user's current code into the field by its label and press the button.
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

CODE_LABEL = {"en": "Code", "fr": "Code"}
VERIFY_BUTTON = {"en": "Verify", "fr": "Vérifier"}


def enrol(user, name="Authenticator app"):
    """The user's confirmed TOTP device (one is created if the user has none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
    return device


def totp_code(user_or_device) -> str:
    """The current six-digit code of the user's (or this) TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = user_or_device if isinstance(user_or_device, TOTPDevice) else enrol(user_or_device)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def code_from_secret(secret: str) -> str:
    """The code an authenticator app computes now from the secret shown as text (base32,
    spaces allowed), as a person typing the secret by hand would get."""
    from base64 import b32decode

    raw = secret.replace(" ", "").upper()
    raw += "=" * (-len(raw) % 8)
    return f"{totp(b32decode(raw)):06d}"


def recovery_codes(user, count=10) -> list[str]:
    """Fresh recovery codes for the user (their earlier ones, if any, are replaced)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def staff_login(client, user):
    """Sign `client` in as `user` with the second factor verified; returns the client."""
    device = enrol(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def pass_code_step(page, user, lang="en"):
    """On the sign-in's code step: type the current code and press the button."""
    page.get_by_label(CODE_LABEL[lang], exact=True).fill(totp_code(user))
    page.get_by_role("button", name=VERIFY_BUTTON[lang]).click()


SIGN_IN = {
    "en": {"user": "User Name", "password": "Password", "enter": "Enter"},
    "fr": {"user": "Nom", "password": "Mot de passe", "enter": "Entrez"},
}


def staff_sign_in(page, user, lang="en", password="correct horse 42"):
    """In a browser on the sign-in page (where any back-office address leads a signed-out
    visitor): the user name, the password, then the code step with the user's current code
    (a device is enrolled for the user if it has none). Ends on the page asked for."""
    enrol(user)
    words = SIGN_IN[lang]
    page.get_by_label(words["user"], exact=True).fill(user.get_username())
    page.get_by_label(words["password"], exact=True).fill(password)
    page.get_by_role("button", name=words["enter"], exact=True).click()
    page.get_by_label(CODE_LABEL[lang], exact=True).wait_for()
    pass_code_step(page, user, lang)
