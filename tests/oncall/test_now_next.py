"""On call now AND next (issue 12): for each role, who is on call now, until the hand-over, who
is next and from when; on the On Call page and, compactly with tap-to-call and SMS links, on the
home page. Read from the stored intervals (services.on_call_at, services.next_on_call)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.oncall import page, services
from tests.oncall.helpers import STAFF, TORONTO, contact

pytestmark = pytest.mark.django_db


def block(client, name="oncall") -> str:
    html = client.get(reverse(name, kwargs={"account_number": "4000"})).content.decode()
    found = re.search(r'<section class="oc-now[ "].*?</section>', html, re.S)
    assert found, "no 'On call now' block"
    return found.group(0)


def label(value: dt.datetime, lang="en") -> str:
    with translation.override(lang):
        return page.fmt(value, TORONTO)


def text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def week(account):
    """Three shifts in a row in role OC: Anthony now (started an hour ago), Anthony again,
    then Luc Lambert; each two days long."""
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    anthony = contact(
        account, "anthony", "Anthony Giosi", phone1="514 555-0101", sms="514 555 0199"
    )
    luc = contact(account, "luc", "Luc Lambert", phone1="514 555 0102")
    start = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    shifts = []
    for n, who in enumerate((anthony, anthony, luc)):
        s0 = start + dt.timedelta(days=2 * n)
        shift, _ = services.upsert_shift(
            schedule, f"s{n}", start=s0, end=s0 + dt.timedelta(days=2), actor=STAFF, role="OC"
        )
        services.assign(shift, who, actor=STAFF)
        shifts.append(shift)
    return schedule, shifts, anthony, luc


def test_the_next_person_and_the_hand_over(member_client, week):
    _schedule, shifts, _anthony, _luc = week
    shown = text(block(member_client))
    handover = label(shifts[1].end)  # Anthony holds two shifts in a row
    assert f"Anthony Giosi until {handover}" in shown
    assert f"Next: Luc Lambert from {handover}" in shown


def test_after_the_last_shift_nobody_is_next(member_client, week):
    _schedule, shifts, _anthony, luc = week
    services.assign(shifts[2], contact(luc.account, "x", "Xavier"), actor=STAFF)
    services.unassign(shifts[2], actor=STAFF)
    shown = text(block(member_client))
    assert f"Next: Nobody from {label(shifts[1].end)}" in shown
    shifts[2].delete()
    shown = text(block(member_client))
    assert f"Next: Nobody from {label(shifts[1].end)}" in shown  # no shift at all: a gap


def test_a_coming_override_is_next(member_client, week):
    _schedule, shifts, _anthony, luc = week
    soon = timezone.now() + dt.timedelta(hours=3)
    services.override(shifts[0], luc, soon, soon + dt.timedelta(hours=2), actor=STAFF)
    shown = text(block(member_client))
    assert f"Anthony Giosi until {label(soon)}" in shown
    assert f"Next: Luc Lambert from {label(soon)}" in shown


def test_a_schedule_without_a_shift_now_says_who_comes_first(member_client, account, week):
    _schedule, _shifts, _anthony, luc = week
    other, _ = services.upsert_schedule(account, "02", "02 Fin de semaine", actor=STAFF)
    later = (timezone.now() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    shift, _ = services.upsert_shift(
        other, "w", start=later, end=later + dt.timedelta(hours=8), actor=STAFF
    )
    services.assign(shift, luc, actor=STAFF)
    html = block(member_client)
    group = re.search(r'data-schedule="02".*?</div>', html, re.S).group(0)
    assert "Nobody is on call now" in group
    assert f"Next: Luc Lambert from {label(later)}" in text(group)


def test_the_home_page_shows_now_and_next_with_tap_to_call(member_client, week):
    _schedule, shifts, _anthony, _luc = week
    html = block(member_client, "home")
    assert 'class="oc-now oc-now-home"' in html
    assert '<a class="phone" href="tel:5145550101">514\u00a0555-0101</a>' in html
    assert '<a class="phone" href="sms:5145550199">514\u00a0555\u00a00199</a>' in html
    shown = text(html)
    assert "Anthony Giosi" in shown and f"OC · until {label(shifts[1].end)}" in shown
    assert f"Next: Luc Lambert from {label(shifts[1].end)}" in shown
    assert reverse("oncall", kwargs={"account_number": "4000"}) in html


def test_the_home_page_of_an_account_without_on_call_has_no_block(member_client):
    html = member_client.get(reverse("home", kwargs={"account_number": "4000"})).content.decode()
    assert "oc-now" not in html


def test_in_french(client, make_user, account, week):
    _schedule, shifts, _anthony, _luc = week
    client.force_login(make_user("fr", account, language="fr"))
    when = label(shifts[1].end, "fr")
    for name in ("oncall", "home"):
        shown = text(block(client, name))
        assert f"Ensuite\u00a0: Luc Lambert à partir du {when}" in shown
        assert "De garde maintenant" in shown
    assert f"OC · jusqu'au {when}" in text(block(client, "home"))
