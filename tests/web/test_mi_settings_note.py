"""miTeam "Settings": by the password form, the note that the service has no access to a
changed password but can reset it, and how to reach it. English and French, desktop and phone;
axe-core on the page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "settings": "Settings",
        "section": "Change your password",
        "note": "Please note that i24 does not have access to your password if you have "
        "changed it. However, we can assist you by resetting your password for you: call us "
        "at (514)\u00a0736-6767 – (800)\u00a0667-6767 or write to service@i24image.com.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "settings": "Paramètres",
        "section": "Changer votre mot de passe",
        "note": "Veuillez noter que i24 n'a pas accès à votre mot de passe si vous l'avez "
        "modifié. Nous pouvons toutefois vous aider en le réinitialisant pour vous\u00a0: "
        "appelez-nous au (514)\u00a0736-6767 – (800)\u00a0667-6767 ou écrivez-nous à "
        "service@i24image.com.",
    },
}


@pytest.mark.parametrize(
    "language,locale,phone", [("en", "en-US", False), ("fr", "fr-CA", False), ("fr", "fr-CA", True)]
)
def test_the_password_note_by_the_password_form(
    new_page, live_server, make_account, make_user, axe, shoot, language, locale, phone
):
    make_user("marie", make_account("4000", "TEST", language=language))
    words = WORDS[language]
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(words["user"]).fill("marie")
    page.get_by_label(words["password"], exact=True).fill("correct horse 42")
    page.get_by_role("button", name=words["enter"]).click()
    page.wait_for_url("**/a/4000/")
    if phone:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation").get_by_role("link", name=words["settings"]).click()
    page.wait_for_url("**/a/4000/settings/")

    section = page.get_by_role("region", name=words["section"])
    note = section.get_by_role("note")
    # (The numbers are written with no-break spaces: each stays on one line.)
    assert note.inner_text().replace("\n", " ") == words["note"]
    hrefs = note.get_by_role("link").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["tel:5147366767", "tel:8006676767", "mailto:service@i24image.com"]
    # The note follows the password form, inside its section.
    assert section.locator("form + .password-note").count() == 1
    axe(page)
    shoot(page, f"settings-note-{language}-{'phone' if phone else 'desktop'}")
