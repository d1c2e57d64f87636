"""Cache-Control: no-store (portal.nostore) on the sign-in's own steps too: the password
reset's pages (the link's page names the login it resets), the code step, the second
factor's setup with its secret and QR code, and the once-shown recovery codes."""

import re

import pytest
from django.core import mail

from portal.accounts import twofactor
from tests.twofactor import enrol, totp_code

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store", (response.status_code, response.headers)


def test_the_password_reset_pages(client, make_user):
    make_user("marie", email="marie@clinic.example")
    for path in ("/password/reset/", "/password/reset/sent/", "/password/reset/done/"):
        response = client.get(path)
        assert response.status_code == 200
        assert_no_store(response)
    asked = client.post("/password/reset/", {"email": "marie@clinic.example"})
    assert asked.status_code == 302
    assert_no_store(asked)
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    opened = client.get(link)  # Django moves the token into the session and redirects
    assert_no_store(opened)
    form = client.get(opened["Location"])
    assert form.status_code == 200 and b"new_password1" in form.content
    assert_no_store(form)


def test_the_code_step_the_setup_and_the_recovery_codes(client, make_user):
    user = make_user("paul")
    setup = make_user("anne")
    enrol(user)
    signed = client.post("/login/", {"username": "paul", "password": "correct horse 42"})
    assert signed["Location"] == "/login/code/"
    step = client.get("/login/code/")
    assert step.status_code == 200
    assert_no_store(step)
    client.logout()
    client.force_login(setup)
    page = client.get("/two-factor/setup/")
    assert page.status_code == 200 and b'src="data:image/' in page.content  # the QR code
    assert_no_store(page)
    device = twofactor.pending_app_device(setup)
    confirmed = client.post("/two-factor/setup/", {"code": totp_code(device)})
    assert confirmed.status_code == 302
    codes = client.get(confirmed["Location"])
    assert codes.status_code == 200
    shown = twofactor_codes(setup)
    assert shown and all(code.encode() in codes.content for code in shown)
    assert_no_store(codes)
    download = client.get(confirmed["Location"] + "&download=1")
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert_no_store(download)


def twofactor_codes(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticToken

    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
