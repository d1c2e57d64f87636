"""'Total hours assigned' counts the assigned time inside the period shown (issue 12, item 4):
the day, week or month in the account's zone and, with the Contact filter, that person's time,
in real hours (23 or 25 on a clock-change day). The seed's own example reads 16.50."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from portal.oncall import services
from tests.oncall.helpers import STAFF, contact, local, seed_schedule

pytestmark = pytest.mark.django_db
# The shifts are planned ahead: the services' clock reads 2023-01-01, before them (the past
# is history: a finished shift can no longer be assigned).
PLANNED = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def planned_ahead():
    with services.clock_at(PLANNED):
        yield


def total(client, **params) -> str:
    url = reverse("oncall", kwargs={"account_number": "4000"}) + "?" + urlencode(params)
    html = client.get(url).content.decode()
    shown = re.search(r'<p class="oc-total" data-total-hours="([^"]+)">(.*?)</p>', html, re.S)
    assert shown, "no 'Total hours assigned'"
    assert "Total hours assigned:" in shown.group(2)
    assert f"<strong>{shown.group(1)}</strong>" in shown.group(2)  # what a person reads
    return shown.group(1)


@pytest.fixture
def seed(account):
    """The seed's "01 Horaire", Anthony Giosi assigned to the second shift (5/01 – 5/08)."""
    schedule, first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=STAFF)
    return first, second, anthony, luc


def test_the_seeds_day_view_of_may_1_reads_16_50(member_client, seed):
    # 5/01 7:30 am to midnight: 16.5 hours of the week-long shift fall on that day.
    assert total(member_client, view="day", date="2023-05-01") == "16.50"
    assert total(member_client, view="day", date="2023-05-02") == "24.00"
    assert total(member_client, view="day", date="2023-05-08") == "7.50"
    assert total(member_client, view="day", date="2023-04-30") == "0.00"


def test_a_week_counts_only_its_own_days(member_client, seed):
    # The week of Sunday 4/30 to Saturday 5/06: 5/01 7:30 am to 5/07 midnight.
    assert total(member_client, view="week", date="2023-05-01") == "136.50"
    assert total(member_client, view="week", date="2023-05-07") == "31.50"


def test_a_month_counts_only_its_own_days(member_client, seed):
    first, _second, _anthony, luc = seed
    assert total(member_client, view="month", date="2023-05-01") == "168.00"
    services.assign(first, luc, actor=STAFF)
    # April holds 4/24 7:30 am to 5/01 midnight of the first shift; May its last 7.5 hours.
    assert total(member_client, view="month", date="2023-04-15") == "160.50"
    assert total(member_client, view="month", date="2023-05-15") == "175.50"


def test_the_contact_filter_counts_only_that_persons_time(member_client, seed):
    _first, second, anthony, luc = seed
    services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=STAFF)
    month = {"view": "month", "date": "2023-05-01"}
    assert total(member_client, **month) == "168.00"
    assert total(member_client, **month, contact=anthony.pk) == "120.00"
    assert total(member_client, **month, contact=luc.pk) == "48.00"
    day = {"view": "day", "date": "2023-05-02"}
    assert total(member_client, **day, contact=anthony.pk) == "0.00"
    assert total(member_client, **day, contact=luc.pk) == "24.00"
    assert total(member_client, view="day", date="2023-05-03", contact=anthony.pk) == "16.50"


@pytest.fixture
def across_changes(account):
    """Two assigned shifts, 7:30 to 7:30 over two days, around each clock change of 2023."""
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    anthony = contact(account, "a", "Anthony Giosi")
    for name, start, end in (
        ("spring", local(2023, 3, 11), local(2023, 3, 13)),
        ("fall", local(2023, 11, 4), local(2023, 11, 6)),
    ):
        shift, _ = services.upsert_shift(schedule, name, start=start, end=end, actor=STAFF)
        services.assign(shift, anthony, actor=STAFF)


def test_the_days_of_the_clock_changes_last_23_and_25_hours(member_client, across_changes):
    assert total(member_client, view="day", date="2023-03-12") == "23.00"
    assert total(member_client, view="day", date="2023-11-05") == "25.00"
    # 3/11 7:30 am to midnight (16.5), 3/13 midnight to 7:30 am (7.5): as on any day.
    assert total(member_client, view="day", date="2023-03-11") == "16.50"
    assert total(member_client, view="day", date="2023-03-13") == "7.50"
    # The two-day shifts lasted 47 and 49 real hours.
    assert total(member_client, view="month", date="2023-03-01") == "47.00"
    assert total(member_client, view="month", date="2023-11-01") == "49.00"


def test_french_reads_the_same_hours_with_a_comma(client, make_user, account, seed):
    client.force_login(make_user("fr", account, language="fr"))
    url = reverse("oncall", kwargs={"account_number": "4000"}) + "?view=day&date=2023-05-01"
    html = client.get(url).content.decode()
    assert 'data-total-hours="16.50"' in html
    assert "Total des heures assignées\u00a0: <strong>16,50</strong>" in html
