"""Scheduled reports in the back office (issue 14, item 2): staff see every subscription (account,
login, reports, frequency, recipients, last period sent, periods pending), filter them by
account, pause, resume and delete them — each action in the audit trail. Clients, outsiders
and staff without their second factor are kept out."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.models import AuditLog
from portal.clock import clock_at
from portal.stats import schedules
from portal.stats.models import ReportDelivery, ReportSubscription
from tests.twofactor import staff_login

pytestmark = pytest.mark.django_db
UTC = dt.UTC
LIST = reverse("admin:stats_reportsubscription_changelist")


@pytest.fixture
def staff(make_user):
    return staff_login(Client(), make_user("carol", is_staff=True, is_superuser=True))


@pytest.fixture
def subs(account, other_account, member):
    mine = ReportSubscription.objects.create(
        account=account,
        emails="boss@example.com, desk@example.com",
        frequency="daily",
        statistics=True,
        billable=False,
        created_by=member,
    )
    theirs = ReportSubscription.objects.create(
        account=other_account, emails="chef@example.com", frequency="weekly"
    )
    created = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    ReportSubscription.objects.update(created_at=created)
    # 1 March was sent; 2 to 4 March are pending (the SMTP server was down, say).
    ReportDelivery.objects.create(
        subscription=mine,
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 1),
        sent_at=created,
        sent_to=mine.emails,
    )
    return mine, theirs


def test_staff_see_every_subscription_with_its_last_and_pending_periods(staff, subs):
    with clock_at(dt.datetime(2026, 3, 5, 12, 0, tzinfo=UTC)):
        page = staff.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "4000-TEST",
        "5000-OTHER",
        "member",  # the login that subscribed
        "boss@example.com, desk@example.com",
        "chef@example.com",
        "Daily",
        "Weekly",
        "Statistics",
        "03/01/2026",  # the last period sent
        "3 (03/02/2026, 03/03/2026, 03/04/2026)",  # pending
        "Last period sent",
        "Pending periods",
    ):
        assert text in html, text


def test_staff_filter_by_account(staff, subs, account):
    html = staff.get(LIST, {"account__id__exact": account.pk}).content.decode()
    assert "boss@example.com" in html and "chef@example.com" not in html


def test_pausing_and_resuming_are_audited_and_stop_the_sending(staff, subs, smtp_inbox):
    mine, _theirs = subs
    with clock_at(dt.datetime(2026, 3, 5, 12, 0, tzinfo=UTC)):
        answer = staff.post(LIST, {"action": "pause", "_selected_action": [mine.pk]}, follow=True)
        assert "1 scheduled report paused." in answer.content.decode()
        mine.refresh_from_db()
        assert mine.paused_at is not None
        assert "Paused" in staff.get(LIST).content.decode()
        schedules.send_due()
    # Only the other account's weekly report went; nothing to the paused one's addresses.
    assert [m["To"] for m in smtp_inbox.messages] == ["chef@example.com"]
    entry = AuditLog.objects.get(action="report.paused")
    assert (entry.actor, entry.account, entry.object_id) == ("carol", mine.account, str(mine.pk))
    assert entry.detail["to"] == "boss@example.com, desk@example.com"
    with clock_at(dt.datetime(2026, 3, 6, 12, 0, tzinfo=UTC)):
        answer = staff.post(LIST, {"action": "resume", "_selected_action": [mine.pk]}, follow=True)
        assert "1 scheduled report resumed." in answer.content.decode()
    assert AuditLog.objects.filter(action="report.resumed", actor="carol").count() == 1
    with clock_at(dt.datetime(2026, 3, 7, 12, 0, tzinfo=UTC)):
        schedules.send_due()
    # From the day due when it resumed (5 March) on; the days of the pause are not sent.
    subjects = sorted({m["Subject"] for m in smtp_inbox.messages if "4000" in m["Subject"]})
    assert subjects == [
        "4000-TEST\u00a0: rapport du 2026-03-05 au 2026-03-05",  # in French, its language
        "4000-TEST\u00a0: rapport du 2026-03-06 au 2026-03-06",
    ]


def test_deleting_is_audited(staff, subs):
    mine, theirs = subs
    confirm = staff.post(LIST, {"action": "delete_selected", "_selected_action": [mine.pk]})
    assert "Are you sure" in confirm.content.decode()
    staff.post(LIST, {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"})
    assert list(ReportSubscription.objects.all()) == [theirs]
    entry = AuditLog.objects.get(action="report.deleted")
    assert (entry.actor, entry.object_id) == ("carol", str(mine.pk))
    # And one by one, from its own page.
    staff.post(reverse("admin:stats_reportsubscription_delete", args=[theirs.pk]), {"post": "yes"})
    assert not ReportSubscription.objects.exists()
    assert AuditLog.objects.filter(action="report.deleted").count() == 2


def test_staff_cannot_add_or_edit_one_but_read_its_periods(staff, subs):
    mine, _theirs = subs
    assert staff.get(reverse("admin:stats_reportsubscription_add")).status_code == 403
    page = staff.get(reverse("admin:stats_reportsubscription_change", args=[mine.pk]))
    assert page.status_code == 200
    assert "boss@example.com, desk@example.com" in page.content.decode()
    assert 'name="emails"' not in page.content.decode()  # read-only
    # Staff reading a client's data is in the audit trail (as in every admin).
    assert AuditLog.objects.filter(action="admin.view", account=mine.account).exists()


def test_clients_outsiders_and_staff_without_the_second_factor_are_kept_out(
    subs, member_client, outsider_client, make_user
):
    for browser in (member_client, outsider_client, Client()):
        answer = browser.get(LIST)
        assert answer.status_code == 302 and "/login/" in answer["Location"]
        browser.post(LIST, {"action": "pause", "_selected_action": [subs[0].pk]})
    half = Client()
    half.force_login(make_user("dave", is_staff=True, is_superuser=True))
    assert half.get(LIST).status_code in (302, 403)
    half.post(LIST, {"action": "pause", "_selected_action": [subs[0].pk]})
    assert not ReportSubscription.objects.exclude(paused_at=None).exists()
    assert not AuditLog.objects.filter(action="report.paused").exists()


def test_the_clients_page_shows_the_last_period_sent_and_a_pause(staff, subs, member_client):
    mine, _theirs = subs
    url = reverse("stats_schedules", args=["4000"])
    # A pending period (newer than the one sent) does not hide the last one sent.
    ReportDelivery.objects.create(
        subscription=mine, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 2)
    )
    html = member_client.get(url).content.decode()
    assert "03/01/2026 – 03/01/2026" in html and "Paused by the service" not in html
    staff.post(LIST, {"action": "pause", "_selected_action": [mine.pk]})
    assert "Paused by the service" in member_client.get(url).content.decode()
