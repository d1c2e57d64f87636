"""Signing in and out (seed 000 "Connection", seed 001 "Logging in")."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.accounts.models import AuditLog

PASSWORD = "correct horse 42"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_the_sign_in_page_asks_for_user_name_and_password_in_english(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9").content.decode()
    assert "Please sign in" in page
    assert "User Name" in page
    assert "Password" in page
    assert ">Enter<" in page
    assert 'lang="fr"' in page and "Français" in page  # the switch to French


def test_before_sign_in_the_browser_language_decides_french(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode()
    assert "S.V.P. entrez votre nom et mot de passe" in page
    assert ">Nom<" in page
    assert "Mot de passe" in page
    assert ">Entrez<" in page
    assert "English" in page  # the switch back


def test_a_client_signs_in_and_lands_on_the_first_account_home(client, make_user, make_account):
    first, second = make_account("4000", "TEST"), make_account("4100", "DEUX")
    make_user("marie", second, first)
    response = sign_in(client, "marie")
    assert response.status_code == 302
    assert client.get(response["Location"]).url == "/a/4000/"
    page = client.get("/a/4000/").content.decode()
    assert "Welcome, TEST" in page
    assert AuditLog.objects.filter(action="login", actor="marie").exists()


def test_sign_in_goes_back_to_the_page_asked_for(client, member, account):
    response = client.get(f"/a/{account.number}/settings/")
    assert response.status_code == 302
    response = client.post(
        "/login/",
        {"username": "member", "password": PASSWORD, "next": f"/a/{account.number}/settings/"},
    )
    assert response["Location"] == f"/a/{account.number}/settings/"


def test_a_wrong_password_shows_the_error_and_does_not_sign_in(client, member):
    response = sign_in(client, "member", "not my password")
    assert response.status_code == 200
    assert "The user name or password is incorrect" in response.content.decode()
    assert client.get("/a/4000/").status_code == 302


def test_the_error_is_in_french_for_a_french_browser(client, member):
    response = sign_in(client, "member", "nope", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Le nom d’utilisateur ou le mot de passe est incorrect" in response.content.decode()


def test_passwords_are_hashed_with_argon2(settings, db, account):
    from portal.accounts.users import create_client_user

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = create_client_user("argon", "a long pass phrase 7", ["4000"])
    assert user.password.startswith("argon2$")
    assert user.check_password("a long pass phrase 7")


def test_five_failures_lock_the_login_with_a_clear_message(client, member, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        assert sign_in(client, "member", "wrong").status_code == 200
    locked = sign_in(client, "member", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed attempts: this login is locked for 15 minutes" in page
    # Even the right password is refused while the lock lasts.
    again = sign_in(client, "member")
    assert again.status_code == 429
    assert client.get("/a/4000/").status_code == 302
    assert AuditLog.objects.filter(action="login.locked", actor="member").exists()


def test_the_lockout_message_is_translated(client, member):
    for _attempt in range(5):
        response = sign_in(client, "member", "wrong", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_the_lock_is_for_that_login_only(client, member, outsider):
    for _attempt in range(5):
        sign_in(client, "member", "wrong")
    assert sign_in(client, "outsider").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, member):
    from axes.models import AccessAttempt

    for _attempt in range(5):
        sign_in(client, "member", "wrong")
    assert sign_in(client, "member").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "member").status_code == 302


def test_sign_out_is_a_post(client, member):
    sign_in(client, "member")
    assert client.get("/logout/").status_code == 405
    assert client.get("/a/4000/").status_code == 200
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert client.get("/a/4000/").status_code == 302


def test_a_session_lasts_fifteen_minutes_and_each_page_extends_it(client, member, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    response = sign_in(client, "member")
    assert response.cookies["sessionid"]["max-age"] == 15 * 60

    # Fourteen minutes later the session is still alive, and using it extends it.
    session = Session.objects.get()
    data = session.get_decoded()
    data["_last_seen"] -= 14 * 60
    session.session_data = Session.objects.encode(data)
    session.expire_date = timezone.now() + timedelta(minutes=1)
    session.save()
    assert client.get("/a/4000/").status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(minutes=14)

    # After fifteen minutes without activity, the visitor is signed out.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/a/4000/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_background_polling_does_not_keep_a_session_alive(client, member):
    sign_in(client, "member")
    client.get("/a/4000/")
    session = Session.objects.get()
    data = session.get_decoded()
    data["_last_seen"] -= 14 * 60
    session.session_data = Session.objects.encode(data)
    session.expire_date = timezone.now() + timedelta(minutes=1)
    session.save()
    client.get("/a/4000/inbox/", HTTP_X_PORTAL_BACKGROUND="1")
    assert Session.objects.get().expire_date - timezone.now() < timedelta(minutes=2)


def test_root_goes_to_the_first_account(member_client):
    assert member_client.get("/")["Location"] == "/a/4000/"


def test_root_sends_a_visitor_to_sign_in(client, db):
    assert client.get("/")["Location"].startswith("/login/")


def test_a_login_without_accounts_sees_a_plain_page(client, make_user):
    client.force_login(make_user("lonely"))
    response = client.get("/")
    assert response.status_code == 200
    assert "does not give access to any client account" in response.content.decode()


def test_staff_without_accounts_go_to_the_back_office(client, make_user):
    from tests.twofactor import staff_login

    staff_login(client, make_user("staff", is_staff=True))
    assert client.get("/")["Location"] == "/admin/"


def test_a_signed_in_visitor_of_the_sign_in_page_goes_home(member_client):
    assert member_client.get("/login/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_sign_in_never_sends_elsewhere(client, member, target):
    response = client.post("/login/", {"username": "member", "password": PASSWORD, "next": target})
    assert "evil" not in response["Location"]
