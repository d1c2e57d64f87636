"""'On call now' at the top of the On Call page: the API's look-up (services.on_call_at) read
at the moment of the request, overrides applied, gaps and uncovered schedules in red."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.oncall import services
from tests.oncall.helpers import STAFF, TORONTO, contact

pytestmark = pytest.mark.django_db


def now_block(client) -> str:
    html = client.get(reverse("oncall", kwargs={"account_number": "4000"})).content.decode()
    found = re.search(r'<section class="oc-now".*?</section>', html, re.S)
    assert found, "no 'On call now' block"
    return found.group(0)


@pytest.fixture
def running(account):
    """A shift that started an hour ago and ends in two days, assigned to Anthony Giosi."""
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    start = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    shift, _ = services.upsert_shift(
        schedule, "s", start=start, end=start + dt.timedelta(days=2), actor=STAFF,
        name="Rotation", role="OC", rank=0,
    )  # fmt: skip
    anthony = contact(account, "anthony", "Anthony Giosi", phone1="514 555 0101")
    services.assign(shift, anthony, actor=STAFF)
    return shift


def test_the_person_on_call_and_until_when(member_client, account, running):
    block = now_block(member_client)
    end = running.end.astimezone(TORONTO)
    until = f"until {end.month}/{end.day:02d} {end.hour % 12 or 12}:{end.minute:02d} "
    assert "Anthony Giosi" in block and until in block
    assert '<a href="tel:514 555 0101">514 555 0101</a>' in block
    assert "Nobody is on call now" not in block


def test_an_override_now_is_the_one_on_call(member_client, account, running):
    luc = contact(account, "luc", "Luc Lambert", email="luc@example.com")
    now = timezone.now()
    services.override(running, luc, now, running.end, actor=STAFF)  # from now: not the past
    block = now_block(member_client)
    assert "Luc Lambert" in block and "(Override)" in block
    assert "Anthony Giosi" not in block
    assert 'href="mailto:luc@example.com"' in block


def test_a_gap_and_a_schedule_without_a_shift_now_say_nobody(member_client, account, running):
    services.unassign(running, actor=STAFF)
    services.upsert_schedule(account, "02", "02 Fin de semaine", actor=STAFF)
    block = now_block(member_client)
    assert block.count('class="oc-nobody">Nobody is on call now<') == 2
    assert "01 Horaire" in block and "02 Fin de semaine" in block


def test_in_french(member_client, account, running):
    account.language = "fr"
    account.save()
    block = now_block(member_client)
    assert "De garde maintenant" in block and "jusqu'au " in block
    assert "Tél (1)\u00a0:" in block
