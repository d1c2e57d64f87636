"""Password reset by e-mail (accounts.reset): the same answer whether the address is known or
not, an e-mail in the login's language read from a real SMTP server, a link valid one hour and
usable once, throttled per address and per login, and staff sending the link from the back
office, audited."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client

from portal.accounts.models import AuditLog
from tests.stats.smtp import smtp_inbox  # noqa: F401, F811 (a fixture)

NEW = "a brand new pass phrase 9"


@pytest.fixture
def marie(make_user, account, settings):
    settings.PORTAL_BASE_URL = "https://portal.example"
    return make_user("marie", account, email="marie@clinic.example")


def ask(client, email, address="203.0.113.5", **extra):
    return client.post("/password/reset/", {"email": email}, REMOTE_ADDR=address, **extra)


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https://portal\.example(/password/reset/\S+/)", body).group(1)


def test_the_sign_in_page_links_to_the_reset_in_both_languages(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/password/reset/">Forgot your password?</a>' in page
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mot de passe oublié\u00a0?" in page


def test_the_answer_is_the_same_whether_the_address_is_known_or_not(
    client,
    marie,
    smtp_inbox,  # noqa: F811
):
    known = ask(client, "Marie@Clinic.example")
    unknown = ask(Client(), "nobody@clinic.example")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password/reset/sent/"
    page = client.get("/password/reset/sent/").content.decode()
    assert "If a login of this portal has that e-mail address" in page
    assert [m["To"] for m in smtp_inbox.messages] == ["marie@clinic.example"]
    assert AuditLog.objects.filter(action="password.reset_requested").count() == 2


def test_the_link_sets_a_new_password_once(client, marie, smtp_inbox):  # noqa: F811
    ask(client, "marie@clinic.example")
    (message,) = smtp_inbox.messages
    assert message["Subject"] == "i24 client portal: choose a new password"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "for the login marie" in body and "for 1 hour" in body
    link = link_in(message)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/password/reset/done/"
    marie.refresh_from_db()
    assert marie.check_password(NEW)
    entry = AuditLog.objects.get(action="password.reset_done")
    assert entry.actor == "marie" and entry.object_id == str(marie.pk)
    sent = AuditLog.objects.get(action="password.reset_link_sent")
    assert sent.detail == {"to": "marie@clinic.example", "by": "e-mail"}
    # The second time, the link says it is no longer valid, and changes nothing.
    again = Client().get(link, follow=True).content.decode()
    assert "This link is no longer valid" in again
    assert "already used, or it is more than an hour old" in again


def test_the_link_is_valid_one_hour(client, marie, smtp_inbox, settings, monkeypatch):  # noqa: F811
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    ask(client, "marie@clinic.example")
    link = link_in(smtp_inbox.messages[0])
    real_now = default_token_generator._now
    monkeypatch.setattr(default_token_generator, "_now", lambda: real_now() + timedelta(minutes=59))
    assert "Choose a new password" in Client().get(link, follow=True).content.decode()
    monkeypatch.setattr(default_token_generator, "_now", lambda: real_now() + timedelta(minutes=61))
    page = Client().get(link, follow=True).content.decode()
    assert "This link is no longer valid" in page


def test_the_e_mail_is_in_the_logins_language(client, make_user, other_account, smtp_inbox):  # noqa: F811
    make_user("luc", other_account, email="luc@clinique.example")  # the account speaks French
    ask(client, "luc@clinique.example", HTTP_ACCEPT_LANGUAGE="en")
    (message,) = smtp_inbox.messages
    assert (
        message["Subject"].strip() == "Portail client i24\u00a0: choisissez un nouveau mot de passe"
    )
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "pour l’utilisateur luc" in body and "pendant 1\u00a0heure" in body


def test_the_new_password_is_validated(client, marie, smtp_inbox):  # noqa: F811
    ask(client, "marie@clinic.example")
    form = client.get(link_in(smtp_inbox.messages[0]), follow=True)
    url = form.redirect_chain[-1][0]
    refused = client.post(url, {"new_password1": "translator", "new_password2": "translator"})
    assert refused.status_code == 200
    assert "This password has appeared in a data breach; choose another." in (
        refused.content.decode()
    )
    marie.refresh_from_db()
    assert marie.check_password("correct horse 42")


def test_requests_are_throttled_per_address(client, marie, smtp_inbox, settings):  # noqa: F811
    assert settings.PORTAL_PASSWORD_RESET_PER_HOUR == 5
    for _attempt in range(5):
        assert ask(client, "someone@example.com").status_code == 302
    refused = ask(client, "marie@clinic.example")
    assert refused.status_code == 429
    assert "Too many reset requests from your address" in refused.content.decode()
    assert smtp_inbox.messages == []
    assert ask(Client(), "marie@clinic.example", address="198.51.100.9").status_code == 302
    assert len(smtp_inbox.messages) == 1


def test_one_mailbox_gets_at_most_three_links_an_hour(marie, smtp_inbox):  # noqa: F811
    for number in range(6):  # from six addresses: the same page each time
        assert ask(Client(), "marie@clinic.example", address=f"192.0.2.{number}").status_code == 302
    assert len(smtp_inbox.messages) == 3


def test_an_inactive_login_gets_nothing(make_user, account, smtp_inbox):  # noqa: F811
    make_user("gone", account, email="gone@clinic.example", is_active=False)
    assert ask(Client(), "gone@clinic.example").status_code == 302
    assert smtp_inbox.messages == []


def test_staff_send_a_reset_link_from_the_back_office(client, marie, make_user, smtp_inbox):  # noqa: F811
    from tests.twofactor import staff_login

    staff = make_user("helen", is_staff=True, is_superuser=True)
    staff_login(client, staff)
    nomail = make_user("nomail", marie.memberships.first().account)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_reset_links", "_selected_action": [marie.pk, nomail.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "A password reset link was e-mailed to 1 login." in page
    assert "Not sent (no e-mail address, or inactive): nomail." in page
    (message,) = smtp_inbox.messages
    assert message["To"] == "marie@clinic.example"
    entry = AuditLog.objects.get(action="password.reset_link_sent")
    assert entry.actor == staff.get_username()
    assert entry.detail == {"to": "marie@clinic.example", "by": "staff"}
    # The link works like the one "Forgot your password?" sends.
    link = link_in(message)
    assert "Choose a new password" in Client().get(link, follow=True).content.decode()


def test_a_client_cannot_send_reset_links(member_client, marie):
    response = member_client.post(
        "/admin/accounts/user/", {"action": "send_reset_links", "_selected_action": [marie.pk]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AuditLog.objects.filter(action="password.reset_link_sent").exists()


def test_the_link_names_the_portal_base_url_not_the_host_header(client, marie, smtp_inbox):  # noqa: F811
    ask(client, "marie@clinic.example", HTTP_HOST="localhost")
    body = smtp_inbox.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "https://portal.example/password/reset/" in body
    assert "localhost" not in body


def test_staff_send_the_link_from_the_logins_page(client, marie, make_user, smtp_inbox):  # noqa: F811
    from tests.twofactor import staff_login

    staff_login(client, make_user("helen", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/accounts/user/{marie.pk}/change/").content.decode()
    url = f"/admin/accounts/user/{marie.pk}/password/send-link/"
    assert f'href="{url}">Send a reset link</a>' in page
    confirm = client.get(url).content.decode()
    assert "E-mail marie a link to choose a new password, at marie@clinic.example?" in confirm
    assert smtp_inbox.messages == []  # opening the page sends nothing
    done = client.post(url, follow=True).content.decode()
    assert "A password reset link was e-mailed to marie at marie@clinic.example." in done
    assert [m["To"] for m in smtp_inbox.messages] == ["marie@clinic.example"]
    assert AuditLog.objects.get(action="password.reset_link_sent").actor == "helen"


def test_a_login_without_an_address_says_so(client, make_user, account, smtp_inbox):  # noqa: F811
    from tests.twofactor import staff_login

    staff_login(client, make_user("helen", is_staff=True, is_superuser=True))
    nomail = make_user("nomail", account)
    page = client.get(f"/admin/accounts/user/{nomail.pk}/change/").content.decode()
    assert "No e-mail address: add one to send a reset link." in page
    refused = client.post(f"/admin/accounts/user/{nomail.pk}/password/send-link/", follow=True)
    assert "Not sent: nomail has no e-mail address, or is inactive." in refused.content.decode()
    assert smtp_inbox.messages == []


def test_a_client_cannot_open_the_send_link_page(member_client, marie):
    response = member_client.post(f"/admin/accounts/user/{marie.pk}/password/send-link/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AuditLog.objects.filter(action="password.reset_link_sent").exists()


@pytest.mark.parametrize(
    "language, error", [("en", "Enter a valid email address."), ("fr", "Saisissez une adresse")]
)
def test_a_malformed_address_is_refused_clearly_and_sends_nothing(
    client,
    marie,
    smtp_inbox,  # noqa: F811
    language,
    error,
):
    response = ask(client, "marie at clinic", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert smtp_inbox.messages == []
    assert not AuditLog.objects.filter(action="password.reset_requested").exists()
