"""Builders for the on-call tests: the seed's "01 Horaire" with its two weekly shifts."""

import datetime as dt
import zoneinfo

from portal.directory.models import Contact
from portal.oncall import services
from portal.oncall.services import Actor

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
STAFF = Actor(name="staff")


def local(y, m, d, h=7, mi=30, tz=TORONTO) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=tz)


def contact(account, external_id, name, **kw):
    return Contact.objects.create(account=account, external_id=external_id, name=name, **kw)


def seed_schedule(account):
    """The seed's example: 4/24 7:30 am – 5/01 7:30 am and 5/01 7:30 am – 5/08 7:30 am (2023)."""
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    first, _ = services.upsert_shift(
        schedule, "2023-04-24", start=local(2023, 4, 24), end=local(2023, 5, 1), actor=STAFF
    )
    second, _ = services.upsert_shift(
        schedule, "2023-05-01", start=local(2023, 5, 1), end=local(2023, 5, 8), actor=STAFF
    )
    anthony = contact(account, "anthony", "Anthony Giosi", sms="514 555 0101")
    luc = contact(account, "luc", "Luc Lambert", phone1="514 555 0102", email="luc@example.com")
    return schedule, first, second, anthony, luc
