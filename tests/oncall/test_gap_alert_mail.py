"""Gap alerts through a real local SMTP server: each client admin gets the alert in their own
language (the login's choice, else the account's), each gap with a link to the On Call page
at it (PORTAL_BASE_URL), the shift selected; time without any shift is a gap too."""

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.accounts.models import Membership
from portal.oncall import services
from tests.oncall.helpers import STAFF, TORONTO
from tests.stats.smtp import smtp_inbox  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
BASE = "https://portal.example"


@pytest.fixture
def gap(account, settings):
    """Tomorrow 8:00 to 20:00 (Toronto), a Rotation OC shift nobody holds; nothing after."""
    settings.PORTAL_BASE_URL = BASE
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    day = timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(8), tzinfo=TORONTO)
    shift, _ = services.upsert_shift(
        schedule, "tomorrow", start=start, end=start + dt.timedelta(hours=12), actor=STAFF
    )
    return shift


def _received(inbox, n):
    for _ in range(100):
        if len(inbox.messages) >= n:
            break
        time.sleep(0.05)
    return {m["To"]: m for m in inbox.messages}


def _body(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def test_each_admin_reads_the_alert_in_their_language_with_a_link_to_the_gap(
    smtp_inbox,  # noqa: F811
    make_user,
    account,
    gap,
    client,
):
    make_user("boss", account, email="boss@example.com")  # no choice: the account's English
    make_user("patron", account, email="patron@example.com", language="fr")
    make_user("clerk", account, role=Membership.USER, email="clerk@example.com")
    call_command("oncall_gap_alerts")
    mails = _received(smtp_inbox, 2)
    assert sorted(mails) == ["boss@example.com", "patron@example.com"]  # admins only

    day = gap.start.astimezone(TORONTO).date()
    link = (
        f"{BASE}/a/4000/oncall/?schedule=01&view=day&date={day.isoformat()}"
        f"&shift={gap.pk}#shift-{gap.pk}"
    )
    en, fr = _body(mails["boss@example.com"]), _body(mails["patron@example.com"])
    assert mails["boss@example.com"]["Subject"].startswith(
        "4000-TEST: nobody is on call for part of the next 7 days"
    )
    assert "Nobody is assigned to these on-call periods (times in America/Toronto):" in en
    assert f"01 Horaire · Rotation OC (0): {day.month}/{day.day:02d}/{day.year} 8:00 am" in en
    assert (
        str(mails["patron@example.com"]["Subject"])
        .strip()
        .startswith(
            "4000-TEST\u00a0: personne n'est de garde pour une partie des 7 prochains jours"
        )
    )
    assert "Personne n'est assigné à ces périodes de garde (heures de America/Toronto)" in fr
    assert (
        f"01 Horaire · Rotation OC (0)\u00a0: {day.day:02d}/{day.month:02d}/{day.year} 8h00" in fr
    )
    assert link in en and link in fr
    # The time after the shift, which no shift covers, is a gap too (services.gaps).
    assert "no shift" in en and "aucun quart" in fr.lower()

    # The link opens the On Call page on the gap's day, the shift selected.
    client.force_login(account.memberships.get(user__username="boss").user)
    url = urlsplit(link)
    page = client.get(f"{url.path}?{url.query}").content.decode()
    assert f'<input type="radio" name="shift" value="{gap.pk}" id="pick-{gap.pk}" checked>' in page


def test_a_deleted_contacts_shift_is_in_the_alert_with_its_link(
    smtp_inbox,  # noqa: F811
    make_user,
    account,
    gap,
):
    from portal.directory.services import delete_contact
    from tests.oncall.helpers import contact

    luc = contact(account, "luc", "Luc Lambert")
    later, _ = services.upsert_shift(
        gap.schedule, "later", start=gap.end, end=gap.end + dt.timedelta(hours=12), actor=STAFF
    )
    services.assign(later, luc, actor=STAFF)
    make_user("boss", account, email="boss@example.com")
    delete_contact(luc, actor_name="staff")
    call_command("oncall_gap_alerts")
    body = _body(_received(smtp_inbox, 1)["boss@example.com"])
    day = later.start.astimezone(TORONTO).date()
    assert f"01 Horaire · Rotation OC (0): {day.month}/{day.day:02d}/{day.year} 8:00 pm" in body
    assert f"&shift={later.pk}#shift-{later.pk}" in body
