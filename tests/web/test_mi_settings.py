"""The miTeam manual's "Settings": reset your password (i24 does not know it once changed).
The current password, then the new one twice; the next sign-in takes the new one only."""

import pytest

from tests.web.portal_pages import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    fill_sign_in,
    no_sideways_scroll,
    open_section,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "a brand new secret 77"


@pytest.fixture
def marie(make_account, make_user):
    return make_user("marie", make_account("4000", "TEST"))


@pytest.mark.parametrize("phone, locale, lang", BROWSERS, ids=BROWSER_IDS)
def test_reset_the_password(new_page, live_server, marie, axe, shoot, phone, locale, lang):
    w = WORDS[lang]
    size = "phone" if phone else "desktop"
    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, "marie", lang)
    open_section(page, lang, w["settings"], phone=phone)
    page.wait_for_url("**/a/4000/settings/")
    page.get_by_role("heading", name=w["change_password"]).wait_for()
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"mi-settings-{size}-{lang}")

    # A wrong current password: said so, nothing changed.
    page.get_by_label(w["current"]).fill("not my password")
    page.get_by_label(w["new1"], exact=True).fill(NEW)
    page.get_by_label(w["new2"]).fill(NEW)
    page.get_by_role("button", name=w["change"]).click()
    page.get_by_role("alert").filter(has_text=w["bad_current"]).wait_for()
    axe(page)
    marie.refresh_from_db()
    assert marie.check_password("correct horse 42")

    # The new one typed differently twice: said so, nothing changed.
    page.get_by_label(w["current"]).fill("correct horse 42")
    page.get_by_label(w["new1"], exact=True).fill(NEW)
    page.get_by_label(w["new2"]).fill(NEW + "x")
    page.get_by_role("button", name=w["change"]).click()
    page.get_by_role("alert").filter(has_text=w["mismatch"]).wait_for()
    axe(page)
    marie.refresh_from_db()
    assert marie.check_password("correct horse 42")

    # Right: changed, and still signed in.
    page.get_by_label(w["current"]).fill("correct horse 42")
    page.get_by_label(w["new1"], exact=True).fill(NEW)
    page.get_by_label(w["new2"]).fill(NEW)
    page.get_by_role("button", name=w["change"]).click()
    page.get_by_text(w["changed"]).wait_for()
    assert page.url.endswith("/a/4000/settings/")
    shoot(page, f"mi-settings-changed-{size}-{lang}")

    # The next sign-in: the old password no longer opens the portal, the new one does.
    page.get_by_role("button", name=w["sign_out"]).click()
    page.get_by_role("heading", name=w["heading"]).wait_for()
    fill_sign_in(page, lang, "marie", "correct horse 42")
    page.get_by_role("alert").filter(has_text=w["wrong"]).wait_for()
    fill_sign_in(page, lang, "marie", NEW)
    page.wait_for_url("**/a/4000/")
    page.get_by_role("heading", name=w["welcome"].format(name="TEST")).wait_for()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_choose_the_language_in_settings(new_page, live_server, marie, axe, phone):
    page = new_page(phone=phone, locale="en-US")
    sign_in(page, live_server, "marie", "en")
    open_section(page, "en", "Settings", phone=phone)
    page.get_by_label("Français").check()
    page.get_by_role("button", name="Save the language").click()
    page.get_by_role("heading", name="Paramètres").wait_for()
    assert page.get_by_label("Français").is_checked()
    axe(page)
    # Automatic again: the browser's language (English), as the label says.
    automatic = page.get_by_label("Automatique : la langue du navigateur", exact=False)
    automatic.check()
    page.get_by_role("button", name="Enregistrer la langue").click()
    page.get_by_role("heading", name="Settings").wait_for()
    assert page.get_by_label("Automatic: the browser's language", exact=False).is_checked()
