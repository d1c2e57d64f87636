"""The On Call page's Timeline view: one row per contact over the chosen day, week or month,
base shifts and overrides as layers with their times in text, each contact's hours (the same
totals as "Total hours assigned") and the gaps on their own row, time without shifts included."""

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


def get(client, **params) -> str:
    url = reverse("oncall", kwargs={"account_number": "4000"}) + "?" + urlencode(params)
    return client.get(url).content.decode()


def lines(html: str) -> dict[str, str]:
    """{row header: hours} of the timeline."""
    found = re.search(r'<section class="oc-timeline.*?</section>', html, re.S)
    assert found, "no timeline"
    return dict(
        re.findall(
            r'<th scope="row">([^<]+)</th>.*?<td class="num" data-hours="([^"]+)">', found[0], re.S
        )
    )


@pytest.fixture
def seed(account):
    """The seed's example: Anthony Giosi on the second shift, Luc Lambert overriding him from
    5/01 7:30 am to 5/03 7:30 am; the first shift (4/24 – 5/01) has nobody."""
    _schedule, first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=STAFF)
    services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=STAFF)
    return first, second, anthony, luc


def test_a_week_one_row_per_contact_with_hours_and_the_gaps(member_client, seed):
    html = get(member_client, view="timeline", span="week", date="2023-05-01")
    # Sunday 4/30 to Saturday 5/06: the first shift's 4/30 – 5/01 7:30 am is a gap.
    assert lines(html) == {
        "Anthony Giosi": "88.50",
        "Luc Lambert": "48.00",
        "Nobody on call": "31.50",
    }
    assert 'data-total-hours="136.50"' in html  # the rows' hours add up to the total
    assert "Base shift Rotation · OC: from 5/03 7:30 am to 5/08 7:30 am" in html
    assert "Override Rotation · OC: from 5/01 7:30 am to 5/03 7:30 am" in html
    assert "from 4/30 12:00 am to 5/01 7:30 am" in html  # the gap inside the week, in text
    assert html.count('class="tl-base"') == 1 and html.count('class="tl-override"') == 1
    assert html.count('class="tl-gap"') == 1
    # The view and its period are choices of the form (no JavaScript needed).
    assert '<option value="timeline" selected>Timeline</option>' in html
    assert '<option value="week" selected>Week</option>' in html


def test_a_day_and_a_month_and_time_without_shifts(member_client, seed):
    day = lines(get(member_client, view="timeline", span="day", date="2023-05-01"))
    assert day == {"Luc Lambert": "16.50", "Nobody on call": "7.50"}
    month = lines(get(member_client, view="timeline", span="month", date="2023-05-01"))
    # After 5/08 7:30 am no shift at all: a gap until the end of May, with the first 7.5 hours.
    assert month == {"Anthony Giosi": "120.00", "Luc Lambert": "48.00", "Nobody on call": "576.00"}


def test_the_contact_filter_keeps_that_persons_row(member_client, seed):
    _first, _second, anthony, luc = seed
    shown = lines(
        get(member_client, view="timeline", span="week", date="2023-05-01", contact=luc.pk)
    )
    assert shown == {"Luc Lambert": "48.00", "Nobody on call": "31.50"}
    shown = lines(
        get(member_client, view="timeline", span="day", date="2023-05-02", contact=anthony.pk)
    )
    assert shown == {"Anthony Giosi": "0.00", "Nobody on call": "0.00"}


def test_the_23_hour_day(member_client, account):
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    shift, _ = services.upsert_shift(
        schedule, "s", start=local(2023, 3, 11), end=local(2023, 3, 13), actor=STAFF
    )
    services.assign(shift, contact(account, "a", "Anthony Giosi"), actor=STAFF)
    shown = lines(get(member_client, view="timeline", span="day", date="2023-03-12"))
    assert shown == {"Anthony Giosi": "23.00", "Nobody on call": "0.00"}


def test_other_views_have_no_timeline_and_no_period_choice(member_client, seed):
    html = get(member_client, view="week", date="2023-05-01")
    assert "oc-timeline" not in html and 'name="span"' not in html


def test_in_french(client, make_user, account, seed):
    client.force_login(make_user("fr", account, language="fr"))
    html = get(client, view="timeline", span="week", date="2023-05-01")
    assert lines(html)["Personne de garde"] == "31.50"
    assert ">88,50<" in html
    assert "Quart de base Rotation · OC\u00a0: du 03/05 7h30 au 08/05 7h30" in html
    assert "Remplacement Rotation · OC\u00a0: du 01/05 7h30 au 03/05 7h30" in html
    assert "Chronologie" in html
