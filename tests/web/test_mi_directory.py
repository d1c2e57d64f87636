"""miTeam "Directory", in a real browser: the contacts available to our team and their contact
information, a search typed without accents, numbers on one line as tel: / sms: links, and the
note on how to ask for a change (the service's e-mail address). English and French, desktop and
phone; axe-core on every state."""

import pytest

from portal.directory.services import upsert_contact

PASSWORD = "correct horse 42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "section": "Directory",
        "search": "Search the directory",
        "button": "Search",
        "tel1": "Tel (1)",
        "sms": "SMS",
        "empty": "No contact matches your search.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "section": "Bottin",
        "search": "Rechercher dans le bottin",
        "button": "Rechercher",
        "tel1": "Tél (1)",
        "sms": "SMS",
        "empty": "Aucun contact ne correspond à votre recherche.",
    },
}


@pytest.fixture
def directory_account(make_account, make_user, settings):
    settings.PORTAL = {**settings.PORTAL, "SERVICE_EMAIL": "service@answering.example"}

    def make(language):
        account = make_account("4000", "TEST", language=language)
        make_user("marie", account)
        upsert_contact(
            account,
            "sac",
            {
                "name": "Service à la clientèle",
                "phones": ["+1 (514) 254-7110 ext. 22", "514 254-7111"],
                "sms": "438 555-0199",
                "email": "clientele@client.example",
            },
        )
        upsert_contact(account, "luc", {"name": "Luc Lambert", "phones": ["(514) 999-0000"]})
        upsert_contact(account, "ann", {"name": "Ann Roy", "email": "ann@client.example"})
        return account

    return make


def sign_in_and_open_the_directory(page, live_server, words, phone=False):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(words["user"]).fill("marie")
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["enter"]).click()
    page.wait_for_url("**/a/4000/")
    if phone:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation").get_by_role("link", name=words["section"], exact=True).click()
    page.wait_for_url("**/a/4000/directory/")
    page.get_by_role("heading", name=words["section"], level=1).wait_for()


def rows(page):
    return page.locator("table.directory tbody tr")


@pytest.mark.parametrize(
    "language,locale,phone",
    [("en", "en-US", False), ("fr", "fr-CA", False), ("en", "en-US", True), ("fr", "fr-CA", True)],
)
def test_view_search_and_call_the_contacts(
    new_page, live_server, directory_account, axe, shoot, language, locale, phone
):
    directory_account(language)
    words = LABELS[language]
    page = new_page(phone=phone, locale=locale)
    name = f"mi-directory-{language}-{'phone' if phone else 'desktop'}"
    sign_in_and_open_the_directory(page, live_server, words, phone=phone)
    region = None  # axe checks the whole page, its header too, on a phone as on a desktop

    # The contacts and their contact information, in name order.
    assert rows(page).locator("th").all_inner_texts() == [
        "Ann Roy",
        "Luc Lambert",
        "Service à la clientèle",
    ]
    # The note: changes are made by our team, by e-mail to the service.
    note = page.get_by_role("note")
    mail = note.get_by_role("link", name="service@answering.example")
    assert mail.get_attribute("href") == "mailto:service@answering.example"
    axe(page, region)
    shoot(page, f"{name}-all")

    # A search typed without accents or capitals.
    page.get_by_label(words["search"]).fill("service a la clientele")
    page.get_by_role("button", name=words["button"], exact=True).click()
    page.wait_for_url("**/directory/?q=service+a+la+clientele")
    assert rows(page).locator("th").all_inner_texts() == ["Service à la clientèle"]
    row = rows(page).first

    # Numbers: tel: links with the digits to dial (a "+" kept, the extension after a pause),
    # the SMS number an sms: link, each on one line.
    tel1 = row.get_by_role("link", name="+1 (514) 254-7110 ext. 22")
    assert tel1.get_attribute("href") == "tel:+15142547110,22"
    assert row.get_by_role("link", name="514 254-7111").get_attribute("href") == "tel:5142547111"
    sms = row.get_by_role("link", name="438 555-0199")
    assert sms.get_attribute("href") == "sms:4385550199"
    for link in (tel1, sms):
        assert link.evaluate("a => getComputedStyle(a).whiteSpace") == "nowrap"
        assert link.evaluate("a => a.getClientRects().length") == 1  # one line box
    assert row.get_by_role("link", name="clientele@client.example").is_visible()
    # The columns' names, written alike ("Courriel" as "Tél (1)", as the On Call page).
    columns = ["Name", "Tel (1)", "Tel (2)", "Tel (3)", "SMS", "E-mail"]
    if language == "fr":
        columns = ["Nom", "Tél (1)", "Tél (2)", "Tél (3)", "SMS", "Courriel"]
    assert page.locator("table.directory thead th").all_text_contents() == columns
    if phone:
        # Each contact is a card; every number under its column's name, nothing sideways.
        cell = row.locator(f'td[data-label="{words["tel1"]}"]')
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert words["tel1"] in label
        mail_cell = row.locator(f'td[data-label="{columns[-1]}"]')
        assert mail_cell.get_by_role("link", name="clientele@client.example").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page, region)
    shoot(page, f"{name}-search")

    # A number, however it is written; then a search that finds nothing says so.
    page.get_by_label(words["search"]).fill("514.999.0000")
    page.get_by_role("button", name=words["button"], exact=True).click()
    page.wait_for_url("**/directory/?q=514.999.0000")
    assert rows(page).locator("th").all_inner_texts() == ["Luc Lambert"]
    page.get_by_label(words["search"]).fill("nobody here")
    page.get_by_role("button", name=words["button"], exact=True).click()
    page.wait_for_url("**/directory/?q=nobody+here")
    assert rows(page).inner_text().strip() == words["empty"]
    axe(page, region)
