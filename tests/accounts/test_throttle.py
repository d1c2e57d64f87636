"""Sign-in throttling (accounts.throttle): by (user name, address) and by address, growing
delays, attempts while locked do not extend the lock, and a global ceiling against spraying."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db.models import F
from django.test import Client

from portal.accounts.models import AuditLog

PASSWORD = "correct horse 42"
X, Y = "203.0.113.7", "198.51.100.20"


def sign_in(client, username, password=PASSWORD, address=X, **extra):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def earlier(minutes):
    """The clock moved on: every recorded failure happened `minutes` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


@pytest.fixture
def alice(make_user, account):
    return make_user("alice", account)


def test_an_attacker_at_another_address_does_not_lock_alice_out(client, alice):
    for _attempt in range(4):
        assert sign_in(client, "alice", "guess", address=X).status_code == 200
    locked = sign_in(client, "alice", "guess", address=X)
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    # From X even the right password is refused (unchecked) while the lock lasts...
    assert sign_in(Client(), "alice", address=X).status_code == 429
    # ...while alice, from her own browser at Y, signs in.
    response = sign_in(Client(), "alice", address=Y)
    assert response.status_code == 302
    assert AuditLog.objects.get(action="login", actor="alice").ip == Y
    locked_entry = AuditLog.objects.filter(action="login.locked", actor="alice").first()
    assert locked_entry.ip == X and locked_entry.detail["reason"] == "failures"


def test_the_user_name_is_counted_whatever_its_case_and_spaces(client, alice):
    for name in ["alice", "Alice", "ALICE ", " alice", "aLice"]:
        sign_in(client, name, "guess")
    assert sign_in(client, "alice").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"alice"}


def test_attempts_while_locked_do_not_extend_the_lock(client, alice):
    for _attempt in range(5):
        sign_in(client, "alice", "guess")
    earlier(10)
    for _attempt in range(20):  # the attacker keeps trying during the lock
        assert sign_in(client, "alice", "guess").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5
    page = sign_in(client, "alice", "guess").content.decode()
    assert "locked for 5 minutes" in page  # what is left of the first 15
    earlier(6)  # 16 minutes after the fifth failure: the lock is over
    assert sign_in(client, "alice").status_code == 302


def test_each_failure_after_a_lock_locks_again_for_twice_as_long(client, alice, settings):
    for _attempt in range(5):
        sign_in(client, "alice", "guess")
    waits = []
    for minutes in (15, 30, 60, 120, 240, 240):
        earlier(minutes + 1)
        response = sign_in(client, "alice", "guess")  # one more guess once the lock ended
        assert response.status_code == 429
        waits.append(response.context["lockout_minutes"])
    assert waits == [30, 60, 120, 240, 240, 240]  # up to PORTAL_LOGIN_MAX_COOLOFF_MINUTES
    assert settings.PORTAL_LOGIN_MAX_COOLOFF_MINUTES == 240
    # A day without failures: forgotten, five tries again.
    earlier(24 * 60 + 1)
    assert sign_in(client, "alice", "guess").status_code == 200


def test_one_address_trying_many_user_names_is_slowed(client, alice, settings):
    assert settings.PORTAL_LOGIN_ADDRESS_LIMIT == 20
    for number in range(19):
        assert sign_in(client, f"user{number}", "guess").status_code == 200
    assert sign_in(client, "user19", "guess").status_code == 429
    assert sign_in(client, "alice").status_code == 429  # from X, for every user name
    assert sign_in(Client(), "alice", address=Y).status_code == 302
    earlier(16)
    assert sign_in(client, "user20", "guess").status_code == 429  # growing: 30 minutes now
    assert sign_in(client, "user20", "guess").context["lockout_minutes"] == 30


def test_signing_in_forgets_that_user_names_failures_but_not_the_addresss(client, alice, settings):
    settings.PORTAL_LOGIN_ADDRESS_LIMIT = 8
    for _attempt in range(4):
        sign_in(client, "alice", "typo")
    assert sign_in(client, "alice").status_code == 302  # alice's typos forgotten
    client.post("/logout/")
    for _attempt in range(4):
        assert sign_in(client, "alice", "typo").status_code == 200
    for number in range(3):
        assert sign_in(client, f"someone{number}", "guess").status_code == 200
    # The address: 4 (alice's, since her sign-in) + 4 (others') = 8 failures: locked.
    assert sign_in(client, "someone9", "guess").status_code == 429


def test_the_lock_follows_the_audit_trails_client_address(client, alice, settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "portal.accounts.audit.client_ip"
    sign_in(client, "alice", "guess", address=Y)
    assert AccessAttempt.objects.get().ip_address == Y


# --- the global ceiling ------------------------------------------------------------------


@pytest.fixture
def low_ceiling(settings):
    settings.PORTAL_LOGIN_GLOBAL_CEILING = 6
    settings.PORTAL_LOGIN_GLOBAL_WINDOW_MINUTES = 10


def spray(count):
    """`count` failures, each from its own address for its own user name."""
    for number in range(count):
        response = sign_in(Client(), f"victim{number}", "Summer2026!", address=f"192.0.2.{number}")
        assert response.status_code == 200


def test_over_the_global_ceiling_unknown_browsers_wait(low_ceiling, alice):
    spray(6)
    sprayer = sign_in(Client(), "victim7", "Summer2026!", address="192.0.2.77")
    assert sprayer.status_code == 429
    page = sprayer.content.decode()
    assert "Too many failed sign-ins on the portal right now" in page
    assert "wait for 10 minutes" in page
    # Refused unchecked, even with the right password, from a browser alice never used...
    assert sign_in(Client(), "alice", address="192.0.2.99").status_code == 429
    assert AuditLog.objects.filter(action="login.locked", detail__reason="global").exists()
    # ...and not counted: the count falls back as the window moves on.
    assert AccessFailureLog.objects.count() == 6
    earlier(11)
    assert sign_in(Client(), "alice", address="192.0.2.99").status_code == 302


def test_over_the_global_ceiling_the_real_user_signs_in_from_their_own_browser(low_ceiling, alice):
    own_browser = Client()
    assert sign_in(own_browser, "alice", address=Y).status_code == 302
    own_browser.post("/logout/")
    spray(6)
    assert sign_in(Client(), "alice", address=Y).status_code == 429  # another browser
    response = sign_in(own_browser, "alice", address=Y)
    assert response.status_code == 302
    # The cookie names the user names that signed in here, nobody else's.
    own_browser.post("/logout/")
    assert sign_in(own_browser, "victim1", "Summer2026!", address=Y).status_code == 429


def test_a_forged_device_cookie_is_ignored(low_ceiling, alice, client):
    spray(6)
    client.cookies["portal_signed_in_here"] = '["alice"]'
    assert sign_in(client, "alice", address=Y).status_code == 429


def test_staff_unlock_a_locked_address_at_once_in_the_back_office(client, alice, make_user):
    from tests.twofactor import staff_login

    for _attempt in range(5):
        sign_in(client, "alice", "guess")
    assert sign_in(client, "alice").status_code == 429
    staff = Client()
    staff_login(staff, make_user("helen", is_staff=True, is_superuser=True))
    listed = staff.get("/admin/axes/accessattempt/").content.decode()
    assert "alice" in listed and X in listed
    attempt = AccessAttempt.objects.get()
    staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "alice").status_code == 302
