"""The WebPortal manual's "LOGGING IN": the sign-in page ("S.V.P. entrez votre nom et mot de
passe / Please sign in", "Nom / User Name", "Mot de Passe / Password", "Entrez / Enter"); the
user name and password open the personal portal. A saved address (a "Favorite") of a page
leads there once signed in."""

import pytest

from tests.web.portal_pages import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    account_line,
    fill_sign_in,
    no_sideways_scroll,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(make_account, make_user):
    account = make_account("4000", "PLOMBERIE ST-JEAN", billing_number="7840001")
    return make_user("plombier", account)


@pytest.mark.parametrize("phone, locale, lang", BROWSERS, ids=BROWSER_IDS)
def test_logging_in(new_page, live_server, company, axe, shoot, phone, locale, lang):
    w = WORDS[lang]
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("heading", name=w["heading"]).wait_for()
    # The window's three things, by their labels.
    assert page.get_by_label(w["user"]).is_visible()
    assert page.get_by_label(w["password"]).get_attribute("type") == "password"
    assert page.get_by_role("button", name=w["enter"], exact=True).is_visible()
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"wp-logging-in-{'phone' if phone else 'desktop'}-{lang}")

    # The other language is one button away, before signing in.
    page.get_by_role("button", name=w["other_language"]).click()
    other = "fr" if lang == "en" else "en"
    page.get_by_role("heading", name=WORDS[other]["heading"]).wait_for()
    axe(page)
    page.get_by_role("button", name=WORDS[other]["other_language"]).click()
    page.get_by_role("heading", name=w["heading"]).wait_for()

    fill_sign_in(page, lang, "plombier")
    page.wait_for_url("**/a/4000/")
    page.get_by_role("heading", name=w["welcome"].format(name="PLOMBERIE ST-JEAN")).wait_for()
    assert account_line(page) == w["account_line"].format(number=4000, billing=7840001)
    assert page.get_by_role("button", name=w["sign_out"]).is_visible()
    axe(page)


@pytest.mark.parametrize("phone, locale, lang", BROWSERS[:2], ids=BROWSER_IDS[:2])
def test_a_favorite_address_opens_after_signing_in(
    new_page, live_server, company, axe, phone, locale, lang
):
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/a/4000/billing/")  # the saved address, signed out
    page.get_by_role("heading", name=WORDS[lang]["heading"]).wait_for()
    fill_sign_in(page, lang, "plombier")
    page.wait_for_url("**/a/4000/billing/")
    title = {"en": "Billing History", "fr": "Historique de facturation"}[lang]
    page.get_by_role("heading", name=title, level=1).wait_for()
    axe(page, ".page-header")


def test_a_wrong_password_and_an_unknown_user_say_the_same(new_page, live_server, company, axe):
    page = new_page(locale="fr-CA")
    page.goto(f"{live_server.url}/login/")
    fill_sign_in(page, "fr", "plombier", "mauvais")
    first = page.get_by_role("alert").inner_text()
    fill_sign_in(page, "fr", "personne", "mauvais")
    page.get_by_role("alert").wait_for()
    assert page.get_by_role("alert").inner_text() == first == WORDS["fr"]["wrong"]
    axe(page)
