"""What leaves the portal: iCal feeds behind secret links, and gap alerts by e-mail."""

import datetime as dt
import socket
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from portal.oncall import feeds, services
from portal.oncall.services import Actor
from tests.oncall.helpers import seed_schedule

pytestmark = pytest.mark.django_db
ME = Actor(name="tester")


def events(response):
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_a_schedule_feed_applies_overrides_and_keeps_uids_stable(client, account):
    schedule, first, second, anthony, luc = seed_schedule(account)
    feed = feeds.rotate(account, schedule=schedule)
    url = reverse("oncall_ical", kwargs={"token": feed.token})
    services.assign(second, anthony, actor=ME)
    now = dt.datetime(2023, 5, 2, tzinfo=dt.UTC)
    cal = Calendar.from_ical(feeds.build(feed, now=now))
    before = {str(e["uid"]): str(e["summary"]) for e in cal.walk("VEVENT")}
    services.override(second, luc, second.start, second.start + dt.timedelta(days=2), actor=ME)
    cal = Calendar.from_ical(feeds.build(feed, now=now))
    after = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(after) == set(before)  # same UIDs
    assert "Luc Lambert" in str(after[f"shift-{second.pk}@oncall"]["summary"])
    assert "Anthony Giosi" in str(after[f"shift-{second.pk}@oncall"]["summary"])
    services.set_clock(now)  # removed on the day the feed is read (the test's clock moves on)
    services.delete_shift(first, actor=ME)
    cal = Calendar.from_ical(feeds.build(feed, now=now))
    cancelled = {str(e["uid"]): str(e["status"]) for e in cal.walk("VEVENT")}
    assert cancelled[f"shift-{first.pk}@oncall"] == "CANCELLED"
    assert client.get(url).status_code == 200


def test_a_contact_feed_lists_that_contacts_time_on_call(account):
    _schedule, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.override(second, luc, second.start, second.start + dt.timedelta(days=2), actor=ME)
    feed = feeds.rotate(account, contact=luc)
    cal = Calendar.from_ical(feeds.build(feed, now=dt.datetime(2023, 5, 2, tzinfo=dt.UTC)))
    [event] = cal.walk("VEVENT")
    assert event["dtstart"].dt == second.start
    assert event["dtend"].dt == second.start + dt.timedelta(days=2)


def test_a_contact_feed_has_one_event_per_stretch_on_call(account):
    _schedule, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, luc, actor=ME)
    day = dt.timedelta(days=1)
    # Anthony covers two separate parts of Luc's week: Luc is on call three times.
    services.override(second, anthony, second.start + day, second.start + 2 * day, actor=ME)
    services.override(second, anthony, second.start + 4 * day, second.start + 5 * day, actor=ME)
    now = dt.datetime(2023, 5, 2, tzinfo=dt.UTC)
    for contact, expected in (
        (anthony, [(1, 2), (4, 5)]),
        (luc, [(0, 1), (2, 4), (5, 7)]),
    ):
        cal = Calendar.from_ical(feeds.build(feeds.rotate(account, contact=contact), now=now))
        got = sorted((e["dtstart"].dt, e["dtend"].dt) for e in cal.walk("VEVENT"))
        assert got == [(second.start + a * day, second.start + b * day) for a, b in expected]
        uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
        assert len(set(uids)) == len(uids)
        assert f"shift-{second.pk}-contact-{contact.pk}@oncall" in uids


def test_a_removed_shift_cancels_every_stretch_a_contact_feed_published(account):
    _schedule, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, luc, actor=ME)
    day = dt.timedelta(days=1)
    services.override(second, anthony, second.start + day, second.start + 2 * day, actor=ME)
    feed = feeds.rotate(account, contact=luc)
    now = dt.datetime(2023, 5, 2, tzinfo=dt.UTC)
    published = {
        str(e["uid"]) for e in Calendar.from_ical(feeds.build(feed, now=now)).walk("VEVENT")
    }
    assert len(published) == 2
    services.delete_shift(second, actor=ME)
    after = Calendar.from_ical(feeds.build(feed, now=now)).walk("VEVENT")
    assert {str(e["uid"]): str(e["status"]) for e in after} == {
        uid: "CANCELLED" for uid in published
    }


def test_rotating_a_link_stops_the_old_one(member_client, client, account):
    schedule, *_ = seed_schedule(account)
    links = reverse("oncall_feeds", kwargs={"account_number": "4000"})
    member_client.post(links, {"kind": "schedule", "target": "01"})
    old = schedule.feeds.get(revoked_at=None)
    member_client.post(links, {"kind": "schedule", "target": "01"})
    new = schedule.feeds.get(revoked_at=None)
    assert old.token != new.token
    assert client.get(reverse("oncall_ical", kwargs={"token": old.token})).status_code == 404
    assert client.get(reverse("oncall_ical", kwargs={"token": new.token})).status_code == 200
    assert new.token in member_client.get(links).content.decode()


def test_an_outsider_cannot_make_links_for_this_account(outsider_client, account):
    seed_schedule(account)
    links = reverse("oncall_feeds", kwargs={"account_number": "4000"})
    assert outsider_client.post(links, {"kind": "schedule", "target": "01"}).status_code == 404


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield received
    controller.stop()


def test_gap_alerts_go_to_the_client_admins_and_say_where(smtp_server, make_user, account, capsys):
    from portal.accounts.models import Membership

    schedule, *_ = seed_schedule(account)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    services.upsert_shift(
        schedule, "soon", start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=2)
    )
    make_user("boss", account, email="boss@example.com")
    make_user("clerk", account, role=Membership.USER, email="clerk@example.com")
    call_command("oncall_gap_alerts")
    for _ in range(50):
        if smtp_server:
            break
        time.sleep(0.05)
    [mail] = smtp_server
    assert mail["To"] == "boss@example.com"
    body = mail.get_payload(decode=True).decode()
    assert "01 Horaire" in body and "Rotation OC (0)" in body
    assert "1 alert(s) sent." in capsys.readouterr().out


def test_gap_alerts_say_when_no_admin_can_be_told(smtp_server, make_user, account, capsys):
    schedule, *_ = seed_schedule(account)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    services.upsert_shift(
        schedule, "soon", start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=2)
    )
    make_user("boss", account)  # no e-mail address
    call_command("oncall_gap_alerts")
    out = capsys.readouterr()
    assert "4000: unassigned time ahead, but no client admin" in out.err
    assert "0 alert(s) sent." in out.out and smtp_server == []


def test_no_alert_when_the_next_week_is_covered(smtp_server, make_user, account):
    # Time without any shift is a gap too: the next 7 days need a shift with someone on it.
    schedule, _a, _b, anthony, _luc = seed_schedule(account)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    shift, _ = services.upsert_shift(
        schedule, "week", start=now - dt.timedelta(hours=1), end=now + dt.timedelta(days=8)
    )
    services.assign(shift, anthony, actor=ME)
    make_user("boss", account, email="boss@example.com")
    call_command("oncall_gap_alerts")
    assert smtp_server == []
