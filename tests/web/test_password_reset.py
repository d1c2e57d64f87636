"""In a real browser: "Forgot your password?" on the sign-in page, the address typed, the e-mail
read from a real SMTP server, its link opened, a new password chosen, signing in with it; the
link a second time, and an hour later, says it is no longer valid. English and French, desktop
and phone; axe-core on each page."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator

from tests.stats.smtp import smtp_inbox  # noqa: F401, F811 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "a brand new pass phrase 9"
WORDS = {
    "en": {
        "forgot": "Forgot your password?",
        "email": "E-mail address",
        "send": "Send the link",
        "sent": "Check your e-mail",
        "choose": "Choose a new password",
        "new1": "New password",
        "new2": "New password (again)",
        "save": "Save the new password",
        "changed": "Password changed",
        "sign_in": "Sign in",
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "invalid": "This link is no longer valid",
        "breach": "This password has appeared in a data breach; choose another.",
        "subject": "i24 client portal: choose a new password",
    },
    "fr": {
        "forgot": "Mot de passe oublié\u00a0?",
        "email": "Adresse courriel",
        "send": "Envoyer le lien",
        "sent": "Consultez vos courriels",
        "choose": "Choisissez un nouveau mot de passe",
        "new1": "Nouveau mot de passe",
        "new2": "Nouveau mot de passe (encore)",
        "save": "Enregistrer le nouveau mot de passe",
        "changed": "Mot de passe changé",
        "sign_in": "Se connecter",
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "invalid": "Ce lien n’est plus valide",
        "breach": "Ce mot de passe figure dans une fuite de données\u00a0; choisissez-en un autre.",
        "subject": "Portail client i24\u00a0: choisissez un nouveau mot de passe",
    },
}


@pytest.fixture
def marie(make_account, make_user, live_server, settings):
    from axes.utils import reset

    reset()
    settings.PORTAL_BASE_URL = live_server.url
    account = make_account("4000", "TEST")
    return make_user("marie", account, email="marie@clinic.example")


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"(http://\S+/password/reset/\S+/)", body).group(1)


@pytest.mark.parametrize(
    "language, locale, phone",
    [("en", "en-US", False), ("fr", "fr-CA", False), ("en", "en-US", True)],
)
def test_forgot_password_by_e_mail(
    new_page,
    live_server,
    marie,
    smtp_inbox,  # noqa: F811 (the fixture imported above)
    axe,
    shoot,
    language,
    locale,
    phone,  # noqa: F811
):
    if language == "fr":
        marie.language = "fr"
        marie.save()
    words = WORDS[language]
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name=words["forgot"]).click()
    page.get_by_role("heading", name=words["forgot"]).wait_for()
    axe(page)
    shoot(page, f"password-reset-ask-{language}-{'phone' if phone else 'desktop'}")
    page.get_by_label(words["email"]).fill("marie@clinic.example")
    page.get_by_role("button", name=words["send"]).click()
    page.get_by_role("heading", name=words["sent"]).wait_for()
    axe(page)
    shoot(page, f"password-reset-sent-{language}-{'phone' if phone else 'desktop'}")
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

    (message,) = smtp_inbox.messages
    assert message["To"] == "marie@clinic.example"
    assert message["Subject"].strip() == words["subject"]
    link = link_in(message)

    page.goto(link)
    page.get_by_role("heading", name=words["choose"]).wait_for()
    axe(page)
    shoot(page, f"password-reset-choose-{language}-{'phone' if phone else 'desktop'}")
    # A breached password first: refused, saying why.
    page.get_by_label(words["new1"], exact=True).fill("translator")
    page.get_by_label(words["new2"], exact=True).fill("translator")
    page.get_by_role("button", name=words["save"]).click()
    assert words["breach"] in page.get_by_role("alert").first.inner_text()
    page.get_by_label(words["new1"], exact=True).fill(NEW)
    page.get_by_label(words["new2"], exact=True).fill(NEW)
    page.get_by_role("button", name=words["save"]).click()
    page.get_by_role("heading", name=words["changed"]).wait_for()
    axe(page)
    page.get_by_role("link", name=words["sign_in"]).click()
    page.get_by_label(words["user"]).fill("marie")
    page.get_by_label(words["password"], exact=True).fill(NEW)
    page.get_by_role("button", name=words["enter"]).click()
    page.wait_for_url("**/a/4000/")

    # The same link again: no longer valid.
    other = new_page(phone=phone, locale=locale)
    other.goto(link)
    other.get_by_role("heading", name=words["invalid"]).wait_for()
    assert other.get_by_label(words["new1"], exact=True).count() == 0
    axe(other)
    shoot(other, f"password-reset-used-{language}-{'phone' if phone else 'desktop'}")


def test_a_link_an_hour_old_is_no_longer_valid(
    new_page,
    live_server,
    marie,
    smtp_inbox,  # noqa: F811 (the fixture imported above)
    monkeypatch,  # noqa: F811
):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("marie@clinic.example")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    link = link_in(smtp_inbox.messages[0])
    real_now = default_token_generator._now
    monkeypatch.setattr(
        default_token_generator, "_now", lambda: real_now() + timedelta(hours=1, minutes=1)
    )
    page.goto(link)
    page.get_by_role("heading", name="This link is no longer valid").wait_for()
    page.get_by_role("link", name="Ask for a new link").click()
    page.get_by_role("heading", name="Forgot your password?").wait_for()
    marie.refresh_from_db()
    assert marie.check_password("correct horse 42")


def test_an_unknown_address_reads_the_same_page(new_page, live_server, marie, smtp_inbox):  # noqa: F811
    page = new_page()
    page.goto(f"{live_server.url}/password/reset/")
    page.get_by_label("E-mail address").fill("nobody@clinic.example")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert (
        "If a login of this portal has that e-mail address"
        in page.get_by_role("status").inner_text()
    )
    assert smtp_inbox.messages == []


def test_staff_send_the_link_from_the_logins_page_in_the_back_office(
    new_page,
    live_server,
    marie,
    make_user,
    smtp_inbox,  # noqa: F811 (the fixture imported above)
    shoot,
):
    from tests.twofactor import staff_sign_in

    helen = make_user("helen", is_staff=True, is_superuser=True)
    page = new_page()
    page.goto(f"{live_server.url}/admin/accounts/user/{marie.pk}/change/")
    staff_sign_in(page, helen)
    page.get_by_role("link", name="Send a reset link").click()
    page.get_by_text("E-mail marie a link to choose a new password").wait_for()
    shoot(page, "password-reset-back-office-confirm")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_text(
        "A password reset link was e-mailed to marie at marie@clinic.example."
    ).wait_for()
    (message,) = smtp_inbox.messages
    marie_browser = new_page()
    marie_browser.goto(link_in(message))
    marie_browser.get_by_label("New password", exact=True).fill(NEW)
    marie_browser.get_by_label("New password (again)", exact=True).fill(NEW)
    marie_browser.get_by_role("button", name="Save the new password").click()
    marie_browser.get_by_role("heading", name="Password changed").wait_for()
    marie.refresh_from_db()
    assert marie.check_password(NEW)
