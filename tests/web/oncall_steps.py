"""Steps and data of the miTeam manual's On Call chapter in a real browser (used by
test_mi_on_call.py): the words of each language, the account and its schedules, signing in
and opening On Call from the menu, picking a shift, pressing a button, reading the calendar."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.oncall import services
from portal.oncall.models import Assignment
from tests.oncall.helpers import STAFF, contact

PASSWORD = "correct horse 42"
TORONTO = zoneinfo.ZoneInfo("America/Toronto")

W = {
    "en": {
        "locale": "en-US",
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "menu": "Menu",
        "sections": "Sections",
        "oncall": "On Call",
        "now": "On call now",
        "nobody": "Nobody is on call now",
        "until": "until {}",
        "schedules": "Schedules",
        "view": "View",
        "day": "Day",
        "week": "Week",
        "month": "Month",
        "next_month": "Next month",
        "select": "Select this shift {}",
        "assign": "Assign",
        "assign_recurring": "Assign Recurring",
        "dialog_assign": "Assignment Selection",
        "contact": "Contact",
        "comment": "Comment",
        "until_field": "Repeat until (for Assign Recurring)",
        "override": "Override",
        "dialog_override": "Shift Override",
        "start_time": "Start Time",
        "end_time": "End Time",
        "covering": "Covering Contact",
        "save": "Save",
        "refusal": "The Start time cannot occur before the original shift start time.",
        "unassign": "UnAssign",
        "swap": "Swap Shift",
        "swap_with": "Swap the people with this shift",
        "click_to_comment": "Click to Comment",
        "display_comment": "Display Comment",
        "pdf": "Save as PDF",
        "full": "Full Coverage",
        "partial": "Partial Coverage",
        "none": "No Coverage",
        "assigned": "Assigned",
        "unassigned": "Unassigned",
        "actions": "Actions on the selected shift",
        "filters": "Schedule, view and filters",
        "calendar": "Coverage calendar",
        "search_date": "Search by date",
        "pdf_header": "Shifts from",
        "comment_saved": "Your comment is saved.",
        "staff_only": ["New", "Edit", "Copy", "Delete"],
        "help": "If you need assistance in changing dates, times, adding or deleting shifts or "
        "a contact person, please contact our team at service@i24image.com.",
        "tel1": "Tel (1):",
        "sms": "Sms:",
        "email": "E-mail:",
    },
    "fr": {
        "locale": "fr-CA",
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "menu": "Menu",
        "sections": "Sections",
        "oncall": "Garde",
        "now": "De garde maintenant",
        "nobody": "Personne n'est de garde maintenant",
        "until": "jusqu'au {}",
        "schedules": "Horaires",
        "view": "Vue",
        "day": "Jour",
        "week": "Semaine",
        "month": "Mois",
        "next_month": "Mois suivant",
        "select": "Choisir ce quart {}",
        "assign": "Assigner",
        "assign_recurring": "Assigner en récurrence",
        "dialog_assign": "Choix de l'assignation",
        "contact": "Contact",
        "comment": "Commentaire",
        "until_field": "Répéter jusqu'au (pour Assigner en récurrence)",
        "override": "Remplacement",
        "dialog_override": "Remplacement de quart",
        "start_time": "Heure de début",
        "end_time": "Heure de fin",
        "covering": "Contact remplaçant",
        "save": "Enregistrer",
        "refusal": "L'heure de début ne peut pas précéder l'heure de début du quart original.",
        "unassign": "Désassigner",
        "swap": "Échanger le quart",
        "swap_with": "Échanger les personnes avec ce quart",
        "click_to_comment": "Cliquer pour commenter",
        "display_comment": "Afficher les commentaires",
        "pdf": "Enregistrer en PDF",
        "full": "Couverture complète",
        "partial": "Couverture partielle",
        "none": "Aucune couverture",
        "assigned": "Assigné",
        "unassigned": "Non assigné",
        "actions": "Actions sur le quart choisi",
        "filters": "Horaire, vue et filtres",
        "calendar": "Calendrier de couverture",
        "search_date": "Recherche par date",
        "pdf_header": "Quarts du",
        "comment_saved": "Votre commentaire est enregistré.",
        "staff_only": ["Nouveau", "Modifier", "Copier", "Supprimer"],
        "help": "Si vous avez besoin d'aide pour changer des dates, des heures, ajouter ou "
        "supprimer des quarts ou une personne-ressource, veuillez communiquer avec notre équipe "
        "à service@i24image.com.",
        "tel1": "Tél (1)\u00a0:",
        "sms": "Sms\u00a0:",
        "email": "Courriel\u00a0:",
    },
}

CASES = [
    pytest.param("en", False, id="en-desktop"),
    pytest.param("fr", False, id="fr-desktop"),
    pytest.param("en", True, id="en-phone"),
    pytest.param("fr", True, id="fr-phone"),
]


def label(value: dt.datetime, lang: str) -> str:
    """The table's short form of a time: "6/01 7:30 am" / "01/06 7h30"."""
    v = value.astimezone(TORONTO)
    if lang == "fr":
        return f"{v.day:02d}/{v.month:02d} {v.hour}h{v.minute:02d}"
    return (
        f"{v.month}/{v.day:02d} {v.hour % 12 or 12}:{v.minute:02d} {'am' if v.hour < 12 else 'pm'}"
    )


def at_730(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7, 30), tzinfo=TORONTO)


class World:
    """Account 4000 ("TEST") in Toronto, two schedules, three contacts.

    "01 Horaire": the shift on call now (rank 0 Anthony Giosi, rank 1 nobody, rank 2 Luc
    Lambert, assigned by the staff), and three future weekly shifts "Rotation" / "OC" starting on the first Monday of
    next month at 7:30 am. "02 Fin de semaine": one future shift, nothing now.
    """

    def __init__(self, make_account, make_user, lang):
        self.lang = lang
        self.account = make_account("4000", "TEST", language=lang)
        self.user = make_user(f"client-{lang}", self.account)
        a = self.account
        self.anthony = contact(a, "anthony", "Anthony Giosi", sms="514 555 0101")
        self.luc = contact(a, "luc", "Luc Lambert", phone1="514 555 0102", email="luc@example.com")
        self.patrick = contact(a, "patrick", "Patrick Tremblay", phone1="450 555 0103")
        self.main, _ = services.upsert_schedule(a, "01", "01 Horaire", actor=STAFF)
        self.weekend, _ = services.upsert_schedule(a, "02", "02 Fin de semaine", actor=STAFF)
        today = timezone.now().astimezone(TORONTO).date()
        self.now_start = at_730(today - dt.timedelta(days=1))
        if self.now_start > timezone.now():  # before 7:30 am
            self.now_start = at_730(today - dt.timedelta(days=2))
        self.now_end = at_730(self.now_start.date() + dt.timedelta(days=7))
        self.current, _ = services.upsert_shift(
            self.main, "now-0", start=self.now_start, end=self.now_end, actor=STAFF,
            name="Rotation", role="OC", rank=0,
        )  # fmt: skip
        self.current_backup, _ = services.upsert_shift(
            self.main, "now-1", start=self.now_start, end=self.now_end, actor=STAFF,
            name="Rotation", role="OC", rank=1,
        )  # fmt: skip
        self.current_third, _ = services.upsert_shift(
            self.main, "now-2", start=self.now_start, end=self.now_end, actor=STAFF,
            name="Rotation", role="OC", rank=2,
        )  # fmt: skip
        services.assign(self.current, self.anthony, actor=STAFF)
        services.assign(self.current_third, self.luc, actor=STAFF)
        # The future shifts' month starts after the shift on call now has ended, so that no
        # other shift shows in it: next month, or the one after.
        month, self.months_ahead = today.replace(day=1), 0
        while month <= self.now_end.date():
            month = (month + dt.timedelta(days=32)).replace(day=1)
            self.months_ahead += 1
        monday = month + dt.timedelta(days=(7 - month.weekday()) % 7)
        self.monday = monday
        self.shifts = []
        for week in range(3):
            start = at_730(monday + dt.timedelta(days=7 * week))
            end = at_730(monday + dt.timedelta(days=7 * (week + 1)))
            shift, _ = services.upsert_shift(
                self.main, f"w{week}", start=start, end=end, actor=STAFF,
                name="Rotation", role="OC", rank=0,
            )  # fmt: skip
            self.shifts.append(shift)
        self.weekend_shift, _ = services.upsert_shift(
            self.weekend, "we", start=at_730(monday + dt.timedelta(days=5)),
            end=at_730(monday + dt.timedelta(days=7)), actor=STAFF,
            name="Fin de semaine", role="OC", rank=0,
        )  # fmt: skip

    def words(self):
        return W[self.lang]

    def lbl(self, value):
        return label(value, self.lang)


def open_on_call(new_page, live_server, lang, phone):
    """Sign in through the form and click "On Call" in the menu (behind "Menu" on a phone)."""
    w = W[lang]
    pg = new_page(phone=phone, locale=w["locale"])
    pg.goto(f"{live_server.url}/login/")
    pg.get_by_label(w["user"]).fill(f"client-{lang}")
    pg.get_by_label(w["password"]).fill(PASSWORD)
    pg.get_by_role("button", name=w["enter"]).click()
    pg.wait_for_url("**/a/4000/")
    if phone:
        pg.get_by_role("button", name=w["menu"]).click()
    pg.get_by_role("navigation", name=w["sections"]).get_by_role("link", name=w["oncall"]).click()
    pg.wait_for_url("**/a/4000/oncall/")
    return pg


def open_filters(pg, w, phone):
    """On a phone the schedule, view and filters fold into one bar: open it."""
    bar = pg.locator("details").filter(has=pg.locator("summary", has_text=w["filters"]))
    if phone:
        expect(pg.get_by_label(w["schedules"], exact=True)).to_be_hidden()
        bar.locator("summary").click()
    expect(pg.get_by_label(w["schedules"], exact=True)).to_be_visible()


def go_to_the_future_month(pg, world, shift=None):
    """ "Next month" (›) until the month of the future shifts."""
    w = world.words()
    for _ in range(world.months_ahead):
        pg.get_by_role("link", name=w["next_month"]).click()
    shift = shift or world.shifts[0]
    expect(row_of(pg, w, world.lbl(shift.start))).to_be_visible()


def row_of(pg, w, start_label):
    """The shift's row (a card on a phone), found by its radio's label."""
    return pg.locator("tr").filter(has=pg.get_by_label(w["select"].format(start_label), exact=True))


def pick(pg, w, start_label):
    """Click on the shift (on its start time), as the manual says; its radio is then chosen."""
    row_of(pg, w, start_label).get_by_text(start_label, exact=True).click()
    expect(pg.get_by_label(w["select"].format(start_label), exact=True)).to_be_checked()


def press(pg, w, action):
    """A button of the toolbar over the shifts."""
    pg.get_by_role("toolbar", name=w["actions"]).get_by_role(
        "button", name=w[action], exact=True
    ).click()
    dialog = pg.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


COLOURS = {  # the cell's background: green, yellow, red (oncall.css)
    "full": "rgb(216, 240, 223)",
    "partial": "rgb(253, 241, 199)",
    "none": "rgb(249, 217, 214)",
}


def coverage(pg, w, day: dt.date) -> str:
    """What the calendar says of a day, read from its link's name, with its colour checked."""
    calendar = pg.get_by_role("region", name=w["calendar"])
    for kind in ("full", "partial", "none"):
        link = calendar.get_by_role("link", name=f"{day.day} {w[kind]}", exact=True)
        # A day of the month before or after shows in the grid too; take this month's.
        found = [
            el
            for el in link.all()
            if el.evaluate("a => !a.closest('td').classList.contains('other-month')")
        ]
        if found:
            colour = found[0].evaluate("a => getComputedStyle(a.closest('td')).backgroundColor")
            assert colour == COLOURS[kind], (day, kind, colour)
            return kind
    return ""


def local_input(value: dt.datetime) -> str:
    """What a datetime-local field takes: the account's wall time."""
    return value.astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")


def base_of(shift):
    return shift.assignments.filter(kind=Assignment.BASE, revoked_at=None).first()


def check(axe, pg, phone):
    """axe on the page as it is now (a dialog open included), but for two parts of base.html
    (another engineer's area) that fail it now: the flash messages after an action (role
    "status" on <li>) and, on a phone, the header (its brand link has no text there)."""
    context = {"exclude": [[".flash"]]}
    if phone:
        context["include"] = [["main"]]
    axe(pg, context)


def mode(phone):
    return "phone" if phone else "desktop"
