"""The miTeam manual's "Overview of the platform": once signed in, the home page with its five
callouts: (1) a welcome and guide, (2) the sections menu, (3) the account you are under, with
a drop-down to switch when the login has several, (4) on a phone the menu behind the three
lines at the top left, (5) your user name and the place to log out."""

import pytest

from tests.web.portal_pages import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    account_line,
    no_sideways_scroll,
    sections,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marie(make_account, make_user):
    make_account("4000", "TEST")
    make_account("4100", "CLINIQUE", language="fr")
    make_account("4200", "PLOMBERIE")
    from portal.accounts.models import Account

    return make_user("marie", *Account.objects.order_by("number"))


@pytest.mark.parametrize("phone, locale, lang", BROWSERS, ids=BROWSER_IDS)
def test_the_home_page_and_its_five_callouts(
    new_page, live_server, marie, axe, shoot, phone, locale, lang
):
    w = WORDS[lang]
    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, "marie", lang)
    size = "phone" if phone else "desktop"

    # 1. A welcome and an instruction guide.
    page.get_by_role("heading", name=w["welcome"].format(name="TEST")).wait_for()
    main = page.get_by_role("main")
    assert w["lead"] in main.inner_text()
    assert w["several"] in main.inner_text()
    assert w["phone_tip"] in main.inner_text()
    assert w["user_tip"] in main.inner_text()
    assert account_line(page) == w["account_line"].format(number=4000, billing=784000)
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"mi-overview-home-{size}-{lang}")

    # 4. On a phone the sections are behind the three lines at the top left.
    nav = sections(page)
    menu = page.get_by_role("button", name=w["menu"])
    if phone:
        assert menu.is_visible() and not nav.is_visible()
        box = menu.bounding_box()
        assert box["x"] < 60 and box["y"] < 60
        assert menu.get_attribute("aria-expanded") == "false"
        menu.click()
        nav.wait_for(state="visible")
        assert menu.get_attribute("aria-expanded") == "true"
        axe(page)
        shoot(page, f"mi-overview-menu-open-{lang}")
    else:
        assert nav.is_visible() and not menu.is_visible()

    # 2. The sections of the platform, in the menu; each opens its page.
    assert nav.get_by_role("link").all_inner_texts() == w["menu_links"]
    assert nav.get_by_role("link", name=w["home"], exact=True).get_attribute("aria-current")
    nav.get_by_role("link", name=w["settings"], exact=True).click()
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_role("heading", name=w["settings"]).wait_for()
    if phone:
        assert not nav.is_visible()  # the menu closes on the new page

    # 3. The account you are under; the drop-down switches, by keyboard: the arrows only
    # move the choice, Enter goes to the same section of the chosen account.
    switcher = page.get_by_label(w["account"], exact=True)
    assert switcher.input_value() == "4000"
    switcher.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert page.url.endswith("/a/4000/settings/")
    assert switcher.input_value() == "4200"
    page.keyboard.press("Enter")
    page.wait_for_url("**/a/4200/settings/")
    assert account_line(page) == w["account_line"].format(number=4200, billing=784200)
    axe(page)

    # ...or with the Go button, after moving the choice back up with the arrows.
    switcher = page.get_by_label(w["account"], exact=True)
    switcher.focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(300)
    assert page.url.endswith("/a/4200/settings/")
    page.get_by_role("button", name=w["go"], exact=True).click()
    page.wait_for_url("**/a/4100/settings/")
    assert account_line(page) == w["account_line"].format(number=4100, billing=784100)
    assert page.locator("html").get_attribute("lang") == lang  # the language holds
    shoot(page, f"mi-overview-switched-{size}-{lang}")

    # 5. The user name, and the place to log out.
    who = page.locator(".username")
    assert who.is_visible()
    assert who.inner_text().split()[-1] == "marie"
    page.get_by_role("button", name=w["sign_out"]).click()
    page.wait_for_url("**/login/")
    page.get_by_role("heading", name=w["heading"]).wait_for()
    axe(page)
    page.goto(f"{live_server.url}/a/4100/settings/")
    assert "/login/" in page.url


def test_a_login_with_one_account_names_it_without_a_drop_down(
    new_page, live_server, make_account, make_user, axe
):
    make_user("solo", make_account("4000", "TEST"))
    page = new_page()
    sign_in(page, live_server, "solo")
    assert page.locator("select#account-switch").count() == 0
    assert page.locator("#account-switch").inner_text() == "4000-TEST"
    assert "several accounts" not in page.get_by_role("main").inner_text()
    axe(page)
