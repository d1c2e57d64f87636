"""The schedule's history: paged, filtered by shift, contact and date (the account's local
dates), exported as CSV and Excel with what the filtered page holds; override comments."""

import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.oncall import services
from portal.oncall.models import ScheduleEvent
from tests.oncall.helpers import STAFF, TORONTO, contact

pytestmark = pytest.mark.django_db


def url(name, **params):
    return reverse(name, kwargs={"account_number": "4000"}) + (
        "?" + urlencode(params) if params else ""
    )


@pytest.fixture
def world(account):
    """Two coming weekly shifts; Anthony, then Luc over him with a comment, on the first;
    Patrick on the second; each change dated on its own day (Toronto)."""
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    monday = timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=14)
    start = dt.datetime.combine(monday, dt.time(7, 30), tzinfo=TORONTO)
    week = dt.timedelta(days=7)
    first, _ = services.upsert_shift(schedule, "w1", start=start, end=start + week, actor=STAFF)
    second, _ = services.upsert_shift(
        schedule, "w2", start=start + week, end=start + 2 * week, actor=STAFF
    )
    anthony = contact(account, "anthony", "Anthony Giosi")
    luc = contact(account, "luc", "Luc Lambert")
    patrick = contact(account, "patrick", "Patrick Tremblay")
    services.assign(first, anthony, actor=STAFF, comment="Semaine d'Anthony")
    services.override(
        first, luc, start, start + dt.timedelta(days=2), actor=STAFF, comment="Anthony au congrès"
    )
    services.assign(second, patrick, actor=STAFF)
    # Date the events: created (schedule, shifts) on Nov 1; then Nov 2, 3 and 4 at 23:30 in
    # Toronto, i.e. the next day in UTC: the date filter must read the account's days.
    events = list(ScheduleEvent.objects.order_by("id"))
    for e in events[:-3]:
        e.at = dt.datetime(2026, 11, 1, 9, tzinfo=TORONTO)
        e.save(update_fields=["at"])
    for n, e in enumerate(events[-3:]):
        e.at = dt.datetime(2026, 11, 2 + n, 23, 30, tzinfo=TORONTO)
        e.save(update_fields=["at"])
    return schedule, first, second, anthony, luc, patrick


def rows(html):
    return html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")


def test_the_history_filters_by_contact_shift_and_local_date(member_client, world):
    _schedule, first, second, anthony, luc, patrick = world
    html = member_client.get(url("oncall_history")).content.decode()
    assert rows(html) == 6  # schedule, two shifts, assign, override, assign
    assert 'aria-label="Search the history"' in html
    for label in ("Shift", "Contact", "From", "To"):
        assert f">{label}</label>" in html
    html = member_client.get(url("oncall_history", contact=luc.pk)).content.decode()
    assert rows(html) == 1 and "Override" in html and "Anthony au congrès" in html
    html = member_client.get(url("oncall_history", contact=anthony.pk)).content.decode()
    # Anthony's assignment, and the override's "on call" before (Anthony) and after.
    assert rows(html) == 2 and "Patrick" not in html.split("<tbody>")[1]
    html = member_client.get(url("oncall_history", shift=second.pk)).content.decode()
    assert rows(html) == 2 and "Patrick Tremblay" in html  # created, assigned
    # Nov 3, 23:30 in Toronto is Nov 4 in UTC: it is on the account's Nov 3.
    html = member_client.get(url("oncall_history", start="2026-11-03", end="2026-11-03"))
    body = html.content.decode().split("<tbody>")[1]
    assert body.count("<tr>") == 1 and "Luc Lambert" in body
    html = member_client.get(url("oncall_history", start="2026-11-03")).content.decode()
    assert rows(html) == 2


def test_bad_dates_get_a_message_and_filter_nothing(member_client, world):
    html = member_client.get(url("oncall_history", start="2026-11-04", end="2026-11-02"))
    html = html.content.decode()
    assert "The end date cannot be before the start date." in html
    assert 'aria-invalid="true"' in html
    assert rows(html) == 6
    html = member_client.get(url("oncall_history", start="31/02/2026")).content.decode()
    assert "Enter a valid date." in html and rows(html) == 6
    r = member_client.get(url("oncall_history_csv", start="2026-11-04", end="2026-11-02"))
    assert r.status_code == 302 and "end=2026-11-02" in r["Location"]


def test_the_history_is_paged(member_client, world):
    _schedule, first, *_ = world
    for n in range(120):
        services.comment(first, f"note {n}", actor=STAFF)
    html = member_client.get(url("oncall_history")).content.decode()
    assert rows(html) == 50
    assert 'aria-label="Pages of the history"' in html and "Page 1 of 3" in html
    assert "note 119" in html and "note 69" not in html
    html = member_client.get(url("oncall_history", page=3)).content.decode()
    assert rows(html) == 26 and "Page 3 of 3" in html and "Newer changes" in html
    html = member_client.get(url("oncall_history", shift=first.pk, page=2)).content.decode()
    assert "shift=" in html.split('aria-label="Pages of the history"')[1]


def test_the_exports_hold_what_the_filtered_history_holds(member_client, world):
    _schedule, first, _second, anthony, luc, _patrick = world
    r = member_client.get(url("oncall_history_csv", contact=anthony.pk))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0] == ["When", "Who", "What", "Shift", "Before", "After"]
    assert [row[2] for row in table[1:]] == ["Override", "Assign"]
    # The time in the account's zone (23:30 on Nov 3 in Toronto, not 04:30 on Nov 4 UTC).
    assert table[1][0] == "2026-11-03 23:30:00"
    assert "Comment: Anthony au congrès" in table[1][5]
    r = member_client.get(url("oncall_history_xlsx", contact=anthony.pk))
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True) if any(row)]
    header = values.index(["When", "Who", "What", "Shift", "Before", "After"])
    data = values[header + 1 :]
    assert [row[2] for row in data] == ["Override", "Assign"]
    assert data[0][0] == dt.datetime(2026, 11, 3, 23, 30)
    assert not any(isinstance(v, str) and v.startswith("=") for row in values for v in row)


def test_a_cell_starting_with_equals_is_text_in_the_files(member_client, world):
    from portal.oncall.services import Actor

    _schedule, first, *_ = world
    services.comment(first, "a note", actor=Actor(name='=HYPERLINK("http://x")'))
    r = member_client.get(url("oncall_history_csv", shift=first.pk))
    assert "'=HYPERLINK" in r.content.decode("utf-8-sig")
    r = member_client.get(url("oncall_history_xlsx", shift=first.pk))
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)


def test_outsiders_get_404_for_the_page_and_the_files(outsider_client, anon_client, world):
    for name in ("oncall_history", "oncall_history_csv", "oncall_history_xlsx"):
        assert outsider_client.get(url(name)).status_code == 404
        assert anon_client.get(url(name)).status_code in (302, 404)


def test_french_history_and_files(member_client, world):
    member_client.cookies["django_language"] = "fr"
    _schedule, first, _second, anthony, luc, _patrick = world
    html = member_client.get(url("oncall_history"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rechercher dans l'historique" in html and ">Du</label>" in html
    r = member_client.get(url("oncall_history_csv", contact=luc.pk), HTTP_ACCEPT_LANGUAGE="fr")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][0] == "Quand" and table[1][2] == "Remplacement"


def test_override_comments_show_in_the_table_dialogs_and_pdf(member_client, world):
    from pypdf import PdfReader

    _schedule, first, *_ = world
    day = first.start.astimezone(TORONTO).date().isoformat()
    html = member_client.get(url("oncall", date=day, comments="1")).content.decode()
    assert "Anthony au congrès" in html and "Semaine d&#x27;Anthony" in html
    html = member_client.get(url("oncall_unassign", shift=first.pk)).content.decode()
    assert "Comment: Anthony au congrès" in html and "Comment: Semaine d&#x27;Anthony" in html
    html = member_client.get(url("oncall_override", shift=first.pk)).content.decode()
    assert "Comment: Anthony au congrès" in html
    r = member_client.get(url("oncall_pdf", date=day, view="month"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "Anthony au congrès" in text
