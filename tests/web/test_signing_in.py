"""In a real browser: sign in, move around, switch account and language, phone menu, sign out."""

import pytest

PASSWORD = "correct horse 42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marie(make_account, make_user):
    """A login that reaches two accounts, as in the demo."""
    first = make_account("4000", "TEST")
    second = make_account("4100", "CLINIQUE", language="fr")
    return make_user("marie", first, second)


def sign_in(page, live_server, username="marie", password=PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User Name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Enter").click()


def test_sign_in_move_around_and_sign_out(page, live_server, marie, shoot):
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/login/?next=/")
    page.get_by_role("heading", name="Please sign in").wait_for()
    shoot(page, "sign-in")

    sign_in(page, live_server)
    page.wait_for_url("**/a/4000/")
    page.get_by_role("heading", name="Welcome, TEST").wait_for()
    assert (
        page.locator(".account-line").inner_text()
        == "Account number: 4000 · Billing number: 784000"
    )
    nav = page.get_by_role("navigation", name="Sections")
    assert nav.is_visible()
    assert nav.get_by_role("link").all_inner_texts() == [
        "Home",
        "Inbox / Messages",
        "Directory",
        "Call Log",
        "On Call",
        "Information Pages",
        "Billing History",
        "Billable Calls",
        "Statistics",
        "Settings",
    ]
    assert page.locator(".username").inner_text().endswith("marie")
    shoot(page, "home")

    # Switch account: the same section of the other account. That account speaks French,
    # but the sign-in page was English (the browser's language): the language holds. The
    # account's language is only the default of a login that never chose, in a browser
    # that names neither French nor English.
    nav.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_label("Account", exact=True).select_option("4100")
    page.wait_for_url("**/a/4100/settings/")
    page.get_by_role("heading", name="Settings").wait_for()
    assert "Account number: 4100" in page.locator(".account-line").inner_text()
    shoot(page, "settings-second-account")

    # marie chooses French, then English again: each choice is remembered, on every account.
    page.get_by_role("button", name="Français").click()
    page.get_by_role("heading", name="Paramètres").wait_for()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Settings").wait_for()
    page.get_by_label("Account", exact=True).select_option("4000")
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_role("heading", name="Settings").wait_for()

    # Switch to French and see French labels.
    page.get_by_role("button", name="Français").click()
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_role("heading", name="Paramètres").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    labels = nav.get_by_role("link").all_inner_texts()
    assert labels == [
        "Accueil",
        "Messages",
        "Bottin",
        "Journal d'appels",
        "Garde",
        "Informations générales du compte client",
        "Historique de facturation",
        "Appels facturables",
        "Statistiques",
        "Paramètres",
    ]
    assert "Numéro de facturation\u00a0: 784000" in page.locator(".account-line").inner_text()
    shoot(page, "settings-french")

    # Sign out: back to the sign-in page, in French, and the portal is closed.
    page.get_by_role("button", name="Sortie").click()
    page.wait_for_url("**/login/")
    page.get_by_role("heading", name="S.V.P. entrez votre nom et mot de passe").wait_for()
    shoot(page, "sign-in-french")
    page.goto(f"{live_server.url}/a/4000/")
    assert "/login/" in page.url


def test_on_a_phone_the_menu_is_behind_three_lines(browser, live_server, marie, shoot):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server)
        page.wait_for_url("**/a/4000/")
        nav = page.get_by_role("navigation", name="Sections")
        menu = page.get_by_role("button", name="Menu")
        assert menu.is_visible()
        assert not nav.is_visible()
        assert menu.get_attribute("aria-expanded") == "false"
        shoot(page, "phone-home")

        menu.click()
        nav.wait_for(state="visible")
        assert menu.get_attribute("aria-expanded") == "true"
        shoot(page, "phone-menu-open")

        nav.get_by_role("link", name="Settings").click()
        page.wait_for_url("**/a/4000/settings/")
        assert not nav.is_visible()
        # No sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(page, "phone-settings")
    finally:
        context.close()


def test_a_wrong_password_shows_the_error(page, live_server, marie, shoot):
    sign_in(page, live_server, password="not my password")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "The user name or password is incorrect" in alert.inner_text()
    assert page.get_by_label("User Name").input_value() == "marie"
    shoot(page, "sign-in-wrong-password")


def test_repeated_failures_lock_the_login(page, live_server, marie, shoot):
    from axes.utils import reset

    reset()
    for _attempt in range(5):
        sign_in(page, live_server, password="wrong")
    alert = page.get_by_role("alert")
    assert "locked for 15 minutes" in alert.inner_text()
    sign_in(page, live_server)  # the right password, too late
    assert "locked" in page.get_by_role("alert").inner_text()
    assert "/login/" in page.url
    shoot(page, "sign-in-locked")
    reset()


def test_a_french_browser_gets_the_french_sign_in(browser, live_server, marie, shoot):
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Nom").fill("marie")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Entrez").click()
        page.wait_for_url("**/a/4000/")
        # Account 4000 speaks English, but the sign-in page was French: French holds.
        page.get_by_role("heading", name="Bienvenue, TEST").wait_for()
    finally:
        context.close()
