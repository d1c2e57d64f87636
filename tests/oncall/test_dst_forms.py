"""DST in the Override dialog (America/Toronto, 2027): the November hour that repeats asks
which one, the March hour that the clocks skip says so, and the table shows the offsets on
the day of a change. The dialog posted as the browser posts it without JavaScript."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from portal.dates import SkippedTime, local_instant
from portal.oncall import services
from portal.oncall.models import Assignment
from tests.oncall.helpers import TORONTO, contact

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def schedule(account):
    s, _ = services.upsert_schedule(account, "01", "01 Horaire")
    return s


@pytest.fixture
def fall(schedule):
    """A shift over the night the clocks go back: 11/06 7:30 pm – 11/07 7:30 am."""
    shift, _ = services.upsert_shift(
        schedule,
        "fall",
        start=dt.datetime(2027, 11, 6, 19, 30, tzinfo=TORONTO),
        end=dt.datetime(2027, 11, 7, 7, 30, tzinfo=TORONTO),
    )
    return shift


def words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def post_override(client, shift, who, start, end, **extra):
    url = reverse("oncall_override", kwargs={"account_number": "4000"})
    data = {"shift": shift.pk, "version": shift.version, "contact": who.pk}
    data.update(start=start, end=end, **extra)
    return client.post(url, data)


def test_the_repeated_hour_asks_which_one_and_saves_the_chosen(member_client, account, fall):
    luc = contact(account, "l", "Luc Lambert")
    r = post_override(member_client, fall, luc, "2027-11-07T01:30", "2027-11-07T07:30")
    text = words(r)
    assert "1:30 occurs twice on November 7 (the clocks go back an hour): choose which." in text
    assert "first 1:30 (EDT)" in text and "second 1:30 (EST)" in text
    html = r.content.decode()
    assert (
        'name="start_which" value="first"' in html and 'name="start_which" value="second"' in html
    )
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()

    r = post_override(
        member_client, fall, luc, "2027-11-07T01:30", "2027-11-07T07:30", start_which="second"
    )
    assert r.status_code == 302, words(r)[:2000]
    o = Assignment.objects.get(kind=Assignment.OVERRIDE)
    assert o.start == dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 1:30 EST
    services.unassign_override(o, actor=services.Actor(name="tester"))
    fall.refresh_from_db()
    post_override(
        member_client, fall, luc, "2027-11-07T01:30", "2027-11-07T07:30", start_which="first"
    )
    o = Assignment.objects.filter(kind=Assignment.OVERRIDE, revoked_at=None).get()
    assert o.start == dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 1:30 EDT, an hour earlier


def test_a_dialog_on_a_repeated_hour_sends_its_own_choice(member_client, account, schedule):
    # A shift that starts at the second 1:30: the dialog's defaults say so, and saving them
    # as they are makes an override from that very instant.
    start = dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    shift, _ = services.upsert_shift(schedule, "s2", start=start, end=start + dt.timedelta(hours=6))
    url = reverse("oncall_override", kwargs={"account_number": "4000"})
    html = member_client.get(url, {"shift": shift.pk}).content.decode()
    assert re.search(r'name="start_which" value="second" checked', html), html
    assert 'name="end_which"' not in html  # 7:30 am is not repeated
    luc = contact(account, "l", "Luc Lambert")
    r = post_override(
        member_client, shift, luc, "2027-11-07T01:30", "2027-11-07T07:30", start_which="second"
    )
    assert r.status_code == 302
    assert Assignment.objects.get(kind=Assignment.OVERRIDE).start == start


def test_the_skipped_march_hour_says_so(member_client, account, schedule):
    shift, _ = services.upsert_shift(
        schedule,
        "spring",
        start=dt.datetime(2027, 3, 13, 19, 30, tzinfo=TORONTO),
        end=dt.datetime(2027, 3, 14, 7, 30, tzinfo=TORONTO),
    )
    luc = contact(account, "l", "Luc Lambert")
    r = post_override(member_client, shift, luc, "2027-03-13T22:00", "2027-03-14T02:30")
    assert "2:30 does not exist on March 14: the clocks go from 2:00 to 3:00." in words(r)
    assert 'aria-invalid="true"' in r.content.decode()
    assert not Assignment.objects.exists()


def test_the_skipped_hour_in_french(client, make_user, account, schedule):
    user = make_user("marie", account, language="fr")
    client.force_login(user)
    shift, _ = services.upsert_shift(
        schedule,
        "spring",
        start=dt.datetime(2027, 3, 13, 19, 30, tzinfo=TORONTO),
        end=dt.datetime(2027, 3, 14, 7, 30, tzinfo=TORONTO),
    )
    luc = contact(account, "l", "Luc Lambert")
    r = post_override(client, shift, luc, "2027-03-14T02:30", "2027-03-14T05:00")
    text = words(r).replace("\u00a0", " ")
    assert "2h30 n’existe pas le 14 mars : les horloges passent de 2h00 à 3h00." in text


def test_the_helper_finds_the_change_in_any_zone():
    # Lord Howe moves its clocks by half an hour: 2:00 to 2:30 on 2027-10-03.
    zone = __import__("zoneinfo").ZoneInfo("Australia/Lord_Howe")
    with pytest.raises(SkippedTime) as refused:
        local_instant(dt.datetime(2027, 10, 3, 2, 15), zone)
    assert "the clocks go from 2:00 to 2:30" in str(refused.value.message)
    assert local_instant(dt.datetime(2027, 7, 1, 9, 0), TORONTO).utcoffset() == dt.timedelta(
        hours=-4
    )


def test_times_on_a_change_day_show_their_offset(member_client, account, schedule):
    first = dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 1:30 am EDT
    second = dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 1:30 am EST
    services.upsert_shift(schedule, "a", start=first, end=second)
    services.upsert_shift(schedule, "b", start=second, end=second + dt.timedelta(hours=6))
    services.upsert_shift(
        schedule,
        "c",
        start=dt.datetime(2027, 11, 8, 7, 30, tzinfo=TORONTO),
        end=dt.datetime(2027, 11, 9, 7, 30, tzinfo=TORONTO),
    )
    url = reverse("oncall", kwargs={"account_number": "4000"})
    text = words(member_client.get(url, {"view": "week", "date": "2027-11-07"}))
    assert "11/07 1:30 am EDT" in text and "11/07 1:30 am EST" in text
    assert "11/07 7:30 am EST" in text
    assert "11/08 7:30 am" in text and "11/08 7:30 am EST" not in text  # no change that day
