"""A contact's calendar feed publishes a shift the contact lost as cancelled: the same UID,
a higher SEQUENCE, STATUS:CANCELLED, for 30 days after the shift's end (parsed with
icalendar, read through the secret link)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from portal.oncall import feeds, services
from tests.oncall.helpers import STAFF, TORONTO, contact

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(account):
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    monday = timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=10)
    start = dt.datetime.combine(monday, dt.time(7, 30), tzinfo=TORONTO)
    s1, _ = services.upsert_shift(schedule, "w1", start=start, end=start + 7 * DAY, actor=STAFF)
    s2, _ = services.upsert_shift(
        schedule, "w2", start=start + 7 * DAY, end=start + 14 * DAY, actor=STAFF
    )
    luc = contact(account, "luc", "Luc Lambert")
    anthony = contact(account, "anthony", "Anthony Giosi")
    return s1, s2, luc, anthony


def read(client, feed):
    response = client.get(reverse("oncall_ical", kwargs={"token": feed.token}))
    assert response.status_code == 200
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def uid(shift, person, start=None):
    suffix = "" if start is None else f"-{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    return f"shift-{shift.pk}-contact-{person.pk}{suffix}@oncall"


def assert_cancelled(event, before):
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) > int(before["sequence"])
    assert event["dtstart"].dt == before["dtstart"].dt
    assert event["dtend"].dt == before["dtend"].dt


def test_an_unassigned_shift_is_published_cancelled(client, world):
    s1, _s2, luc, _anthony = world
    services.assign(s1, luc, actor=STAFF)
    feed = feeds.rotate(s1.schedule.account, contact=luc)
    before = read(client, feed)
    assert str(before[uid(s1, luc)]["status"]) == "CONFIRMED"
    services.unassign(s1, actor=STAFF)
    after = read(client, feed)
    assert set(after) == {uid(s1, luc)}
    assert_cancelled(after[uid(s1, luc)], before[uid(s1, luc)])
    # Assigned again: the same event comes back, confirmed, with a higher SEQUENCE still.
    services.assign(s1, luc, actor=STAFF)
    again = read(client, feed)[uid(s1, luc)]
    assert str(again["status"]) == "CONFIRMED"
    assert int(again["sequence"]) > int(after[uid(s1, luc)]["sequence"])


def test_a_shift_overridden_whole_is_published_cancelled(client, world):
    s1, _s2, luc, anthony = world
    services.assign(s1, luc, actor=STAFF)
    feed = feeds.rotate(s1.schedule.account, contact=luc)
    before = read(client, feed)
    services.override(s1, anthony, s1.start, s1.end, actor=STAFF)
    after = read(client, feed)
    assert_cancelled(after[uid(s1, luc)], before[uid(s1, luc)])
    # Anthony's own feed has the shift, confirmed.
    theirs = read(client, feeds.rotate(s1.schedule.account, contact=anthony))
    assert str(theirs[uid(s1, anthony)]["status"]) == "CONFIRMED"


def test_a_stretch_overridden_whole_is_cancelled_and_the_rest_stays(client, world):
    s1, _s2, luc, anthony = world
    services.assign(s1, luc, actor=STAFF)
    services.override(s1, anthony, s1.start + DAY, s1.start + 2 * DAY, actor=STAFF)
    feed = feeds.rotate(s1.schedule.account, contact=luc)
    before = read(client, feed)
    second = uid(s1, luc, s1.start + 2 * DAY)
    assert set(before) == {uid(s1, luc), second}
    services.override(s1, anthony, s1.start + 2 * DAY, s1.end, actor=STAFF)
    after = read(client, feed)
    assert_cancelled(after[second], before[second])
    first = after[uid(s1, luc)]
    assert str(first["status"]) == "CONFIRMED" and first["dtend"].dt == s1.start + DAY


def test_a_shift_swapped_away_is_cancelled_and_the_new_one_confirmed(client, world):
    s1, s2, luc, anthony = world
    services.assign(s1, luc, actor=STAFF)
    services.assign(s2, anthony, actor=STAFF)
    feed = feeds.rotate(s1.schedule.account, contact=luc)
    before = read(client, feed)
    services.swap(s1, s2, actor=STAFF)
    after = read(client, feed)
    assert_cancelled(after[uid(s1, luc)], before[uid(s1, luc)])
    assert str(after[uid(s2, luc)]["status"]) == "CONFIRMED"


def test_a_lost_shift_stays_cancelled_for_30_days_after_its_end(world):
    s1, _s2, luc, _anthony = world
    services.assign(s1, luc, actor=STAFF)
    services.unassign(s1, actor=STAFF)
    feed = feeds.rotate(s1.schedule.account, contact=luc)

    def uids(now):
        return {str(e["uid"]) for e in Calendar.from_ical(feeds.build(feed, now)).walk("VEVENT")}

    assert uids(s1.end + 29 * DAY) == {uid(s1, luc)}
    assert uids(s1.end + 31 * DAY) == set()


def test_a_contact_never_on_a_shift_gets_no_event_for_it(client, world):
    s1, s2, luc, anthony = world
    services.assign(s1, anthony, actor=STAFF)
    services.unassign(s1, actor=STAFF)
    assert read(client, feeds.rotate(s1.schedule.account, contact=luc)) == {}
