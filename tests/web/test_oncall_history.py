"""The On Call page's history and the comments typed with an override, in a real browser.

Sign in through the form, open "On Call" from the menu: the override's comment shows in the
shift table (Display Comment), in the UnAssign dialog and in the PDF (Save as PDF). Then
"History" from the toolbar: filter it by contact and date by typing, page through it, and
download the CSV and the Excel file, read back: they hold what the filtered page holds.
English and French, desktop and phone, axe on every state.
"""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.oncall import services
from portal.oncall.models import ScheduleEvent
from tests.oncall.helpers import STAFF
from tests.web.oncall_steps import (
    CASES,
    TORONTO,
    World,
    check,
    go_to_the_future_month,
    mode,
    open_on_call,
    pick,
    press,
    row_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

H = {
    "en": {
        "history": "History",
        "search_history": "Search the history",
        "contact": "Contact",
        "from": "From",
        "to": "To",
        "search": "Search",
        "pages": "Pages of the history",
        "older": "Older changes",
        "newer": "Newer changes",
        "page": "Page {} of {}",
        "csv": "Download CSV",
        "excel": "Open in Excel",
        "cancel": "Cancel",
        "comment_line": "Comment: {}",
        "override": "Override",
        "comment_action": "Comment",
        "header": ["When", "Who", "What", "Shift", "Before", "After"],
        "bad_dates": "The end date cannot be before the start date.",
    },
    "fr": {
        "history": "Historique",
        "search_history": "Rechercher dans l'historique",
        "contact": "Contact",
        "from": "Du",
        "to": "Au",
        "search": "Rechercher",
        "pages": "Pages de l'historique",
        "older": "Changements plus anciens",
        "newer": "Changements plus récents",
        "page": "Page {} sur {}",
        "csv": "Télécharger en CSV",
        "excel": "Ouvrir dans Excel",
        "cancel": "Annuler",
        "comment_line": "Commentaire\u00a0: {}",
        "override": "Remplacement",
        "comment_action": "Commentaire",
        "header": ["Quand", "Qui", "Quoi", "Quart", "Avant", "Après"],
        "bad_dates": "La date de fin ne peut pas précéder la date de début.",
    },
}
NOTE = "Anthony au congrès"


@pytest.fixture
def world(make_account, make_user, request):
    """oncall_steps.World, plus on its first future shift Anthony (assigned), Luc over him
    for two days with a comment (its event dated five days ago at 23:30 in Toronto: the next
    day in UTC), and 60 comments on the second shift (the history then has two pages)."""
    world = World(make_account, make_user, request.param)
    s1, s2, _s3 = world.shifts
    services.assign(s1, world.anthony, actor=STAFF)
    services.override(
        s1, world.luc, s1.start, s1.start + dt.timedelta(days=2), actor=STAFF, comment=NOTE
    )
    event = ScheduleEvent.objects.filter(action="override").latest("id")
    world.day = timezone.now().astimezone(TORONTO).date() - dt.timedelta(days=5)
    event.at = dt.datetime.combine(world.day, dt.time(23, 30), tzinfo=TORONTO)
    event.save(update_fields=["at"])
    for n in range(60):
        services.comment(s2, f"note {n}", actor=STAFF)
    world.total = ScheduleEvent.objects.filter(schedule=world.main).count()
    return world


def body_rows(pg):
    return pg.locator("table.oc-history tbody tr")


def download(pg, name):
    with pg.expect_download() as info:
        pg.get_by_role("link", name=name, exact=True).click()
    return info.value.path().read_bytes()


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_an_override_comment_shows_in_the_table_a_dialog_and_the_pdf(
    world, phone, new_page, live_server, shoot, axe
):
    from pypdf import PdfReader

    w, h = world.words(), H[world.lang]
    s1 = world.shifts[0]
    name = f"oncall-override-comment-{world.lang}-{mode(phone)}"
    pg = open_on_call(new_page, live_server, world.lang, phone)
    go_to_the_future_month(pg, world)

    # The table's Comment column, once "Display Comment" is clicked.
    expect(row_of(pg, w, world.lbl(s1.start))).not_to_contain_text(NOTE)
    pg.get_by_role("link", name=w["display_comment"]).click()
    expect(row_of(pg, w, world.lbl(s1.start))).to_contain_text(NOTE)
    expect(row_of(pg, w, world.lbl(s1.start))).to_contain_text("Luc Lambert")
    shoot(pg, f"{name}-1-table")
    check(axe, pg, phone)

    # The UnAssign dialog lists the override with its comment.
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "unassign")
    expect(dialog).to_contain_text(h["comment_line"].format(NOTE))
    shoot(pg, f"{name}-2-unassign")
    check(axe, pg, phone)
    dialog.get_by_role("link", name=h["cancel"]).click()
    expect(pg.get_by_role("dialog")).to_be_hidden()

    # The Override dialog's summary of the shift names it too.
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "override")
    expect(dialog).to_contain_text(h["comment_line"].format(NOTE))
    check(axe, pg, phone)
    dialog.get_by_role("link", name=h["cancel"]).click()
    expect(pg.get_by_role("dialog")).to_be_hidden()

    # Save as PDF.
    data = download(pg, w["pdf"])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert NOTE in text, text


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_the_history_filtered_paged_and_exported(world, phone, new_page, live_server, shoot, axe):
    w, h = world.words(), H[world.lang]
    name = f"oncall-history-{world.lang}-{mode(phone)}"
    pg = open_on_call(new_page, live_server, world.lang, phone)
    pg.get_by_role("toolbar", name=w["actions"]).get_by_role(
        "link", name=h["history"], exact=True
    ).click()
    pg.wait_for_url("**/a/4000/oncall/history/**")
    form = pg.get_by_role("form", name=h["search_history"])
    expect(form).to_be_visible()

    # Page one: the newest 50 changes; "Older changes" to the rest.
    pages = pg.get_by_role("navigation", name=h["pages"])
    expect(pages).to_contain_text(h["page"].format(1, 2))
    expect(body_rows(pg)).to_have_count(50)
    expect(body_rows(pg).first).to_contain_text("note 59")
    shoot(pg, f"{name}-1-page-one")
    check(axe, pg, phone)
    pages.get_by_role("link", name=h["older"]).click()
    expect(pages).to_contain_text(h["page"].format(2, 2))
    expect(body_rows(pg)).to_have_count(world.total - 50)
    expect(pg.locator("table.oc-history")).to_contain_text(NOTE)
    check(axe, pg, phone)
    pages.get_by_role("link", name=h["newer"]).click()
    expect(pages).to_contain_text(h["page"].format(1, 2))

    # The end before the start: a message, and nothing filtered.
    day = world.day.isoformat()
    form.get_by_label(h["from"], exact=True).fill(day)
    form.get_by_label(h["to"], exact=True).fill((world.day - dt.timedelta(days=1)).isoformat())
    form.get_by_role("button", name=h["search"]).click()
    expect(form).to_contain_text(h["bad_dates"])
    expect(form.get_by_label(h["to"], exact=True)).to_have_attribute("aria-invalid", "true")
    expect(body_rows(pg)).to_have_count(50)
    check(axe, pg, phone)

    # Luc on the override's day (in Toronto; it is the next day in UTC): the override alone.
    form.get_by_label(h["contact"], exact=True).select_option(label="Luc Lambert")
    form.get_by_label(h["from"], exact=True).fill(day)
    form.get_by_label(h["to"], exact=True).fill(day)
    form.get_by_role("button", name=h["search"]).click()
    expect(body_rows(pg)).to_have_count(1)
    row = body_rows(pg).first
    expect(row).to_contain_text(h["override"])
    expect(row).to_contain_text(h["comment_line"].format(NOTE))
    expect(pg.get_by_role("navigation", name=h["pages"])).to_have_count(0)
    expect(form.get_by_label(h["from"], exact=True)).to_have_value(day)
    shoot(pg, f"{name}-2-filtered")
    check(axe, pg, phone)

    # The files hold what the filtered page holds, times in the account's zone.
    table = list(csv.reader(io.StringIO(download(pg, h["csv"]).decode("utf-8-sig"))))
    assert table[0] == h["header"]
    assert len(table) == 2, table
    assert table[1][0] == f"{day} 23:30:00"
    assert table[1][2] == h["override"] and NOTE in table[1][5]
    ws = load_workbook(io.BytesIO(download(pg, h["excel"]))).active
    values = [list(r) for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    data = values[values.index(h["header"]) + 1 :]
    assert len(data) == 1, values
    assert data[0][0] == dt.datetime.combine(world.day, dt.time(23, 30))
    assert data[0][2] == h["override"] and NOTE in data[0][5]

    # Luc over all time: also the staff's assignment of the shift on call now.
    form.get_by_label(h["from"], exact=True).fill("")
    form.get_by_label(h["to"], exact=True).fill("")
    form.get_by_role("button", name=h["search"]).click()
    expect(body_rows(pg)).to_have_count(2)
    table = list(csv.reader(io.StringIO(download(pg, h["csv"]).decode("utf-8-sig"))))
    assert len(table) == 3 and {r[2] for r in table[1:]} >= {h["override"]}
