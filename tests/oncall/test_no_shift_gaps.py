"""Time with no shift at all is a gap (issue 12, item 2): in services.gaps (which the gap
alerts read), on the calendar and in the page's total of unassigned hours; DST-correct in
America/Toronto (the November change: 1:00-2:00 twice; March: 2:00-3:00 skipped). Dates lie
two years ahead, so that assigning is a client's action from now on, not a correction of the
past."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.oncall import alerts, page, services
from portal.oncall.services import Actor
from tests.oncall.helpers import TORONTO, contact, local

pytestmark = pytest.mark.django_db
ME = Actor(name="tester")
H = 3600


Y = dt.date.today().year + 2


def sunday(month: int, nth: int) -> dt.date:
    first = dt.date(Y, month, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))


JUN = dt.date(Y, 6, 1)
NOV = sunday(11, 1)  # the November change (first Sunday): a day of 25 hours
MAR = sunday(3, 2)  # the March change (second Sunday): a day of 23 hours


def at(day: dt.date, offset_days=0, h=0, mi=0) -> dt.datetime:
    d = day + dt.timedelta(days=offset_days)
    return local(d.year, d.month, d.day, h, mi)


def midnight(day: dt.date, offset_days=0) -> dt.datetime:
    return at(day, offset_days)


def hours(g) -> float:
    return (g.end - g.start).total_seconds() / H


@pytest.fixture
def schedule(account):
    s, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=ME)
    return s


@pytest.fixture
def anthony(account):
    return contact(account, "anthony", "Anthony Giosi")


def shift(schedule, sid, start, end, who=None, rank=0):
    s, _ = services.upsert_shift(schedule, sid, start=start, end=end, rank=rank, actor=ME)
    if who is not None:
        services.assign(s, who, actor=ME)
    return s


# --- services.gaps ----------------------------------------------------------------------


def test_the_november_weekend_gaps_include_the_hours_no_shift_covers(account, schedule, anthony):
    # Fri 8:00 - Sat 8:00 assigned; nothing Sat 8:00 - Sun 0:00; Sun (25 real hours) unassigned;
    # nothing on Monday.
    shift(schedule, "fri", at(NOV, -2, 8), at(NOV, -1, 8), anthony)
    sunday = shift(schedule, "sun", midnight(NOV), midnight(NOV, 1))
    found = services.gaps(account, midnight(NOV, -1), midnight(NOV, 2))
    assert [(g.no_shift, g.shift, hours(g)) for g in found] == [
        (True, None, 16.0),
        (False, sunday, 25.0),  # the repeated hour counts
        (True, None, 24.0),
    ]
    assert found[0].start == at(NOV, -1, 8) and found[0].end == midnight(NOV)
    assert found[-1].end == midnight(NOV, 2)  # clipped to the window asked for
    assert {g.schedule for g in found} == {schedule}


def test_the_march_weekend_gap_of_a_day_without_shifts_lasts_23_hours(account, schedule, anthony):
    shift(schedule, "sat", midnight(MAR, -1), midnight(MAR), anthony)
    shift(schedule, "mon", midnight(MAR, 1), midnight(MAR, 2), anthony)
    [gap] = services.gaps(account, midnight(MAR, -1), midnight(MAR, 2))
    assert gap.no_shift and hours(gap) == 23.0
    assert gap.start == midnight(MAR) and gap.end == midnight(MAR, 1)


def test_a_stretch_covered_by_any_shift_of_the_schedule_is_no_no_shift_gap(
    account, schedule, anthony
):
    # Two overlapping shifts (ranks 0 and 1) and a shift of another schedule: only the time
    # that no shift of *this* schedule covers is a no-shift gap; rank 1's emptiness is its own.
    shift(schedule, "a", at(JUN, 0, 0), at(JUN, 0, 12), anthony)
    backup = shift(schedule, "b", at(JUN, 0, 6), at(JUN, 0, 18), rank=1)
    other, _ = services.upsert_schedule(account, "02", "02 Fin de semaine", actor=ME)
    shift(other, "all", midnight(JUN), midnight(JUN, 1), anthony)
    found = services.gaps(account, midnight(JUN), midnight(JUN, 1))
    assert [
        (g.schedule.name, g.shift, g.start.astimezone(TORONTO).hour, hours(g)) for g in found
    ] == [
        ("01 Horaire", backup, 6, 12.0),
        ("01 Horaire", None, 18, 6.0),
    ]


def test_a_removed_schedule_and_an_account_without_schedules_have_no_gaps(
    account, other_account, schedule
):
    window = (midnight(JUN), midnight(JUN, 7))
    assert [g.no_shift for g in services.gaps(account, *window)] == [True]
    services.delete_schedule(schedule, actor=ME)
    assert services.gaps(account, *window) == []
    assert services.gaps(other_account, *window) == []  # no on-call service: nothing to alert


def test_the_gap_alerts_name_the_time_without_a_shift(account, schedule, anthony):
    shift(schedule, "a", midnight(JUN), midnight(JUN, 1), anthony)
    lines = alerts.gap_lines(account, midnight(JUN), at(JUN, 1, 8))
    assert lines[0] == f"- 01 Horaire · no shift: 6/02/{Y} 12:00 am – 6/02/{Y} 8:00 am"
    assert len([line for line in lines if line.startswith("- ")]) == 1


def test_an_alert_goes_out_for_a_coming_week_without_shifts(account, make_user, mailoutbox):
    # mailoutbox: pytest-django's locmem outbox
    services.upsert_schedule(account, "01", "01 Horaire", actor=ME)
    make_user("boss", account, email="boss@example.com")
    sent = alerts.send_gap_alerts(days=7)
    assert sent == [("4000", ["boss@example.com"])]
    assert "no shift" in mailoutbox[0].body


def test_no_alert_for_an_account_without_schedules(account, make_user, mailoutbox):
    make_user("boss", account, email="boss@example.com")
    unreached: list = []
    assert alerts.send_gap_alerts(days=7, unreached=unreached) == []
    assert mailoutbox == [] and unreached == []


# --- The calendar and the total of unassigned hours -------------------------------------


def grid_of(schedule, day):
    grid = page.month_grid(schedule, day, TORONTO, day)
    return {d.date: d.coverage for week in grid for d in week}


def test_days_without_shifts_are_red_and_a_part_covered_day_is_yellow(schedule, anthony):
    shift(schedule, "a", at(JUN, 4), at(JUN, 5, 12), anthony)
    days = grid_of(schedule, JUN)
    assert days[JUN + dt.timedelta(days=4)] == page.FULL
    assert days[JUN + dt.timedelta(days=5)] == page.PARTIAL  # noon to midnight: no shift
    assert days[JUN + dt.timedelta(days=3)] == page.NONE
    assert days[JUN + dt.timedelta(days=19)] == page.NONE
    assert days[min(days)] == days[max(days)] == page.NONE  # the days of other months too


def test_a_day_is_coloured_by_its_real_hours_on_both_changes(schedule, anthony):
    # 24 real hours from midnight: one hour short of 11/05 (25 h); one hour into 3/11 after 3/10.
    day, real_24h = dt.timedelta(days=1), dt.timedelta(hours=24)
    # (aware datetimes add wall-clock time in Python: go through UTC for real hours)
    shift(schedule, "nov", midnight(NOV), midnight(NOV).astimezone(dt.UTC) + real_24h, anthony)
    days = grid_of(schedule, NOV)
    assert days[NOV] == page.PARTIAL
    assert days[NOV + day] == page.NONE
    shift(schedule, "mar", midnight(MAR), midnight(MAR).astimezone(dt.UTC) + real_24h, anthony)
    days = grid_of(schedule, MAR)
    assert days[MAR] == page.FULL
    assert days[MAR + day] == page.PARTIAL


def test_without_a_schedule_no_day_is_coloured():
    days = grid_of(None, JUN)
    assert set(days.values()) == {""}


def oncall_url(**params):
    from urllib.parse import urlencode

    return reverse("oncall", kwargs={"account_number": "4000"}) + "?" + urlencode(params)


def test_the_page_totals_the_unassigned_hours_no_shift_included(member_client, schedule, anthony):
    shift(schedule, "a", at(NOV, 0, 8), at(NOV, 0, 14), anthony)
    shift(schedule, "b", at(NOV, 0, 14), at(NOV, 0, 16))
    html = member_client.get(oncall_url(view="day", date=NOV.isoformat())).content.decode()
    # 25 real hours, 6 of them covered: 2 unassigned + 17 without a shift.
    assert 'data-unassigned-hours="19.00"' in html and "Total hours unassigned:" in html
    assert f'data-date="{NOV}" data-coverage="partial"' in html
    assert f'data-date="{NOV + dt.timedelta(days=1)}" data-coverage="none"' in html
    html = member_client.get(oncall_url(view="day", date=MAR.isoformat())).content.decode()
    assert 'data-unassigned-hours="23.00"' in html
    html = member_client.get(oncall_url(view="month", date=NOV.isoformat())).content.decode()
    assert 'data-unassigned-hours="715.00"' in html  # 30 days + 1 hour, less 6 hours


def test_the_french_page_says_it_too(member_client, member, schedule):
    member.language = "fr"
    member.save()
    html = member_client.get(oncall_url(view="day", date=NOV.isoformat())).content.decode()
    assert "Total des heures non assignées\u00a0:" in html
    assert 'data-unassigned-hours="25.00"' in html


def test_the_coverage_table_lists_the_time_without_shifts_in_red(member_client, schedule, anthony):
    shift(schedule, "a", at(NOV, 0, 8), at(NOV, 0, 14), anthony)
    html = member_client.get(oncall_url(view="day", date=NOV.isoformat(), coverage="1"))
    html = html.content.decode()
    table = html[html.index('id="coverage-title"') :]
    rows = table[: table.index("</table>")].split("<tr")[2:]  # after the head
    assert len(rows) == 3
    assert 'class="gap"' in rows[0] and "No shift" in rows[0]  # midnight to 8:00 am
    assert 'class=""' in rows[1] and "Anthony Giosi" in rows[1] and "Assignment" in rows[1]
    assert 'class="gap"' in rows[2] and "No shift" in rows[2]  # 2:00 pm to midnight


def test_the_pdf_gives_the_unassigned_hours_too(member_client, schedule, anthony):
    import io

    from pypdf import PdfReader

    shift(schedule, "a", at(NOV, 0, 8), at(NOV, 0, 14), anthony)
    r = member_client.get(
        reverse("oncall_pdf", kwargs={"account_number": "4000"})
        + "?"
        + (f"view=day&date={NOV.isoformat()}")
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "Total hours unassigned: 19.00" in text  # 25 real hours, 6 assigned
