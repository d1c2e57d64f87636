"""The miTeam manual's "Connection": the portal's address shows the sign-in window; enter the
user name and password and sign in. The language of that window holds after signing in."""

import re

import pytest

from tests.web.portal_pages import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    account_line,
    fill_sign_in,
    no_sideways_scroll,
    open_section,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marie(make_account, make_user):
    """A login of two accounts: an English one and a French one."""
    first = make_account("4000", "TEST")
    second = make_account("4100", "CLINIQUE", language="fr")
    return make_user("marie", first, second)


@pytest.mark.parametrize("phone, locale, lang", BROWSERS, ids=BROWSER_IDS)
def test_sign_in_from_the_portals_address(
    new_page, live_server, marie, axe, shoot, phone, locale, lang
):
    w = WORDS[lang]
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_role("heading", name=w["heading"]).wait_for()
    assert page.locator("html").get_attribute("lang") == lang
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"mi-connection-{'phone' if phone else 'desktop'}-{lang}")

    # A wrong password: the error, the user name kept, still on the sign-in window.
    fill_sign_in(page, lang, "marie", "not my password")
    page.get_by_role("alert").filter(has_text=w["wrong"]).wait_for()
    assert page.get_by_label(w["user"]).input_value() == "marie"
    axe(page)

    page.get_by_label(w["password"]).fill("correct horse 42")
    page.get_by_role("button", name=w["enter"], exact=True).click()
    page.wait_for_url("**/a/4000/")
    page.get_by_role("heading", name=w["welcome"].format(name="TEST")).wait_for()
    # The portal speaks the sign-in window's language, on the French account too.
    open_section(page, lang, w["settings"], phone=phone)
    page.get_by_label(w["account"], exact=True).select_option("4100")
    page.wait_for_url("**/a/4100/settings/")
    page.get_by_role("heading", name=w["settings"]).wait_for()
    assert page.locator("html").get_attribute("lang") == lang
    axe(page)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_language_chosen_on_the_sign_in_window_holds(
    new_page, live_server, marie, axe, shoot, phone
):
    """An English browser; marie picks Français on the sign-in window. The portal stays in
    French on both accounts (one of them English) and in her next session elsewhere."""
    page = new_page(phone=phone, locale="en-US")
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("heading", name=WORDS["en"]["heading"]).wait_for()
    page.get_by_role("button", name="Français").click()
    page.get_by_role("heading", name=WORDS["fr"]["heading"]).wait_for()
    axe(page)
    fill_sign_in(page, "fr", "marie")
    page.wait_for_url("**/a/4000/")
    page.get_by_role("heading", name="Bienvenue, TEST").wait_for()
    assert account_line(page) == WORDS["fr"]["account_line"].format(number=4000, billing=784000)
    open_section(page, "fr", "Paramètres", phone=phone)
    page.get_by_label("Compte", exact=True).select_option("4100")
    page.wait_for_url("**/a/4100/settings/")
    page.get_by_role("heading", name="Paramètres").wait_for()
    page.get_by_label("Compte", exact=True).select_option("4000")
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_role("heading", name="Paramètres").wait_for()
    shoot(page, f"mi-connection-chosen-french-{'phone' if phone else 'desktop'}")

    # Another browser, English, another day: the choice was kept with the login.
    elsewhere = new_page(phone=phone, locale="en-US")
    sign_in(elsewhere, live_server, "marie", "en")
    elsewhere.get_by_role("heading", name="Bienvenue, TEST").wait_for()
    axe(elsewhere)


def test_an_english_browser_on_a_french_account_stays_english(new_page, live_server, marie, axe):
    page = new_page(locale="en-US")
    sign_in(page, live_server, "marie", "en")
    page.get_by_label("Account", exact=True).select_option("4100")
    page.wait_for_url("**/a/4100/")
    page.get_by_role("heading", name="Welcome, CLINIQUE").wait_for()
    assert re.search(r"Account number: 4100", account_line(page))
    axe(page)
