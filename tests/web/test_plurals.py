"""Counts shown in words take the plural of their number (issue 12, "assigned to 1 shifts"),
in English and French (French: 0 and 1 are singular): the home page's guide and idle-logoff
tip, the hints of the Inbox, Call Log and Billable Calls pages, the call log report's e-mail
("(1 call)") and the statistics' limit on addresses ("At most 1 address."). Each with 1 and
with 2, as a person reaches them: sign in through the form, follow the menu, press the
buttons by their labels, read the page (and the e-mail)."""

import datetime as dt

import pytest

from tests.calls.helpers import make_call
from tests.web.portal_pages import WORDS, open_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the pages say with a count of 1 and of 2, word for word.
SAYS = {
    ("en", 1): {
        "guide": [
            "The messages our team took on your account during the last day, with their "
            "dispatch history. Filter them, mark them closed, download them.",
            "Listen to all incoming and outgoing calls answered on your account during the "
            "last day.",
            "A complete list of the billable transactions of the last day.",
            "Your client statistics for the last day.",
        ],
        "idle": "For your security, you are signed out after 1 minute without activity.",
        "inbox": "Messages are available in this section for a maximum of 1 day.",
        "calls": "Listen to the calls answered on your account during the last day.",
        "billable": "This report provides information from the last day and only for calls "
        "previously billed.",
        "mail": "The call log report you asked for is attached (1 call).",
        "addresses": "At most 1 address.",
    },
    ("en", 2): {
        "guide": [
            "The messages our team took on your account during the last 2 days, with their "
            "dispatch history. Filter them, mark them closed, download them.",
            "Listen to all incoming and outgoing calls answered on your account during the "
            "last 2 days.",
            "A complete list of the billable transactions of the last 2 days.",
            "Your client statistics for the last 2 days.",
        ],
        "idle": "For your security, you are signed out after 2 minutes without activity.",
        "inbox": "Messages are available in this section for a maximum of 2 days.",
        "calls": "Listen to the calls answered on your account during the last 2 days. "
        'Calls from the last 7 days are under "Call Log Search Results"; those from 8 to 2 '
        'days are in the "Archive" just below.',
        "billable": "This report provides information from the last 2 days and only for "
        "calls previously billed.",
        "mail": "The call log report you asked for is attached (2 calls).",
        "addresses": "At most 2 addresses.",
    },
    ("fr", 1): {
        "guide": [
            "Les messages pris par notre équipe sur votre compte au cours du dernier jour, "
            "avec leur historique d'envoi. Filtrez-les, fermez-les, téléchargez-les.",
            "Permet d'écouter tous les appels entrants ou sortants effectués sur votre compte "
            "au cours du dernier jour.",
            "Vous permet de visualiser en détail les appels facturables du dernier jour.",
            "Vous permet de visualiser les statistiques clients du dernier jour.",
        ],
        "idle": "Pour votre sécurité, votre session se ferme après 1 minute d'inactivité.",
        "inbox": "Les messages sont disponibles dans cette section pendant 1 jour au maximum.",
        "calls": "Écoutez les appels auxquels nous avons répondu pour votre compte au cours "
        "du dernier jour.",
        "billable": "Ce rapport fournit des informations du dernier jour et uniquement pour "
        "les appels préalablement facturés.",
        "mail": "Le rapport du journal d'appels demandé est joint (1 appel).",
        "addresses": "Au plus 1 adresse.",
    },
    ("fr", 2): {
        "guide": [
            "Les messages pris par notre équipe sur votre compte au cours des 2 derniers "
            "jours, avec leur historique d'envoi. Filtrez-les, fermez-les, téléchargez-les.",
            "Permet d'écouter tous les appels entrants ou sortants effectués sur votre compte "
            "au cours des 2 derniers jours.",
            "Vous permet de visualiser en détail les appels facturables des 2 derniers jours.",
            "Vous permet de visualiser les statistiques clients des 2 derniers jours.",
        ],
        "idle": "Pour votre sécurité, votre session se ferme après 2 minutes d'inactivité.",
        "inbox": "Les messages sont disponibles dans cette section pendant 2 jours au maximum.",
        "calls": "Écoutez les appels auxquels nous avons répondu pour votre compte au cours "
        "des 2 derniers jours. Les appels des 7 derniers jours sont dans « Résultats de la "
        "recherche » ; ceux de 8 à 2 jours sont dans les « Archives » juste en dessous.",
        "billable": "Ce rapport fournit des informations des 2 derniers jours et uniquement "
        "pour les appels préalablement facturés.",
        "mail": "Le rapport du journal d'appels demandé est joint (2 appels).",
        "addresses": "Au plus 2 adresses.",
    },
}

# The sections, their buttons and fields, by their labels.
LABELS = {
    "en": {
        "inbox": "Inbox / Messages",
        "calls": "Call Log",
        "billable": "Billable Calls",
        "stats": "Statistics",
        "criteria": "Search criteria",
        "search": "Search for Calls",
        "email": "Email report",
        "send": "Send",
        "sent": "The report was sent to",
        "retrieve_stats": "Retrieve Stats",
        "email_to": "E-mail address",
        "email_stats": "Email Report",
    },
    "fr": {
        "inbox": "Messages",
        "calls": "Journal d'appels",
        "billable": "Appels facturables",
        "stats": "Statistiques",
        "criteria": "Critères de recherche",
        "search": "Récupérer les Appels",
        "email": "Envoyer le rapport par e-mail",
        "send": "Envoyer",
        "sent": "Le rapport a été envoyé à",
        "retrieve_stats": "Afficher les statistiques",
        "email_to": "Adresse courriel",
        "email_stats": "Envoyer le rapport par e-mail",
    },
}

# Each count in each language, on a desktop and on a phone.
CASES = [(1, "en", False), (2, "en", True), (1, "fr", True), (2, "fr", False)]


def words(text: str) -> str:
    """The text as read: spaces (no-break ones included) as single spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.parametrize(
    "n, lang, phone",
    CASES,
    ids=[f"{n}-{lang}-{'phone' if p else 'desktop'}" for n, lang, p in CASES],
)
def test_counts_take_the_plural_of_their_number(
    new_page, live_server, make_account, make_user, settings, monkeypatch, mailoutbox, axe, shoot,
    n, lang, phone,
):  # fmt: skip
    from portal.stats import schedules

    # n days kept, n minutes before the idle logoff, n calls in the previous hour, at most n
    # addresses for a report.
    settings.SESSION_COOKIE_AGE = 60 * n
    settings.SESSION_WARNING_SECONDS = 5
    monkeypatch.setattr(schedules, "MAX_ADDRESSES", n)
    account = make_account("4000", "TEST", retention_days=n)
    make_user("plural", account, language=lang, email="plural@example.com")
    for k in range(n):
        make_call(account, ago=dt.timedelta(minutes=10 + k), call_id=f"7200000{k}")
    says, label = SAYS[(lang, n)], LABELS[lang]
    size = "phone" if phone else "desktop"
    page = new_page(phone=phone, locale="fr-CA" if lang == "fr" else "en-US")

    # Home: the guide's texts and the idle-logoff tip.
    sign_in(page, live_server, "plural", lang)
    page.get_by_role("heading", name=WORDS[lang]["guide"]).wait_for()
    texts = [words(t) for t in page.locator(".guide .guide-item p").all_inner_texts()]
    for text in says["guide"]:
        assert text in texts, (text, texts)
    tips = words(page.locator(".tips").inner_text())
    assert says["idle"] in tips, tips
    axe(page)
    shoot(page, f"plurals-home-{n}-{lang}-{size}")

    # Inbox / Messages: how long messages are kept.
    open_section(page, lang, label["inbox"], phone=phone)
    page.get_by_role("heading", name=label["inbox"], level=1).wait_for()
    assert words(page.locator("main .hint").first.inner_text()) == says["inbox"]
    axe(page)

    # Call Log: how long calls are kept; search with the pre-checked span and e-mail the
    # report of its n calls.
    open_section(page, lang, label["calls"], phone=phone)
    page.get_by_role("heading", name=label["calls"], level=1).wait_for()
    assert words(page.locator(".call-log-hint").inner_text()) == says["calls"]
    if phone:
        page.get_by_text(label["criteria"], exact=True).click()
    page.get_by_role("button", name=label["search"]).click()
    page.wait_for_load_state()
    axe(page)
    page.get_by_label(label["email"]).fill("boss@client.ca")
    page.get_by_role("button", name=label["send"], exact=True).click()
    page.get_by_role("status").filter(has_text=label["sent"]).wait_for()
    assert len(mailoutbox) == 1, mailoutbox
    assert words(mailoutbox[0].body) == says["mail"]
    axe(page)

    # Billable Calls: how far back the report goes.
    open_section(page, lang, label["billable"], phone=phone)
    page.get_by_role("heading", name=label["billable"], level=1).wait_for()
    note = words(page.locator(".report-form .note").inner_text())
    assert note.startswith(says["billable"]), note
    axe(page)

    # Statistics: one address more than allowed is refused, and nothing is sent.
    open_section(page, lang, label["stats"], phone=phone)
    page.get_by_role("heading", name=label["stats"], level=1).wait_for()
    page.get_by_role("button", name=label["retrieve_stats"]).click()
    page.wait_for_load_state()
    addresses = ",".join(f"r{k}@example.com" for k in range(n + 1))
    page.get_by_label(label["email_to"]).fill(addresses)
    page.get_by_role("button", name=label["email_stats"]).click()
    page.wait_for_load_state()
    refused = page.get_by_role("status").filter(has_text=says["addresses"][:6])
    assert words(refused.inner_text()) == says["addresses"]
    assert len(mailoutbox) == 1
    shoot(page, f"plurals-stats-{n}-{lang}-{size}")
    axe(page)
