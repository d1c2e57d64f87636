"""The staff back office (Django admin), in French and English. Clients never reach it."""

import re

import pytest

from portal.accounts.models import Account, AuditLog, Membership, User
from portal.api.models import ApiToken
from tests.twofactor import staff_login


@pytest.fixture
def staff(make_user):
    return make_user("staffer", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    return staff_login(client, staff)  # with the second factor the back office requires


def test_a_client_never_reaches_the_back_office(member_client):
    for url in ["/admin/", "/admin/accounts/account/", "/admin/accounts/user/"]:
        response = member_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_client_cannot_sign_in_to_the_back_office(client, member):
    response = client.post(
        "/admin/login/", {"username": "member", "password": "correct horse 42", "next": "/admin/"}
    )
    # The back office's own form is not used: its sign-in is the portal's (with its code step).
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/admin/").status_code == 302


def test_a_signed_out_visitor_is_sent_to_the_back_office_sign_in(client, db):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


ADMIN_LISTS = [
    "accounts/account",
    "accounts/accountgroup",
    "accounts/user",
    "accounts/auditlog",
    "directory/contact",
    "directory/infopage",
    "calls/call",
    "calls/recording",
    "calls/agent",
    "inbox/message",
    "billing/billabletransaction",
    "billing/billingline",
    "api/apitoken",
]


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_staff_see_every_list(staff_client, model, member):
    assert staff_client.get(f"/admin/{model}/").status_code == 200


def test_the_back_office_speaks_french(staff_client, staff):
    staff.language = "fr"
    staff.save()
    page = staff_client.get("/admin/").content.decode()
    assert "Portail client · administration" in page
    assert "Comptes clients" in page
    assert "English" in page  # the switch back


def test_the_back_office_speaks_english(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert "Client Portal · back office" in page
    assert "Client accounts" in page
    assert "Français" in page


READ_ONLY = [
    "calls/call",
    "calls/recording",
    "calls/agent",
    "inbox/message",
    "billing/billabletransaction",
    "billing/billingline",
    "accounts/auditlog",
]


@pytest.mark.parametrize("model", READ_ONLY)
def test_platform_data_and_the_audit_log_are_read_only(staff_client, model):
    assert staff_client.get(f"/admin/{model}/add/").status_code == 403


def test_a_message_shows_its_dispatch_history(staff_client, account):
    from django.utils import timezone

    from portal.inbox.models import Message, MessageEvent

    message = Message.objects.create(message_id="2598662", account=account, taken_at=timezone.now())
    MessageEvent.objects.create(
        message=message,
        at=timezone.now(),
        kind="initiated",
        channel="email",
        recipient="info@compagnie.ca",
    )
    page = staff_client.get(f"/admin/inbox/message/{message.pk}/change/").content.decode()
    assert "info@compagnie.ca" in page


def test_staff_add_a_client_login_with_its_accounts(staff_client, account, make_account):
    second = make_account("4100", "DEUX")
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "marie",
            "password1": "a long pass phrase 7",
            "password2": "a long pass phrase 7",
            "accounts": [account.pk, second.pk],
            "role": "admin",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    marie = User.objects.get(username="marie")
    assert marie.check_password("a long pass phrase 7")
    assert set(marie.memberships.values_list("account__number", "role")) == {
        ("4000", "admin"),
        ("4100", "admin"),
    }
    assert AuditLog.objects.filter(action="user.create", object_id=str(marie.pk)).count() == 2


def test_a_new_client_login_needs_an_account(staff_client, account):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "paul",
            "password1": "a long pass phrase 7",
            "password2": "a long pass phrase 7",
            "role": "user",
        },
    )
    assert response.status_code == 200
    assert "Choose at least one client account" in response.content.decode()
    assert not User.objects.filter(username="paul").exists()


def test_staff_reset_a_clients_password(staff_client, member):
    url = f"/admin/accounts/user/{member.pk}/password/"
    form = staff_client.get(url)
    assert form.status_code == 200
    response = staff_client.post(
        url,
        {
            "password1": "reset by staff 77",
            "password2": "reset by staff 77",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("reset by staff 77")
    assert AuditLog.objects.filter(action="password.reset", object_id=str(member.pk)).exists()


def test_the_login_page_links_to_the_password_reset(staff_client, member):
    page = staff_client.get(f"/admin/accounts/user/{member.pk}/change/").content.decode()
    assert "../password/" in page
    assert "4000-TEST" in page  # the membership inline


def test_staff_edit_memberships_inline(staff_client, member, other_account):
    page = staff_client.get(f"/admin/accounts/user/{member.pk}/change/").content.decode()
    prefix = re.search(r'name="(memberships[^"]*)-TOTAL_FORMS"', page).group(1)
    existing = Membership.objects.get(user=member)
    data = {
        "username": "member",
        "language": "",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": existing.pk,
        f"{prefix}-0-user": member.pk,
        f"{prefix}-0-account": existing.account.pk,
        f"{prefix}-0-role": "admin",
        f"{prefix}-1-user": member.pk,
        f"{prefix}-1-account": other_account.pk,
        f"{prefix}-1-role": "user",
    }
    response = staff_client.post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(member.memberships.values_list("account__number", "role")) == {
        ("4000", "admin"),
        ("5000", "user"),
    }


def test_a_new_api_token_is_shown_once_and_only_its_hash_is_kept(staff_client, account):
    response = staff_client.post(
        "/admin/api/apitoken/add/",
        {"name": "platform", "scope": "client", "accounts": [account.pk]},
        follow=True,
    )
    page = response.content.decode()
    raw = re.search(r"The new token is (pt_[A-Za-z0-9_\-]+)", page).group(1)
    token = ApiToken.objects.get(name="platform")
    assert token.token_hash == ApiToken.hash(raw)
    assert raw not in (token.prefix + token.token_hash + token.name)
    assert list(token.accounts.values_list("number", flat=True)) == ["4000"]
    # It is not shown again.
    assert raw not in staff_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert raw not in staff_client.get("/admin/api/apitoken/").content.decode()


def test_a_client_token_needs_an_account(staff_client, account):
    response = staff_client.post("/admin/api/apitoken/add/", {"name": "x", "scope": "client"})
    assert response.status_code == 200
    assert "This scope needs at least one account." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_tokens_are_revoked_from_the_list(staff_client, make_token):
    make_token("ingest", name="old")
    token = ApiToken.objects.get(name="old")
    response = staff_client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 token revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditLog.objects.filter(action="token.revoke", object_id=str(token.pk)).count() == 1
    # Revoking it again changes nothing and records nothing (as on a client's Settings).
    staff_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert AuditLog.objects.filter(action="token.revoke", object_id=str(token.pk)).count() == 1


def test_an_information_page_keeps_formatting_and_drops_scripts(staff_client, account):
    response = staff_client.post(
        "/admin/directory/infopage/add/",
        {
            "account": account.pk,
            "title": "Instructions",
            "position": 0,
            "body": "<p><strong>Urgent</strong> calls</p><script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    page = account.info_pages.get()
    assert "<strong>Urgent</strong>" in page.body
    assert "script" not in page.body


def test_accounts_are_edited_with_groups_and_retention(staff_client, account):
    from portal.accounts.models import AccountGroup

    group = AccountGroup.objects.create(number=3, name="Médical")
    response = staff_client.post(
        f"/admin/accounts/account/{account.pk}/change/",
        {
            "number": "4000",
            "name": "TEST",
            "billing_number": "784000",
            "language": "fr",
            "timezone": "America/Toronto",
            "groups": [group.pk],
            "retention_days": 90,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = Account.objects.get(pk=account.pk)
    assert account.retention_days == 90 and list(account.groups.all()) == [group]


def test_a_records_page_reads_its_times_in_its_accounts_zone(staff_client, account):
    """A message taken at 21:30 in Toronto on the 19th (02:30 UTC on the 20th): its page and its
    dispatch history read 21:30 on the 19th, and the page says which zone."""
    import datetime as dt

    from portal.inbox.models import Message, MessageEvent

    taken = dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC)
    message = Message.objects.create(message_id="2598663", account=account, taken_at=taken)
    MessageEvent.objects.create(
        message=message, at=taken, kind="delivered", channel="email", recipient="a@b.ca"
    )
    page = staff_client.get(f"/admin/inbox/message/{message.pk}/change/").content.decode()
    assert "times in America/Toronto" in page
    assert page.count("Nov. 19, 2026, 9:30 p.m.") >= 2, re.findall(r"Nov\. \d+, 2026[^<]*", page)
    assert "Nov. 20, 2026" not in page
