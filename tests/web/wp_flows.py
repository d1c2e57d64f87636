"""What the WebPortal manual's billing and statistics walkthroughs share: signing in through
the form, opening a section from the menu (behind "Menu" on a phone), the page's words in
French and English, and reading the downloaded or e-mailed Excel file."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

PASSWORD = "correct horse 42"
TORONTO = ZoneInfo("America/Toronto")

# The four browsers of each walkthrough: (phone, browser locale).
BROWSERS = [(False, "en-US"), (False, "fr-CA"), (True, "en-US"), (True, "fr-CA")]
BROWSER_IDS = ["desktop-en", "desktop-fr", "phone-en", "phone-fr"]

WORDS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "billing": "Billing History",
        "billable": "Billable Calls",
        "stats": "Statistics",
        "number": "Account number or billing number",
        "retrieve_history": "Retrieve Billing History",
        "billing_id": "For Billing ID: ",
        "from": "From",
        "to": "To",
        "retrieve_calls": "Retrieve Calls",
        "total_calls": "Total Calls:",
        "total_stats": "Total Stats:",
        "average": "Average Stat/Call:",
        "excel": "Open in Excel",
        "email_to": "E-mail address",
        "email": "Email Report",
        "sent": "The report was sent to alice@example.com.",
        "after": "Calls after",
        "before": "Calls before",
        "weekday": "Day of week",
        "monday": "Monday",
        "retrieve_stats": "Retrieve Stats",
        "total_incoming": "Total Incoming Calls",
        "tables": "The charts' figures as tables",
        "per_hour": "Calls per hour of day",
        "within": "Calls Reaching an Agent within 30 secs",
        "no_history": "No billing history was found for this number.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "billing": "Historique de facturation",
        "billable": "Appels facturables",
        "stats": "Statistiques",
        "number": "Numéro de compte client ou numéro de facturation",
        "retrieve_history": "Afficher l'historique de facturation",
        "billing_id": "Pour\u00a0: Numéro de facturation\u00a0: ",
        "from": "Du",
        "to": "Au",
        "retrieve_calls": "Afficher les appels",
        "total_calls": "Total des appels\u00a0:",
        "total_stats": "Total des statistiques\u00a0:",
        "average": "Moyenne par appel\u00a0:",
        "excel": "Ouvrir dans Excel",
        "email_to": "Adresse courriel",
        "email": "Envoyer le rapport par e-mail",
        "sent": "Le rapport a été envoyé à alice@example.com.",
        "after": "Appels après",
        "before": "Appels avant",
        "weekday": "Jour de la semaine",
        "monday": "Lundi",
        "retrieve_stats": "Afficher les statistiques",
        "total_incoming": "Total des appels entrants",
        "tables": "Les données des graphiques en tableaux",
        "per_hour": "Appels par heure de la journée",
        "within": "Appels répondus dans les 30 secondes",
        "no_history": "Aucun historique de facturation n'a été trouvé pour ce numéro.",
    },
}


# Compared with the page's text with its no-break spaces (French typography) made plain.
WORDS = {lang: {k: v.replace("\u00a0", " ") for k, v in w.items()} for lang, w in WORDS.items()}


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def language_of(locale: str) -> str:
    return locale[:2]


def sign_in(page, live_server, language: str, username: str = "alice") -> None:
    """The sign-in form, in the browser's language."""
    w = WORDS[language]
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(w["user"], exact=True).fill(username)
    page.get_by_label(w["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=w["enter"], exact=True).click()
    page.wait_for_url("**/a/4000/")


def open_section(page, name: str, phone: bool) -> None:
    """Click the section's link in the menu (a phone opens the menu first)."""
    if phone:
        page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Sections")
    nav.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def workbook_values(data: bytes) -> list[list]:
    """Every row of every sheet, as values (None where empty)."""
    book = load_workbook(io.BytesIO(data))
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def press(control, phone: bool, navigates: bool = False) -> None:
    """Click a link or button; on a phone, focus it and press Enter (the keyboard's
    gesture, which a wide table scrolled beside it cannot intercept). `navigates`: wait
    for the page it leads to."""

    def act():
        if phone:
            control.focus()
            control.page.keyboard.press("Enter")
        else:
            control.click()

    if navigates:
        with control.page.expect_navigation():
            act()
    else:
        act()


def downloaded(page, link_name: str, phone: bool = False) -> bytes:
    with page.expect_download() as info:
        press(page.get_by_role("link", name=link_name), phone)
    with open(info.value.path(), "rb") as fh:
        return fh.read()


def as_text(value) -> str:
    """A cell as a person reads it: a date cell as "YYYY-MM-DD HH:MM", a duration as
    "MM:SS" (the Excel writer may store either as text or as a real cell)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.timedelta | dt.time):
        if isinstance(value, dt.time):
            value = dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
        seconds = round(value.total_seconds())
        return f"{seconds // 60:02d}:{seconds % 60:02d}"
    return "" if value is None else str(value)


def last_cycle(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete billing cycle (20th → 19th) before `today`."""
    end = today.replace(day=19)
    if end >= today:
        end = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=19)
    start = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=20)
    return start, end


def local_today() -> dt.date:
    from django.utils import timezone

    return timezone.now().astimezone(TORONTO).date()
