"""Two-step verification (issue 13, item 2) through the views, with a real database and
django-otp's real devices: the sign-in's code step, setting it up, recovery codes, staff and
accounts that require it, turning it off, the back office's reset, and the audit trail."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import AuditLog
from tests.twofactor import enrol, recovery_codes, staff_login, totp_code

PASSWORD = "correct horse 42"


def sign_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def actions(**kw):
    return list(AuditLog.objects.filter(**kw).order_by("at", "pk").values_list("action", flat=True))


# --- the code step -------------------------------------------------------------------------


def test_a_right_password_alone_does_not_sign_in_a_login_with_it_on(client, member, account):
    enrol(member)
    response = sign_in(client, "member")
    assert response["Location"] == "/login/code/"
    # Half signed in: no page of the account opens, the session has no user.
    assert "_auth_user_id" not in client.session
    assert client.get(f"/a/{account.number}/")["Location"].startswith("/login/")
    page = client.get("/login/code/")
    assert "Two-step verification" in page.content.decode()
    response = client.post("/login/code/", {"code": totp_code(member)})
    assert response["Location"] == "/"
    assert "login" in actions(user=member)
    assert client.get(f"/a/{account.number}/").status_code == 200


def test_the_code_step_goes_back_to_the_page_asked_for(client, member, account):
    enrol(member)
    sign_in(client, "member", next_url=f"/a/{account.number}/settings/")
    response = client.post("/login/code/", {"code": totp_code(member)})
    assert response["Location"] == f"/a/{account.number}/settings/"


def test_a_wrong_code_is_refused_with_a_message_and_signs_nobody_in(client, member):
    enrol(member)
    sign_in(client, "member")
    response = client.post("/login/code/", {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "two_factor.failed" in actions(user=member)


def test_wrong_codes_are_throttled_even_the_right_one_then(client, member):
    device = enrol(member)
    sign_in(client, "member")
    client.post("/login/code/", {"code": "000000"})
    client.post("/login/code/", {"code": "000001"})
    code = f"{totp(device.bin_key):06d}"  # the right code, without forgetting the failures
    response = client.post("/login/code/", {"code": code})
    assert response.status_code == 400
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_step_in_french(client, make_user, account):
    user = make_user("marie", account, language="fr")
    enrol(user)
    client.cookies["django_language"] = "fr"
    sign_in(client, "marie")
    response = client.post("/login/code/", {"code": "000000"})
    body = response.content.decode()
    assert "Vérification en deux étapes" in body
    assert "Ce code n’est pas le bon" in body


def test_the_code_step_without_a_password_first_goes_to_sign_in(client):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"


def test_cancel_forgets_the_half_sign_in(client, member):
    enrol(member)
    sign_in(client, "member")
    client.post("/login/code/", {"cancel": "1"})
    assert client.get("/login/code/")["Location"] == "/login/"


def test_the_half_sign_in_expires(client, member, monkeypatch):
    import time

    enrol(member)
    sign_in(client, "member")
    later = time.time() + 6 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post("/login/code/", {"code": totp_code(member)})
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, member, account):
    enrol(member)
    codes = recovery_codes(member)
    sign_in(client, "member")
    response = client.post("/login/code/", {"code": codes[0].upper()})
    assert response["Location"] == "/"
    assert "two_factor.recovery_code_used" in actions(user=member)
    assert StaticToken.objects.filter(device__user=member).count() == 9
    client.post("/logout/")
    sign_in(client, "member")
    response = client.post("/login/code/", {"code": codes[0]})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_session_signed_in_without_its_code_is_signed_out(client, member, account):
    client.force_login(member)
    enrol(member)  # turned on elsewhere after this session signed in
    response = client.get(f"/a/{account.number}/")
    assert response["Location"].startswith("/login/?next=")
    assert "_auth_user_id" not in client.session


# --- setting it up from Settings --------------------------------------------------------


def test_a_client_turns_it_on_in_settings_and_sees_recovery_codes_once(member_client, member):
    page = member_client.get("/a/4000/settings/").content.decode()
    assert "Two-step verification" in page and "Turn on two-step verification" in page
    setup = member_client.get("/a/4000/settings/two-step/")
    body = setup.content.decode()
    assert 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    # The key shown as text, grouped by four, is the device's.
    from base64 import b32encode

    assert b32encode(device.bin_key).decode()[:4] in body
    wrong = member_client.post("/a/4000/settings/two-step/", {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    response = member_client.post("/a/4000/settings/two-step/", {"code": totp_code(device)})
    assert response["Location"].startswith("/a/4000/settings/two-step/recovery-codes/")
    codes_page = member_client.get(response["Location"]).content.decode()
    codes = list(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert len(codes) == 10 and all(c in codes_page for c in codes)
    download = member_client.get(response["Location"] + "&download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert all(c in download.content.decode() for c in codes)
    done = member_client.post(response["Location"], {"next": "/a/4000/settings/"})
    assert done["Location"] == "/a/4000/settings/"
    # Shown once: the page has nothing more to show.
    assert member_client.get(response["Location"]).status_code == 302
    settings_page = member_client.get("/a/4000/settings/").content.decode()
    assert "10 recovery codes of 10 left." in settings_page
    assert "two_factor.enrol" in actions(user=member)


def test_new_recovery_codes_replace_the_old_ones(member_client, member):
    staff_login(member_client, member)
    old = recovery_codes(member)
    response = member_client.post("/a/4000/settings/two-step/new-codes/")
    assert response["Location"] == "/a/4000/settings/two-step/recovery-codes/"
    new = set(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    assert "two_factor.recovery_codes" in actions(user=member)


def test_turning_it_off_needs_the_password(member_client, member):
    staff_login(member_client, member)
    response = member_client.post(
        "/a/4000/settings/two-step/off/", {"password": "wrong"}, follow=True
    )
    assert "Your password is not correct: two-step verification stays on." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert TOTPDevice.objects.filter(user=member).exists()
    response = member_client.post(
        "/a/4000/settings/two-step/off/", {"password": PASSWORD}, follow=True
    )
    assert "Two-step verification is off." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert "two_factor.disable" in actions(user=member)


# --- required: staff, and accounts that require it --------------------------------------


def test_an_account_that_requires_it_sends_its_logins_to_set_it_up(client, member, account):
    account.require_two_factor = True
    account.save()
    response = sign_in(client, "member")
    assert response["Location"] == "/"
    response = client.get(f"/a/{account.number}/messages/")
    assert response["Location"].startswith("/two-factor/setup/?next=")
    assert client.get("/two-factor/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    response = client.post(
        "/two-factor/setup/", {"code": totp_code(device), "next": f"/a/{account.number}/messages/"}
    )
    codes_url = response["Location"]
    assert codes_url.startswith("/two-factor/recovery-codes/")
    done = client.post(codes_url, {"next": f"/a/{account.number}/messages/"})
    assert client.get(done["Location"]).status_code == 200


def test_required_cannot_be_turned_off(member_client, member, account):
    account.require_two_factor = True
    account.save()
    staff_login(member_client, member)
    page = member_client.get("/a/4000/settings/").content.decode()
    assert "it cannot be turned off" in page
    member_client.post("/a/4000/settings/two-step/off/", {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=member).exists()


def test_staff_without_it_open_no_back_office_page(client, make_user):
    staff = make_user("staffer", is_staff=True, is_superuser=True)
    sign_in(client, "staffer")
    for url in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{staff.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/two-factor/setup/?next=")


def test_staff_with_it_must_pass_the_code_step(client, make_user):
    staff = make_user("staffer", is_staff=True, is_superuser=True)
    enrol(staff)
    response = sign_in(client, "staffer", next_url="/admin/")
    assert response["Location"] == "/login/code/"
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/login/")
    client.post("/login/code/", {"code": totp_code(staff)})
    assert client.get("/admin/").status_code == 200


def test_the_back_office_sign_in_is_the_portals(client, make_user):
    make_user("staffer", is_staff=True, is_superuser=True)
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/login/?next=/admin/"
    # Its own form would sign in with the password alone: posting to it signs nobody in.
    client.post("/admin/login/", {"username": "staffer", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_staff_login_helper_opens_the_back_office(client, make_user):
    staff_login(client, make_user("staffer", is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


# --- the back office: the account's setting, the reset ------------------------------------


def test_staff_reset_a_clients_second_factor_audited(client, make_user, member, account):
    staff = make_user("staffer", is_staff=True, is_superuser=True)
    staff_login(client, staff)
    enrol(member)
    recovery_codes(member)
    page = client.get(f"/admin/accounts/user/{member.pk}/change/").content.decode()
    assert "Reset two-step verification" in page
    confirm = client.get(f"/admin/accounts/user/{member.pk}/two-factor/reset/")
    assert "Reset the two-step verification of member?" in confirm.content.decode()
    response = client.post(f"/admin/accounts/user/{member.pk}/two-factor/reset/")
    assert response["Location"] == f"/admin/accounts/user/{member.pk}/change/"
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticToken.objects.filter(device__user=member).exists()
    entry = AuditLog.objects.get(action="two_factor.reset")
    assert entry.user == staff and entry.object_id == str(member.pk)
    assert entry.account == account and entry.detail["login"] == "member"


def test_staff_reset_by_the_action_on_the_list(client, make_user, member):
    staff_login(client, make_user("staffer", is_staff=True, is_superuser=True))
    enrol(member)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [member.pk]},
        follow=True,
    )
    assert "Two-step verification reset for 1 login." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_a_client_cannot_reach_the_reset(member_client, member):
    response = member_client.post(f"/admin/accounts/user/{member.pk}/two-factor/reset/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    enrol(member)
    assert TOTPDevice.objects.filter(user=member).exists()


def test_the_account_setting_in_the_back_office(client, make_user, account):
    staff_login(client, make_user("staffer", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/accounts/account/{account.pk}/change/").content.decode()
    assert "require two-step verification" in page.lower()


@pytest.mark.parametrize("value", [True, False])
def test_provisioning_may_set_the_requirement(api, make_token, value):
    token = make_token("provision")
    body = {"name": "CLINIC", "require_two_factor": value}
    response = api("put", "/api/v1/accounts/7100", token, json=body)
    assert response.status_code == 200, response.content
    assert response.json()["account"]["require_two_factor"] is value
    # Left out: the account keeps what it had.
    response = api("put", "/api/v1/accounts/7100", token, json={"name": "CLINIC"})
    assert response.json()["account"]["require_two_factor"] is value


def test_provisioning_refuses_a_non_boolean(api, make_token):
    token = make_token("provision")
    response = api(
        "put", "/api/v1/accounts/7100", token, json={"name": "C", "require_two_factor": "maybe"}
    )
    assert response.status_code == 422
    assert "detail" in response.json()


def test_no_back_office_page_opens_for_staff_without_it(client, make_user):
    """Every list and add page of every model in the back office, and its own pages."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    make_user("staffer", is_staff=True, is_superuser=True)
    sign_in(client, "staffer")
    urls = ["/admin/", "/admin/password_change/"]
    for model in admin.site._registry:
        for view in ("changelist", "add"):
            try:
                urls.append(
                    reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
                )
            except NoReverseMatch:
                pass
    assert len(urls) > 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/two-factor/setup/?next="), url
