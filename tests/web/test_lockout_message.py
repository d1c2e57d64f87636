"""The lockout message, in a real browser: after the configured number of wrong passwords on the
sign-in form, the message says how to reach the service to unlock the login now (its
telephone numbers as tel: links and its e-mail address). English and French, desktop and
phone; axe-core on the locked page."""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "locked": "Too many failed attempts: this login is locked for 15 minutes. Try again "
        "later, or, to unlock it now, call us at (514) 736-6767 – (800) 667-6767 or write to "
        "service@i24image.com.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "locked": "Trop de tentatives échouées\u00a0: cet utilisateur est bloqué pendant 15 "
        "minutes. Réessayez plus tard ou, pour le débloquer dès maintenant, appelez-nous au "
        "(514) 736-6767 – (800) 667-6767 ou écrivez-nous à service@i24image.com.",
    },
}


@pytest.fixture
def marie(make_account, make_user):
    from axes.utils import reset

    reset()
    yield make_user("marie", make_account("4000", "TEST"))
    reset()


def try_to_sign_in(page, words, password):
    page.get_by_label(words["user"]).fill("marie")
    page.get_by_label(words["password"], exact=True).fill(password)
    page.get_by_role("button", name=words["enter"]).click()
    page.get_by_role("alert").wait_for()


@pytest.mark.parametrize(
    "language,locale,phone", [("en", "en-US", False), ("fr", "fr-CA", False), ("en", "en-US", True)]
)
def test_the_lockout_message_says_how_to_reach_the_service(
    new_page, live_server, marie, axe, shoot, language, locale, phone
):
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.PORTAL_LOGIN_COOLOFF_MINUTES == 15
    words = WORDS[language]
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/login/")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        try_to_sign_in(page, words, "wrong")
        assert "15" not in page.get_by_role("alert").inner_text()  # not locked yet
    try_to_sign_in(page, words, "wrong")

    alert = page.get_by_role("alert")
    assert " ".join(alert.inner_text().split()) == " ".join(words["locked"].split())
    if language == "fr":
        assert "échouées\u00a0:" in alert.inner_text()  # the colon never starts a line
    calls = alert.get_by_role("link")
    assert [calls.nth(i).get_attribute("href") for i in range(calls.count())] == [
        "tel:5147366767",
        "tel:8006676767",
        "mailto:service@i24image.com",
    ]
    for i in range(2):  # each number on one line
        assert calls.nth(i).evaluate("a => a.getClientRects().length") == 1
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
    shoot(page, f"lockout-{language}-{'phone' if phone else 'desktop'}")

    # The right password, too late: still locked, with the same way out.
    try_to_sign_in(page, words, "correct horse 42")
    assert "/login/" in page.url
    assert "service@i24image.com" in page.get_by_role("alert").inner_text()
