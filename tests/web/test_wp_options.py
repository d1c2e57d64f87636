"""The WebPortal manual's "OPTIONS": once signed in, "Welcome, Your Company Name" and Logout,
each report with its description (click the blue title to open it), and on each page the
account number and billing number under the title."""

import pytest

from tests.web.portal_pages import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    account_line,
    no_sideways_scroll,
    open_section,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each report and option of the home page, with its description.
REPORTS = {
    "en": [
        ("Inbox / Messages", "The messages our team took on your account during the last 60 days"),
        ("Directory", "The contacts available to our team and their contact information."),
        ("Call Log", "Listen to all incoming and outgoing calls answered on your account"),
        ("On Call", "Your on-call schedules: who is on call for each shift."),
        (
            "Information Pages",
            "Any updates should be sent to us by e-mail at service@i24image.com.",
        ),
        ("Billing History", "Your billing history and payments."),
        ("Billable Calls", "A complete list of the billable transactions of the last 60 days."),
        ("Statistics", "Your client statistics for the last 60 days."),
        ("Settings", "Change your password and choose your language."),
    ],
    "fr": [
        (
            "Messages",
            "Les messages pris par notre équipe sur votre compte au cours des 60 derniers jours",
        ),
        ("Bottin", "Les contacts dont dispose notre équipe et leurs coordonnées."),
        ("Journal d'appels", "Permet d'écouter tous les appels entrants ou sortants"),
        ("Garde", "qui est de garde pour chaque quart."),
        (
            "Informations générales du compte client",
            "Vous permet de visualiser les pages d'informations agents de votre compte.",
        ),
        (
            "Historique de facturation",
            "Vous donne accès à votre historique de facturation et de paiements.",
        ),
        (
            "Appels facturables",
            "Vous permet de visualiser en détail les appels facturables des 60 derniers jours.",
        ),
        (
            "Statistiques",
            "Vous permet de visualiser les statistiques clients des 60 derniers jours.",
        ),
        ("Paramètres", "Changez votre mot de passe et choisissez votre langue."),
    ],
}


@pytest.fixture
def company(make_account, make_user):
    account = make_account("4000", "PLOMBERIE ST-JEAN", billing_number="7840001")
    return make_user("plombier", account)


def guide_items(page):
    return page.locator(".guide .guide-item")


@pytest.mark.parametrize("phone, locale, lang", BROWSERS, ids=BROWSER_IDS)
def test_the_options_and_the_numbers_under_each_title(
    new_page, live_server, company, axe, shoot, phone, locale, lang
):
    w = WORDS[lang]
    size = "phone" if phone else "desktop"
    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, "plombier", lang)
    page.get_by_role("heading", name=w["welcome"].format(name="PLOMBERIE ST-JEAN")).wait_for()
    assert page.get_by_role("button", name=w["sign_out"]).is_visible()
    line = w["account_line"].format(number=4000, billing=7840001)
    assert account_line(page) == line

    # Each report, its description beside it, in the manual's order of the menu.
    items = guide_items(page)
    assert items.count() == len(REPORTS[lang])
    for n, (title, description) in enumerate(REPORTS[lang]):
        item = items.nth(n)
        assert item.get_by_role("link").inner_text().strip() == title
        assert description in " ".join(item.inner_text().split()), (title, item.inner_text())
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"wp-options-{size}-{lang}")

    # The title of each report opens it; under its title, the account and billing numbers.
    for n, (title, _description) in enumerate(REPORTS[lang]):
        guide_items(page).nth(n).get_by_role("link", name=title, exact=True).click()
        page.wait_for_load_state()
        header = page.locator(".page-header")
        header.get_by_role("heading", level=1).wait_for()
        assert header.locator("h1 + .account-line").count() == 1, title
        assert account_line(page) == line, title
        axe(page, ".page-header")
        if n == 0:
            shoot(page, f"wp-options-first-report-{size}-{lang}")
        open_section(page, lang, w["home"], phone=phone)
        page.wait_for_url("**/a/4000/")
