"""Breached or common passwords refused with a message saying why, English and French, wherever
a password is chosen: Settings, the back office, provisioning (the reset by e-mail: see
test_password_reset.py); the bundled list, and the HIBP range API when configured (a real
local HTTP server answering the range format)."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from portal.accounts import passwords
from portal.accounts.users import create_client_user
from tests.twofactor import staff_login

BREACHED = "translator"  # in the bundled breach list, not in Django's common passwords
BREACH_MESSAGE = "This password has appeared in a data breach; choose another."


def change(client, new):
    return client.post(
        "/a/4000/settings/",
        {"old_password": "correct horse 42", "new_password1": new, "new_password2": new},
    )


def test_the_bundled_list_holds_thirty_thousand_breached_passwords():
    assert len(passwords._breached()) > 29_000
    assert passwords.in_bundled_list("Translator ")
    assert not passwords.in_bundled_list("a long pass phrase 7")


def test_settings_refuse_a_breached_password_saying_why(member_client, member):
    page = change(member_client, BREACHED).content.decode()
    assert BREACH_MESSAGE in page
    member.refresh_from_db()
    assert member.check_password("correct horse 42")


def test_in_french(member_client, member):
    member.language = "fr"
    member.save()
    page = change(member_client, BREACHED).content.decode()
    assert "Ce mot de passe figure dans une fuite de données\u00a0; choisissez-en un autre." in (
        page
    )


def test_a_common_password_is_refused_once_as_too_common(member_client, member):
    page = change(member_client, "password123").content.decode()
    assert "This password is too common." in page
    assert BREACH_MESSAGE not in page  # said once, not twice


def test_provisioning_refuses_it(account):
    with pytest.raises(ValidationError) as refused:
        create_client_user("paul", "weihnachtsbaum", ["4000"])
    assert BREACH_MESSAGE in refused.value.messages


def test_the_back_office_refuses_it(client, make_user, account, member):
    staff_login(client, make_user("helen", is_staff=True, is_superuser=True))
    added = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "paul",
            "password1": BREACHED,
            "password2": BREACHED,
            "accounts": [account.pk],
            "role": "user",
        },
    )
    assert BREACH_MESSAGE in added.content.decode()
    chosen = client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": "good123654", "password2": "good123654", "usable_password": "true"},
    )
    assert BREACH_MESSAGE in chosen.content.decode()
    member.refresh_from_db()
    assert member.check_password("correct horse 42")


# --- the Have I Been Pwned range API, when PORTAL_PWNED_PASSWORDS_URL is set ---------------


@pytest.fixture
def range_api(settings):
    """A local server answering /range/<5 hex> in the API's format (suffix:count lines)."""
    known = {"an uncommon phrase 2026": 12, "padding only 2026": 0}
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            prefix = self.path.rsplit("/", 1)[-1].upper()
            seen.append(prefix)
            lines = ["0018A45C4D1DEF81644B54AB7F969B88D65:1"]
            for password, count in known.items():
                digest = hashlib.sha1(password.encode()).hexdigest().upper()
                if digest[:5] == prefix:
                    lines.append(f"{digest[5:]}:{count}")
            body = "\r\n".join(lines).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PORTAL_PWNED_PASSWORDS_URL = f"http://127.0.0.1:{server.server_port}/range/"
    yield seen
    server.shutdown()
    server.server_close()


def test_the_range_api_refuses_what_it_knows_sending_only_five_hex_digits(range_api, account):
    with pytest.raises(ValidationError) as refused:
        create_client_user("paul", "an uncommon phrase 2026", ["4000"])
    assert BREACH_MESSAGE in refused.value.messages
    digest = hashlib.sha1(b"an uncommon phrase 2026").hexdigest().upper()
    assert range_api == [digest[:5]]
    # A padding line (count 0) is not a breach; an unknown password passes.
    create_client_user("rita", "padding only 2026", ["4000"])
    create_client_user("sam", "a long pass phrase 7", ["4000"])


def test_an_unreachable_range_api_leaves_the_bundled_list_to_decide(settings, account):
    from tests.conftest import free_port

    settings.PORTAL_PWNED_PASSWORDS_URL = f"http://127.0.0.1:{free_port()}/range/"
    settings.PORTAL_PWNED_PASSWORDS_TIMEOUT = 1
    create_client_user("paul", "an uncommon phrase 2026", ["4000"])
    with pytest.raises(ValidationError):
        create_client_user("rita", BREACHED, ["4000"])
