"""Staff "view as client" (issue 13, item 8): a grant in the staff member's own session, read-only,
with a banner on every page, recorded in the audit trail with who and why."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AuditLog
from portal.clock import clock_at
from tests.access import AccessCase
from tests.calls.helpers import make_message
from tests.test_tenancy_walk import CASES, _request, _url
from tests.twofactor import staff_login

REASON = "Ticket 4521: the client cannot find a message"
BANNER = "You are viewing 4000-TEST as the client, read-only — reason: " + REASON


@pytest.fixture
def staff(make_user):
    return make_user("staffer", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff):
    return staff_login(Client(), staff)


def start_url(account):
    return reverse("admin:accounts_account_view_as", args=[account.pk])


def view_as(client, account, reason=REASON):
    return client.post(start_url(account), {"reason": reason})


@pytest.fixture
def viewing(staff_client, account):
    response = view_as(staff_client, account)
    assert response.status_code == 302
    assert response["Location"] == "/a/4000/"
    return staff_client


def entries(action):
    return list(AuditLog.objects.filter(action=action).order_by("at", "pk"))


# --- Starting -----------------------------------------------------------------------------


def test_the_account_page_in_the_back_office_offers_view_as_client(staff_client, account):
    page = staff_client.get(reverse("admin:accounts_account_change", args=[account.pk]))
    assert page.status_code == 200
    assert f'href="{start_url(account)}"'.encode() in page.content
    assert b"View as client" in page.content


def test_the_confirmation_asks_for_the_reason(staff_client, account):
    page = staff_client.get(start_url(account))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="reason"' in text and "Reason" in text
    assert "for at most 60 minutes" in text


@pytest.mark.parametrize("reason", ["", "   \t "])
def test_without_a_reason_nothing_starts(staff_client, account, reason):
    page = view_as(staff_client, account, reason)
    assert page.status_code == 200
    assert "Give the reason for viewing this account as the client" in page.content.decode()
    assert not entries("view_as.start")
    assert staff_client.get("/a/4000/").status_code == 404


def test_a_reason_too_long_is_refused(staff_client, account):
    page = view_as(staff_client, account, "x" * 201)
    assert page.status_code == 200
    assert not entries("view_as.start")
    assert staff_client.get("/a/4000/").status_code == 404


def test_start_is_recorded_with_who_and_why(viewing, staff, account):
    (start,) = entries("view_as.start")
    assert start.user == staff and start.actor == "staffer"
    assert start.account == account
    assert start.detail["reason"] == REASON
    assert start.object_type == "accounts.account" and start.object_id == str(account.pk)


def test_the_reason_is_kept_on_one_line(staff_client, account):
    view_as(staff_client, account, "  ticket\n 4521 \r\n  ")
    assert entries("view_as.start")[0].detail["reason"] == "ticket 4521"


def test_a_client_cannot_start_it(member_client, account):
    response = view_as(member_client, account)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not entries("view_as.start")
    assert member_client.get("/a/4000/messages/").status_code == 200  # untouched
    assert not AuditLog.objects.filter(action__startswith="view_as").exists()


def test_staff_without_the_second_factor_cannot_start_it(make_user, account):
    client = Client()
    client.force_login(make_user("halfway", is_staff=True, is_superuser=True))
    view_as(client, account)
    assert not entries("view_as.start")
    assert "Stop viewing" not in client.get("/a/4000/", follow=True).content.decode()


def test_signed_out_someone_is_sent_to_sign_in(anon_client, account):
    response = view_as(anon_client, account)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not entries("view_as.start")


# --- Reading ------------------------------------------------------------------------------


def test_staff_not_viewing_as_get_the_same_404_as_outsiders(staff_client, account):
    assert staff_client.get("/a/4000/").status_code == 404
    assert staff_client.get("/a/4000/messages/").status_code == 404


def test_every_page_reads_with_the_banner(viewing, account):
    make_message(account)
    for name in (
        "home",
        "inbox",
        "calls",
        "oncall",
        "directory",
        "info_pages",
        "billing",
        "billable",
        "stats",
        "settings",
    ):
        page = viewing.get(reverse(name, kwargs={"account_number": "4000"}))
        assert page.status_code == 200, name
        text = " ".join(page.content.decode().split())
        assert BANNER in text.replace("<strong>", "").replace("</strong>", ""), name
        assert "Stop viewing" in text, name


def test_the_settings_page_shows_no_password_form(viewing):
    page = viewing.get("/a/4000/settings/").content.decode()
    assert 'name="old_password"' not in page and 'name="new_password1"' not in page
    assert "password and two-step verification forms are not shown" in page


def test_the_switcher_and_menu_know_only_the_viewed_account(viewing, staff, account, other_account):
    from portal.accounts.models import Membership

    # Even a staff member who is also a member elsewhere sees the viewed account alone.
    Membership.objects.create(user=staff, account=other_account)
    page = viewing.get("/a/4000/messages/").content.decode()
    assert "5000-OTHER" not in page
    assert viewing.get("/a/5000/").status_code == 404
    assert viewing.get(reverse("switch_account") + "?account=5000").status_code == 404
    assert viewing.get("/").headers["Location"] == "/a/4000/"


# What staff viewing as the client get where a client admin gets the page: the On Call
# page's change dialogs answer as to a view-only client user (403), and the login's own
# two-step set-up leads back to Settings (the staff member's second factor is on).
VIEW_ONLY = {
    "oncall_assign": 403,
    "oncall_override": 403,
    "oncall_unassign": 403,
    "oncall_swap": 403,
    "two_factor_setup_account": 302,
    # A background export is its login's own: the client's job is not the staff member's.
    "export_job": 404,
}


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.name)
def test_every_client_page_reads_while_viewing(case: AccessCase, viewing, account):
    response = _request(viewing, case, _url(case, account))
    expected = (
        case.member_status if isinstance(case.member_status, tuple) else (case.member_status,)
    )
    if case.name in VIEW_ONLY:
        expected = (VIEW_ONLY[case.name],)
    assert response.status_code in expected


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_other_accounts_stay_404_while_viewing(case: AccessCase, viewing, other_account):
    assert _request(viewing, case, _url(case, other_account)).status_code == 404


def test_reads_are_recorded_as_the_staff_member_marked_view_as(viewing, staff, account):
    message = make_message(account)
    viewing.get(f"/a/4000/messages/{message.message_id}/")
    reads = AuditLog.objects.filter(account=account).exclude(action__startswith="view_as")
    assert reads.exists()
    for entry in reads:
        assert entry.user == staff and entry.actor == "staffer"
        assert entry.detail["view_as"] is True and entry.detail["reason"] == REASON


def test_a_members_reads_are_not_marked(member_client, account):
    message = make_message(account)
    member_client.get(f"/a/4000/messages/{message.message_id}/")
    reads = AuditLog.objects.filter(account=account)
    assert reads.exists()
    assert not any("view_as" in e.detail for e in reads)


# --- Changing nothing ---------------------------------------------------------------------


READING_POSTS = {"inbox_export", "calls_download"}


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.method != "get" and c.name not in READING_POSTS],
    ids=lambda c: f"{c.name}-{c.method}",
)
def test_every_change_is_refused(case: AccessCase, viewing, account):
    url = _url(case, account)
    before = AuditLog.objects.exclude(action="view_as.refused").count()
    response = _request(viewing, case, url)
    assert response.status_code == 403
    assert "read-only: nothing was changed" in response.content.decode()
    assert AuditLog.objects.exclude(action="view_as.refused").count() == before
    (refused,) = entries("view_as.refused")
    assert refused.detail["path"] == url and refused.detail["view_as"] is True


def test_closing_a_message_is_refused_and_it_stays_open(viewing, account):
    message = make_message(account)
    url = f"/a/4000/messages/{message.message_id}/status/"
    response = viewing.post(url, {"status": "closed"}, HTTP_REFERER=f"http://testserver{url[:-7]}")
    assert response.status_code == 403
    text = response.content.decode()
    assert "You are viewing this account as the client, read-only: nothing was changed." in text
    assert "Stop viewing" in text  # the portal's page, with its banner
    assert f'href="/a/4000/messages/{message.message_id}/"' in text  # back to the message
    message.refresh_from_db()
    assert message.status == "open" and message.closed_by is None


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused_too(viewing, method):
    assert getattr(viewing, method)("/a/4000/messages/").status_code == 403


def test_a_scripts_request_gets_the_message_alone(viewing, account):
    message = make_message(account)
    response = viewing.post(
        f"/a/4000/messages/{message.message_id}/status/",
        {"status": "closed"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert response.content.decode().strip().startswith('<div class="alert error" role="alert">')
    assert "<html" not in response.content.decode()
    message.refresh_from_db()
    assert message.status == "open"


def test_password_change_is_refused(viewing, staff):
    response = viewing.post(
        "/a/4000/settings/",
        {"old_password": "correct horse 42", "new_password1": "x" * 20, "new_password2": "x" * 20},
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.check_password("correct horse 42")


def test_downloads_of_checked_messages_still_read(viewing, account):
    message = make_message(account)
    response = viewing.post(
        "/a/4000/messages/export/", {"format": "csv", "ids": [message.message_id]}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "RENDEZ-VOUS" in body.decode("utf-8-sig")


# --- Stopping -----------------------------------------------------------------------------


def test_stop_viewing_goes_back_to_the_back_office(viewing, staff, account):
    response = viewing.post(reverse("view_as_stop"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_account_change", args=[account.pk])
    assert viewing.get("/a/4000/").status_code == 404
    (stop,) = entries("view_as.stop")
    assert stop.user == staff and stop.account == account
    assert stop.detail["reason"] == REASON and stop.detail["ended"] == "stopped"


def test_the_grant_ends_after_an_hour(viewing, account):
    assert viewing.get("/a/4000/").status_code == 200
    with clock_at(timezone.now() + dt.timedelta(minutes=61)):
        assert viewing.get("/a/4000/").status_code == 404
    assert viewing.get("/a/4000/").status_code == 404  # removed, not only hidden
    (stop,) = entries("view_as.stop")
    assert stop.detail["ended"] == "expired"


def test_the_length_is_a_setting(settings, staff_client, account):
    settings.PORTAL = {**settings.PORTAL, "VIEW_AS_MINUTES": 5}
    view_as(staff_client, account)
    with clock_at(timezone.now() + dt.timedelta(minutes=6)):
        assert staff_client.get("/a/4000/").status_code == 404


def test_signing_out_ends_it_and_records_it(viewing, staff):
    viewing.post(reverse("logout"))
    (stop,) = entries("view_as.stop")
    assert stop.user == staff and stop.detail["ended"] == "signed_out"


def test_a_staff_member_no_longer_staff_loses_it(viewing, staff):
    staff.is_staff = False
    staff.save()
    assert viewing.get("/a/4000/").status_code == 404
    assert entries("view_as.stop")[0].detail["ended"] == "not_allowed"


def test_viewing_another_account_ends_the_first(viewing, account, other_account):
    view_as(viewing, other_account, "second ticket")
    assert viewing.get("/a/4000/").status_code == 404
    assert viewing.get("/a/5000/").status_code == 200
    (stop,) = entries("view_as.stop")
    assert stop.account == account and stop.detail["ended"] == "replaced"


def test_a_client_of_the_account_is_unaffected(viewing, member_client, account):
    message = make_message(account)
    page = member_client.get("/a/4000/messages/").content.decode()
    assert "Stop viewing" not in page
    response = member_client.post(
        f"/a/4000/messages/{message.message_id}/status/", {"status": "closed"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "closed"


def test_the_grant_is_the_staff_members_own_session(viewing, staff, account):
    """Another browser of the same staff member is not viewing as the client."""
    other = staff_login(Client(), staff)
    assert other.get("/a/4000/").status_code == 404


def test_a_client_of_another_account_is_unaffected(viewing, outsider_client, other_account):
    assert outsider_client.get("/a/4000/messages/").status_code == 404
    page = outsider_client.get("/a/5000/messages/")
    assert page.status_code == 200
    assert "Stop viewing" not in page.content.decode()
    assert outsider_client.get("/").headers["Location"] == "/a/5000/"
