"""In a real browser: however active, a session ends PORTAL_SESSION_MAX_SECONDS (12 hours)
after signing in; the next page goes to sign-in, which says the session reached its maximum
length, and signing in again leads back to that page. English and French; axe on the page."""

import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
WORDS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "settings": "Settings",
        "said": "Your session reached its maximum length of 12 hours, so you were signed out. "
        "Sign in again to go back to the page you were on.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "settings": "Paramètres",
        "said": "Votre session a atteint sa durée maximale de 12\u00a0heures, vous avez donc été "
        "déconnecté. Reconnectez-vous pour revenir à la page où vous étiez.",
    },
}


def signed_in_twelve_hours_ago():
    """The clock moved on: every session began 12 hours and a second ago (it stayed active)."""
    from django.contrib.sessions.models import Session

    from portal.accounts.middleware import LAST_SEEN, SIGNED_IN_AT

    for session in Session.objects.all():
        data = session.get_decoded()
        data[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
        data[LAST_SEEN] = int(time.time())
        session.session_data = Session.objects.encode(data)
        session.save()


def sign_in(page, words):
    page.get_by_label(words["user"]).fill("marie")
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["enter"]).click()


@pytest.mark.parametrize("lang, locale", [("en", "en-US"), ("fr", "fr-CA")])
def test_a_session_ends_after_twelve_hours_however_active(
    new_page, live_server, make_account, make_user, axe, shoot, lang, locale
):
    make_user("marie", make_account("4000", "TEST"))
    words = WORDS[lang]
    page = new_page(locale=locale)
    page.goto(f"{live_server.url}/login/")
    sign_in(page, words)
    page.wait_for_url("**/a/4000/")

    signed_in_twelve_hours_ago()
    page.get_by_role("navigation").get_by_role("link", name=words["settings"]).click()
    page.wait_for_url(re.compile(r"/login/\?next=/a/4000/settings/&ended=max$"))
    status = page.get_by_role("status").filter(has_text=words["said"][:20])
    assert status.inner_text().strip() == words["said"]  # French: its no-break space too
    axe(page)
    shoot(page, f"session-max-length-{lang}")

    sign_in(page, words)
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_role("heading", name=words["settings"]).wait_for()
