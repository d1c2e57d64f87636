"""WebPortal "INFORMATION PAGES", in a real browser: open the section, the account number is
filled in, "Retrieve Info Pages" shows the client information pages our agents use, another of
the login's accounts by its number, a number that is not the login's is refused; the e-mail
address for updates. English and French, desktop and phone; axe-core on every state."""

import re

import pytest

from portal.directory.models import InfoPage

PASSWORD = "correct horse 42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "section": "Information Pages",
        "number": "Account number",
        "retrieve": "Retrieve Info Pages",
        "refused": "No information pages were found for account number 9999.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "section": "Informations générales du compte client",
        "number": "Numéro de compte client",
        "retrieve": "Afficher les informations générales du compte client",
        "refused": "Aucune page d'informations n'a été trouvée pour le numéro de compte client "
        "9999.",
    },
}


@pytest.fixture
def two_accounts(make_account, make_user, settings):
    settings.PORTAL = {**settings.PORTAL, "SERVICE_EMAIL": "service@answering.example"}
    first = make_account("4000", "TEST")
    second = make_account("4100", "CLINIQUE", language="fr")
    make_user("marie", first, second)
    make_account("9999", "SOMEONE ELSE")
    InfoPage.objects.create(
        account=first,
        title="Greeting",
        position=1,
        body="<p>Answer with <strong>TEST Plumbing, good day</strong>.</p>",
    )
    InfoPage.objects.create(
        account=first,
        title="Emergencies",
        position=2,
        # A table as the service writes them (the demo's on-call people): on a phone it
        # fits the screen's width.
        body="<ul><li>Flooding: page the on-call plumber</li></ul>"
        "<table><thead><tr><th>Nom</th><th>Téléphones</th><th>SMS</th></tr></thead><tbody>"
        "<tr><td>Anthony Giosi</td><td>(514) 521-4571, (514) 388-1200</td><td>5145214571</td>"
        "</tr><tr><td>Luc Lambert</td><td>(514) 736-2210, (450) 663-0918, (514) 736-2200</td>"
        "<td>5147362210</td></tr><tr><td>Patrick Tremblay</td><td>(438) 812-5573</td>"
        "<td>4388125573</td></tr></tbody></table>",
    )
    InfoPage.objects.create(
        account=second, title="Accueil", body="<p>Répondez « Clinique, bonjour ».</p>"
    )
    return first, second


def open_information_pages(page, live_server, words, phone):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(words["user"]).fill("marie")
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["enter"]).click()
    page.wait_for_url("**/a/4000/")
    if phone:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation").get_by_role("link", name=words["section"], exact=True).click()
    page.wait_for_url("**/a/4000/info/")
    page.get_by_role("heading", name=words["section"], level=1).wait_for()


def titles(page):
    return page.locator("article.info-page h2").all_inner_texts()


@pytest.mark.parametrize(
    "language,locale,phone",
    [("en", "en-US", False), ("fr", "fr-CA", False), ("en", "en-US", True), ("fr", "fr-CA", True)],
)
def test_retrieve_and_read_the_information_pages(
    new_page, live_server, two_accounts, axe, shoot, language, locale, phone
):
    words = LABELS[language]
    page = new_page(phone=phone, locale=locale)
    name = f"wp-info-pages-{language}-{'phone' if phone else 'desktop'}"
    region = None  # axe checks the whole page, its header too, on a phone as on a desktop
    open_information_pages(page, live_server, words, phone)

    # The e-mail address for any update.
    note = page.get_by_role("note")
    mail = note.get_by_role("link", name="service@answering.example")
    assert mail.get_attribute("href") == "mailto:service@answering.example"

    # The account number is already filled in; "Retrieve Info Pages" as the page sends it.
    number = page.get_by_label(words["number"], exact=True)
    assert number.input_value() == "4000"
    page.get_by_role("button", name=words["retrieve"]).click()
    page.wait_for_url("**/a/4000/info/?number=4000")
    assert titles(page) == ["Greeting", "Emergencies"]
    greeting = page.get_by_role("article", name="Greeting")
    assert "Answer with TEST Plumbing, good day." in greeting.inner_text()
    assert greeting.locator("strong").inner_text() == "TEST Plumbing, good day"
    # The pages' table of contents leads to each page.
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Emergencies").click()
    assert page.url.endswith("#" + page.locator("article.info-page").nth(1).get_attribute("id"))
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page, region)
    shoot(page, f"{name}-4000")

    # Another of this login's accounts, by its number.
    number.fill("4100")
    page.get_by_role("button", name=words["retrieve"]).click()
    # (The browser keeps the fragment of the page it left across the redirect.)
    page.wait_for_url(re.compile(r"/a/4100/info/(#page-\d+)?$"))
    assert page.get_by_label(words["number"], exact=True).input_value() == "4100"
    assert titles(page) == ["Accueil"]
    assert "Répondez « Clinique, bonjour »." in page.get_by_role("article").inner_text()
    axe(page, region)

    # A number that is not this login's: refused, and nothing of it is shown.
    page.get_by_label(words["number"], exact=True).fill("9999")
    page.get_by_role("button", name=words["retrieve"]).click()
    page.wait_for_url(re.compile(r"/a/4100/info/\?number=9999(#page-\d+)?$"))
    assert page.get_by_role("alert").inner_text() == words["refused"]
    assert titles(page) == []
    axe(page, region)
    shoot(page, f"{name}-refused")
