"""What the inbox workflow tests share: the messages of a small practice, signing in through
the form and reaching the Messages page through the menu, in English or in French."""

import datetime as dt
import re

from django.utils import timezone

from tests.calls.helpers import make_message

PASSWORD = "correct horse 42"

WORDS = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "menu_link": "Inbox / Messages",
        "retrieve": "Retrieve Messages",
        "criteria": "Search criteria",
        "more": "Other search parameters",
        "dates_below": "Dates below",
        "today": "Today",
        "yesterday": "Yesterday",
        "week": "Last Week",
        "month": "Last Month",
        "open": "Open",
        "closed": "Closed",
        "urgent": "Urgent",
        "from": "From",
        "to": "To",
        "search_form": "Search messages",
        "keyword": "Keyword",
        "search_hint": "Search messages...",
        "account": "Account",
        "all_accounts": "All my accounts",
        "message_id": "Message ID",
        "call_number": "Call number",
        "agent": "Agent",
        "taken_from": "Taken from",
        "messages": lambda n: f"{n} message" + ("" if n == 1 else "s"),
        "history": "Delivery history",
        "id_label": "Message ID:",
        "taken_label": "Taken:",
        "initiated": "e-mail initiated to info@compagnie.ca",
        "delivered": "Delivered",
        "taken": "Taken",
        "back": "Back to the messages",
        "title": "Inbox / Messages",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "menu_link": "Messages",
        "retrieve": "Afficher les messages",
        "criteria": "Critères de recherche",
        "more": "Autres paramètres de recherche",
        "dates_below": "Dates ci-dessous",
        "today": re.compile(r"^Aujourd['’]hui$"),
        "yesterday": "Hier",
        "week": "Semaine dernière",
        "month": "Mois dernier",
        "open": "Ouvert",
        "closed": "Fermé",
        "urgent": "Urgent",
        "from": "Du",
        "to": "Au",
        "search_form": "Rechercher les messages",
        "keyword": "Mot clé",
        "search_hint": "Rechercher les messages...",
        "account": "Compte",
        "all_accounts": "Tous mes comptes",
        "message_id": "Message ID",
        "call_number": "Numéro d'appel",
        "agent": "Agent",
        "taken_from": "Pris du",
        "messages": lambda n: f"{n} message" + ("s" if n > 1 else ""),
        "history": "Envoi de l'Histoire",
        "id_label": "Message ID\u00a0:",
        "taken_label": "Pris\u00a0:",
        "initiated": "courriel initié à info@compagnie.ca",
        "delivered": "Livré",
        "taken": "Pris",
        "back": "Retour aux messages",
        "title": "Messages",
    },
}


def local_noon(account, days_ago: int) -> dt.datetime:
    """Noon of a day some days before today, in the account's zone."""
    today = timezone.now().astimezone(account.tz).date()
    day = today - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(12), tzinfo=account.tz)


def practice_messages(account, other=None) -> dict:
    """Today's urgent one, yesterday's closed one, 3 and 20 days ago, and one older than the
    60 days kept (never shown). Returns them by name."""
    made = {
        "today": make_message(
            account,
            subject="RENDEZ-VOUS",
            fields=[["Modèle", "XR-200"], ["Serie", "10906256AJ"]],
            body="Rappeler avant midi.",
            urgent=True,
            message_id="2598662",
            call_id="77001",
        ),
        "yesterday": make_message(
            account,
            subject="FUITE D'EAU",
            fields=[["Ville", "Laval"]],
            taken_at=local_noon(account, 1),
            status="closed",
            message_id="2598663",
        ),
        "three_days": make_message(
            account,
            subject="LIVRAISON",
            fields=[["Ville", "Montréal"]],
            taken_at=local_noon(account, 3),
            message_id="2598664",
        ),
        "twenty_days": make_message(
            account,
            subject="FACTURE",
            fields=[["Ville", "Longueuil"]],
            taken_at=local_noon(account, 20),
            message_id="2598665",
        ),
        "too_old": make_message(
            account,
            subject="TROP VIEUX",
            taken_at=local_noon(account, 70),
            message_id="2598666",
        ),
    }
    if other is not None:
        made["other"] = make_message(
            other, subject="CLINIQUE RAPPEL", fields=[["Ville", "Québec"]], message_id="3100001"
        )
    return made


def sign_in_and_open_inbox(page, live_server, username, lang="en", phone=False):
    """Sign in through the form, then follow the menu to the Messages page."""
    w = WORDS[lang]
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(w["user"]).fill(username)
    page.get_by_label(w["password"]).fill(PASSWORD)
    page.get_by_role("button", name=w["enter"]).click()
    page.wait_for_url(re.compile(r".*/a/\d+/$"))
    if phone:
        page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name=re.compile("Sections"))
    nav.get_by_role("link", name=w["menu_link"], exact=True).click()
    page.wait_for_url("**/messages/")


def subjects(page) -> list[str]:
    """The subjects listed, top to bottom."""
    return [s.strip() for s in page.locator("#message-rows tr td a").all_inner_texts()]


def retrieve(page, lang):
    page.get_by_role("button", name=WORDS[lang]["retrieve"]).click()
    page.wait_for_load_state()
