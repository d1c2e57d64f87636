"""What the sign-in, home, settings and options walkthroughs share: the words of the pages in
English and French, the four browsers (desktop and phone, English and French), signing in
through the form and following the menu (behind "Menu" on a phone)."""

import re

PASSWORD = "correct horse 42"

# The four browsers of each walkthrough: (phone, browser locale, language of the pages).
BROWSERS = [
    (False, "en-US", "en"),
    (False, "fr-CA", "fr"),
    (True, "en-US", "en"),
    (True, "fr-CA", "fr"),
]
BROWSER_IDS = ["desktop-en", "desktop-fr", "phone-en", "phone-fr"]

WORDS = {
    "en": {
        "heading": "Please sign in",
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "wrong": "The user name or password is incorrect. Please try again.",
        "welcome": "Welcome, {name}",
        "sections": "Sections",
        "menu": "Menu",
        "account": "Account",
        "go": "Go",
        "sign_out": "Sign out",
        "signed_in_as": "Signed in as",
        "other_language": "Français",
        "account_line": "Account number: {number} · Billing number: {billing}",
        "home": "Home",
        "settings": "Settings",
        "guide": "The sections",
        "lead": "This portal shows everything our team does for your account",
        "several": "Your login gives access to several accounts",
        "phone_tip": "the menu is behind the three lines at the top left.",
        "user_tip": "Your user name and the Sign out button are at the top right.",
        "change_password": "Change your password",
        "current": "Current password",
        "new1": "New password",
        "new2": "New password (again)",
        "change": "Change password",
        "changed": "Your password has been changed.",
        "bad_current": "Your current password is not correct. Please enter it again.",
        "mismatch": "The two new passwords differ. Please type the same one twice.",
        "menu_links": [
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
        ],
    },
    "fr": {
        "heading": "S.V.P. entrez votre nom et mot de passe",
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "wrong": "Le nom d’utilisateur ou le mot de passe est incorrect. Veuillez réessayer.",
        "welcome": "Bienvenue, {name}",
        "sections": "Sections",
        "menu": "Menu",
        "account": "Compte",
        "go": "Aller",
        "sign_out": "Sortie",
        "signed_in_as": "Connecté en tant que",
        "other_language": "English",
        "account_line": "Numéro de compte client : {number} · Numéro de facturation : {billing}",
        "home": "Accueil",
        "settings": "Paramètres",
        "guide": "Les sections",
        "lead": "Ce portail vous montre tout ce que notre équipe fait pour votre compte",
        "several": "Votre nom d'utilisateur donne accès à plusieurs comptes",
        "phone_tip": "le menu est accessible par les trois lignes en haut à gauche.",
        "user_tip": "Votre nom d'utilisateur et le bouton Sortie sont en haut à droite.",
        "change_password": "Changer votre mot de passe",
        "current": "Mot de passe actuel",
        "new1": "Nouveau mot de passe",
        "new2": "Nouveau mot de passe (encore)",
        "change": "Modifier le mot de passe",
        "changed": "Votre mot de passe a été changé.",
        "bad_current": "Votre mot de passe actuel n'est pas correct. Veuillez le saisir à nouveau.",
        "mismatch": "Les deux nouveaux mots de passe diffèrent. Veuillez taper le même deux fois.",
        "menu_links": [
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
        ],
    },
}


def fill_sign_in(page, lang, username, password=PASSWORD):
    w = WORDS[lang]
    page.get_by_label(w["user"]).fill(username)
    page.get_by_label(w["password"]).fill(password)
    page.get_by_role("button", name=w["enter"], exact=True).click()


def sign_in(page, live_server, username, lang="en", password=PASSWORD):
    """From the portal's address to its home page, through the sign-in form."""
    page.goto(f"{live_server.url}/")
    page.get_by_role("heading", name=WORDS[lang]["heading"]).wait_for()
    fill_sign_in(page, lang, username, password)
    page.wait_for_url(re.compile(r"/a/[^/]+/$"))


def sections(page):
    return page.get_by_role("navigation", name=WORDS["en"]["sections"])


def open_section(page, lang, label, phone=False):
    """Follow the menu to a section (opening the three-line menu first on a phone)."""
    if phone:
        page.get_by_role("button", name=WORDS[lang]["menu"]).click()
    sections(page).get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def account_line(page) -> str:
    return " ".join(page.locator(".account-line").inner_text().split())


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
