"""The home page (seed 000 "Overview"; seed 001 "Options") and the account switcher."""

from django.utils.html import escape

from portal.accounts.sections import SECTIONS


def test_the_home_page_welcomes_and_guides(member_client, account):
    page = member_client.get("/a/4000/").content.decode()
    assert "Welcome, TEST" in page
    assert "The sections" in page
    assert "during the last 60 days" in page
    assert "service@i24image.com" in page


def test_the_menu_lists_every_section_in_order(member_client):
    page = member_client.get("/a/4000/").content.decode()
    menu = page[page.index('id="sidebar"') :]
    positions = [menu.index(f">{label}</a>") for _name, label in SECTIONS]
    assert positions == sorted(positions)
    assert 'aria-current="page">Home<' in menu


def test_the_menu_in_french_uses_the_seeds_words(client, make_user, account):
    client.force_login(make_user("marie", account, language="fr"))
    page = client.get("/a/4000/").content.decode()
    for label in [
        "Accueil",
        "Messages",
        "Bottin",
        "Journal d'appels",
        "Informations générales du compte client",
        "Historique de facturation",
        "Appels facturables",
        "Statistiques",
        "Paramètres",
    ]:
        assert f">{escape(label)}</a>" in page, label
    assert "Bienvenue, TEST" in page


def test_the_account_and_billing_numbers_are_under_the_title(member_client, account):
    page = member_client.get("/a/4000/").content.decode()
    title = page.index("<h1>")
    line = page.index('class="account-line"')
    assert title < line
    assert "Account number: <strong>4000</strong>" in page
    assert "Billing number: <strong>784000</strong>" in page


def test_the_three_line_menu_button_is_there(member_client):
    page = member_client.get("/a/4000/").content.decode()
    assert "data-menu-toggle" in page and 'aria-controls="sidebar"' in page


def test_user_name_and_sign_out_are_shown(member_client):
    page = member_client.get("/a/4000/").content.decode()
    assert ">member</span>" in page
    assert 'action="/logout/"' in page


def test_a_login_with_one_account_sees_its_name_without_a_list(member_client):
    page = member_client.get("/a/4000/").content.decode()
    assert "4000-TEST" in page
    assert '<select id="account-switch"' not in page


def test_a_login_with_two_accounts_can_switch(client, make_user, account, make_account):
    second = make_account("4100", "DEUX")
    client.force_login(make_user("marie", account, second))
    page = client.get("/a/4000/settings/").content.decode()
    assert '<select id="account-switch"' in page
    assert ">4100-DEUX</option>" in page
    # The switcher keeps the section.
    response = client.get("/switch/", {"account": "4100", "section": "settings"})
    assert response["Location"] == "/a/4100/settings/"
    assert (
        client.get("/switch/", {"account": "4100", "section": "nowhere"})["Location"] == "/a/4100/"
    )


def test_the_switcher_does_not_open_other_accounts(member_client, other_account):
    assert member_client.get("/switch/", {"account": "5000"}).status_code == 404
    assert member_client.get("/switch/", {"account": "9999"}).status_code == 404


def test_the_switcher_sends_a_visitor_to_sign_in(client, db):
    assert client.get("/switch/", {"account": "4000"})["Location"].startswith("/login/")
