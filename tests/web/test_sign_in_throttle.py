"""In real browsers at different client addresses (behind a trusted proxy that names them in
X-Forwarded-For): an attacker guessing alice's password locks only their own address, alice
still signs in from her browser; over the portal's global ceiling a new browser is told to wait
while alice's own browser (where she signed in before) still gets in. axe on the locked page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


@pytest.fixture
def alice(make_account, make_user, settings):
    from axes.utils import reset

    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1", "::1"]  # the test's browsers' "proxy"
    reset()
    yield make_user("alice", make_account("4000", "TEST"))
    reset()


def browser_at(new_page, address, locale="en-US"):
    page = new_page(locale=locale)
    page.context.set_extra_http_headers({"X-Forwarded-For": address})
    return page


def try_to_sign_in(page, live_server, password, username="alice"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User Name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Enter").click()


def test_an_attacker_elsewhere_locks_only_themselves(new_page, live_server, alice, axe, shoot):
    attacker = browser_at(new_page, "203.0.113.7")
    for _attempt in range(4):
        try_to_sign_in(attacker, live_server, "guess")
        alert = attacker.get_by_role("alert")
        assert "The user name or password is incorrect" in alert.inner_text()
    try_to_sign_in(attacker, live_server, "guess")
    alert = attacker.get_by_role("alert")
    assert "Too many failed attempts: this login is locked for 15 minutes." in " ".join(
        alert.inner_text().split()
    )
    links = alert.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "tel:5147366767",
        "tel:8006676767",
        "mailto:service@i24image.com",
    ]
    axe(attacker)
    shoot(attacker, "throttle-attacker-locked")
    # The right password from the attacker's address: still refused, still 15 minutes.
    try_to_sign_in(attacker, live_server, PASSWORD)
    assert "locked for 15 minutes" in attacker.get_by_role("alert").inner_text()

    # alice, in her own browser at her own address, signs in at once.
    own = browser_at(new_page, "198.51.100.20")
    try_to_sign_in(own, live_server, PASSWORD)
    own.wait_for_url("**/a/4000/")
    own.get_by_role("heading", name="Welcome, TEST").wait_for()


@pytest.mark.parametrize("locale, words", [("en-US", "Too many failed sign-ins"), ("fr-CA", None)])
def test_over_the_global_ceiling_alices_own_browser_still_signs_in(
    new_page, live_server, alice, settings, axe, shoot, locale, words
):
    settings.PORTAL_LOGIN_GLOBAL_CEILING = 3
    own = browser_at(new_page, "198.51.100.20", locale=locale)
    labels = {
        "en-US": ("User Name", "Password", "Enter"),
        "fr-CA": ("Nom", "Mot de passe", "Entrez"),
    }
    user_label, password_label, enter = labels[locale]

    def sign_in_as(page, username, password):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label(user_label).fill(username)
        page.get_by_label(password_label, exact=True).fill(password)
        page.get_by_role("button", name=enter).click()

    sign_in_as(own, "alice", PASSWORD)
    own.wait_for_url("**/a/4000/")
    own.locator("form[action='/logout/'] button").click()
    own.wait_for_url("**/login/")

    for number in range(3):  # a spray: each address tries one user name
        sprayer = browser_at(new_page, f"192.0.2.{number}", locale=locale)
        sign_in_as(sprayer, f"victim{number}", "Summer2026!")
        sprayer.get_by_role("alert").wait_for()

    stranger = browser_at(new_page, "198.51.100.20", locale=locale)  # a browser alice never used
    sign_in_as(stranger, "alice", PASSWORD)
    alert = stranger.get_by_role("alert").inner_text()
    expected = words or "Trop de connexions échouées sur le portail en ce moment\u00a0:"
    assert expected in alert  # in French, the colon kept to its words by a no-break space
    assert "10" in alert and "service@i24image.com" in alert
    axe(stranger)
    shoot(stranger, f"throttle-global-ceiling-{locale}")

    sign_in_as(own, "alice", PASSWORD)
    own.wait_for_url("**/a/4000/")
