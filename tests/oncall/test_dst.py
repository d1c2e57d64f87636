"""America/Toronto clock changes: 7:30 to 7:30 lasts 23 or 25 real hours, and counts so."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.oncall import page, services
from portal.oncall.services import Actor
from tests.oncall.helpers import TORONTO, contact, local

pytestmark = pytest.mark.django_db
ME = Actor(name="tester")


@pytest.fixture
def schedule(account):
    s, _ = services.upsert_schedule(account, "01", "01 Horaire")
    return s


def test_a_shift_across_the_spring_change_lasts_23_hours(member_client, account, schedule):
    # 2023-03-12: clocks go from 2:00 to 3:00 in Toronto.
    shift, _ = services.upsert_shift(
        schedule, "spring", start=local(2023, 3, 11), end=local(2023, 3, 12)
    )
    assert shift.end - shift.start == dt.timedelta(hours=23)
    services.assign(shift, contact(account, "a", "Anthony Giosi"), actor=ME)
    html = member_client.get(
        reverse("oncall", kwargs={"account_number": "4000"}) + "?view=month&date=2023-03-11"
    ).content.decode()
    assert 'data-total-hours="23.00"' in html


def test_a_shift_across_the_fall_change_lasts_25_hours(member_client, account, schedule):
    # 2023-11-05: clocks go from 2:00 back to 1:00.
    shift, _ = services.upsert_shift(
        schedule, "fall", start=local(2023, 11, 4), end=local(2023, 11, 5)
    )
    services.assign(shift, contact(account, "a", "Anthony Giosi"), actor=ME)
    html = member_client.get(
        reverse("oncall", kwargs={"account_number": "4000"}) + "?view=month&date=2023-11-04"
    ).content.decode()
    assert 'data-total-hours="25.00"' in html
    assert "11/04 7:30 am" in html and "11/05 7:30 am" in html


def test_weekly_copies_stay_at_7_30_local_across_the_change(account, schedule):
    first, _ = services.upsert_shift(
        schedule, "w0", start=local(2023, 2, 27), end=local(2023, 3, 6)
    )
    copies = services.copy_shifts([first], days=7, times=3)
    starts = [c.start.astimezone(TORONTO) for c in copies]
    assert [(s.month, s.day, s.hour, s.minute) for s in starts] == [
        (3, 6, 7, 30),
        (3, 13, 7, 30),
        (3, 20, 7, 30),
    ]
    week_across = copies[0]  # 3/06 – 3/13, across 3/12
    assert week_across.end - week_across.start == dt.timedelta(days=7, hours=-1)


def test_recurring_assignment_follows_the_series_across_the_change(account, schedule):
    anthony = contact(account, "a", "Anthony Giosi")
    first, _ = services.upsert_shift(
        schedule, "w0", start=local(2023, 2, 27), end=local(2023, 3, 6)
    )
    services.copy_shifts([first], days=7, times=4)
    other_time, _ = services.upsert_shift(
        schedule, "x", start=local(2023, 3, 13, 8, 0), end=local(2023, 3, 14, 8, 0)
    )
    changed = services.assign(first, anthony, actor=ME, recurring_until=dt.date(2023, 3, 20))
    assert [s.start.astimezone(TORONTO).date() for s in changed] == [
        dt.date(2023, 2, 27),
        dt.date(2023, 3, 6),
        dt.date(2023, 3, 13),
        dt.date(2023, 3, 20),
    ]
    assert other_time not in changed


def test_the_day_of_the_change_is_coloured_by_its_real_hours(account, schedule):
    # A shift of exactly the 23-hour day 3/12, assigned: that day is full, its neighbours untouched.
    shift, _ = services.upsert_shift(
        schedule, "s", start=local(2023, 3, 12, 0, 0), end=local(2023, 3, 13, 0, 0)
    )
    services.assign(shift, contact(account, "a", "Anthony Giosi"), actor=ME)
    grid = page.month_grid(schedule, dt.date(2023, 3, 12), TORONTO, dt.date(2023, 3, 1))
    days = {d.date: d.coverage for week in grid for d in week}
    assert days[dt.date(2023, 3, 12)] == page.FULL
    assert days[dt.date(2023, 3, 13)] == page.NONE
    assert days[dt.date(2023, 3, 11)] == page.NONE


def test_an_override_at_a_time_that_does_not_exist_is_refused(member_client, account, schedule):
    shift, _ = services.upsert_shift(
        schedule, "spring", start=local(2023, 3, 11), end=local(2023, 3, 12)
    )
    luc = contact(account, "l", "Luc Lambert")
    url = reverse("oncall_override", kwargs={"account_number": "4000"})
    r = member_client.post(
        url,
        {
            "shift": shift.pk,
            "contact": luc.pk,
            "start": "2023-03-12T02:30",
            "end": "2023-03-12T05:00",
        },
    )
    assert "2:30 does not exist on March 12: the clocks go from 2:00 to 3:00." in r.content.decode()
    assert not shift.assignments.exists()
