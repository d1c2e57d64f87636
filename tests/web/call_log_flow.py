"""What the call log's browser tests share: the manuals' words in both languages, signing in
through the form and reaching the Call Log by its menu link, and the call log's test data."""

import datetime as dt
import time

from django.utils import timezone

from tests.calls.helpers import add_recording, make_call, make_message, wav_bytes

PASSWORD = "correct horse 42"

WORDS = {
    "en": {
        "menu": "Call Log",
        "search": "Search for Calls",
        "criteria": "Search criteria",
        "recent": "Call Log Search Results",
        "archive": "Archive",
        "start_date": "Start Date",
        "start_time": "Start time",
        "end_date": "End Date",
        "end_time": "End time",
        "caller": "Caller ID",
        "hour": "Previous hour",
        "three": "Previous three hours",
        "dates": "Specific dates/times (choose below)",
        "advanced": "View Advanced Search Options",
        "account": "Account Number",
        "agent": "Agent Initials",
        "details": "Details",
        "voice": "Voice",
        "info": "Call Information",
        "download": "Download the audio file",
        "close": "Close",
        "total": "Total Duration:",
        "email": "Email report",
        "send": "Send",
        "sent": "The report was sent to",
        "from": "Calls from {start} to {end}",
        "play": "Play the call of {time}",
        "pause": "Pause",
        "message": "Message ID",
    },
    "fr": {
        "menu": "Journal d'appels",
        "search": "Récupérer les Appels",
        "criteria": "Critères de recherche",
        "recent": "Résultats de la recherche",
        "archive": "Archives",
        "start_date": "Date de début",
        "start_time": "Heure de début",
        "end_date": "Date de fin",
        "end_time": "Heure de fin",
        "caller": "Identification de l'appelant",
        "hour": "Heure qui a précédé",
        "three": "Trois heures précédentes",
        "dates": "Dates/heures spécifiques (choisissez ci-dessous)",
        "advanced": "Autres paramètres de recherche",
        "account": "Numéro de Compte",
        "agent": "Initiales de l'Agent",
        "details": "Détails",
        "voice": "Voix",
        "info": "Information sur l'appel",
        "download": "Télécharger le fichier audio",
        "close": "Fermer",
        "total": "Durée totale\u00a0:",
        "email": "Envoyer le rapport par e-mail",
        "send": "Envoyer",
        "sent": "Le rapport a été envoyé à",
        "from": "Appels du {start} au {end}",
        "play": "Écouter l'appel du {time}",
        "pause": "Pause",
        "message": "Message ID",
    },
}

LOGIN = {"en": ("User Name", "Password", "Enter"), "fr": ("Nom", "Mot de passe", "Entrez")}
LOCALES = {"en": "en-US", "fr": "fr-CA"}
SPAN = "%Y-%m-%d %H:%M"


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Poll a JavaScript expression (wait_for_function would need 'unsafe-eval' under our CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def open_call_log(page, live_server, username: str, lang: str, phone: bool = False) -> None:
    """Sign in through the form, then follow the menu's Call Log link (the phone's menu
    opens first)."""
    page.goto(f"{live_server.url}/login/")
    user_name, password, enter = LOGIN[lang]
    page.get_by_label(user_name, exact=True).fill(username)
    page.get_by_label(password, exact=True).fill(PASSWORD)
    page.get_by_role("button", name=enter, exact=True).click()
    page.wait_for_url("**/a/*/")
    if phone:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation").get_by_role("link", name=WORDS[lang]["menu"]).click()
    page.wait_for_url("**/calls/")
    page.wait_for_load_state()


def local(account, moment: dt.datetime) -> str:
    return moment.astimezone(account.tz).strftime(SPAN)


def section(page, lang: str, which: str):
    """The "Call Log Search Results" ("recent") or "Archive" section, by its heading."""
    return page.get_by_role("region", name=WORDS[lang][which])


def call_log_data(account) -> dict:
    """Calls the tests look for, made through the ingest services: a few minutes ago
    ("now", in the previous hour), about two and a half hours ago ("earlier"), two days ago
    with a recording ("recorded", from caller 514 555-0001), three days ago a transaction
    that dispatched a message ("transaction"), twenty days ago from the same caller
    ("archived")."""
    now = timezone.now()
    calls = {
        "now": make_call(
            account, call_id="71000001", ago=dt.timedelta(minutes=20), caller_id="4385550000",
            agent="DOM", duration_s=90,
        ),
        "earlier": make_call(
            account, call_id="71000002", ago=dt.timedelta(minutes=150), caller_id="4385550002",
            agent="KAL", duration_s=60,
        ),
        "recorded": add_recording(
            make_call(
                account, call_id="71000003", ago=dt.timedelta(days=2), caller_id="5145550001",
                caller_name="DUPONT JEAN", agent="ELD", duration_s=30,
            ),
            wav_bytes(20),
        ),
        "transaction": make_call(
            account, call_id="71000004", ago=dt.timedelta(days=3), kind="transaction",
            agent="B-LUCAS", caller_id="5145559999",
        ),
        "archived": make_call(
            account, call_id="71000005", ago=dt.timedelta(days=20), caller_id="5145550001",
            agent="ELD",
        ),
    }  # fmt: skip
    make_message(
        account,
        message_id="81000004",
        call_id="71000004",
        taken_at=calls["transaction"].started_at,
    )
    calls["now_at"] = now
    return calls


def rows(region) -> list[str]:
    """The call numbers a section lists, in order."""
    return region.locator("td.c-id").all_inner_texts()
