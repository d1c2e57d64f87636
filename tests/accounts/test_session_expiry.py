"""After the idle logoff: pages go to sign-in, background requests get a clear 401 whose
HX-Redirect names the sign-in page, and `next` is always the page the person was on."""

import time

import pytest

from portal.accounts.middleware import LAST_SEEN

PAGE = "http://testserver/a/4000/messages/?options=open"


def expire(client):
    """The idle logoff, for real: the session's last activity is older than its age."""
    from django.conf import settings

    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_COOKIE_AGE - 1
    session.save()


def test_a_page_after_the_idle_logoff_goes_to_sign_in(member_client):
    assert member_client.get("/a/4000/").status_code == 200
    expire(member_client)
    response = member_client.get("/a/4000/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/a/4000/settings/&ended=1"
    assert "_auth_user_id" not in member_client.session


def test_the_live_poll_gets_a_redirect_header_to_the_full_page(member_client):
    expire(member_client)
    response = member_client.get(
        "/a/4000/messages/new/?since=2026-01-01T00:00:00%2B00:00",
        headers={"HX-Request": "true", "HX-Current-URL": PAGE, "X-Portal-Background": "1"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=/a/4000/messages/%3Foptions%3Dopen&ended=1"
    assert response["X-Portal-Signed-Out"] == "1"
    assert b"<html" not in response.content
    assert "signed out" in response.content.decode()


def test_a_refused_post_leads_back_to_the_page_of_its_form(member_client):
    expire(member_client)
    message_page = "http://testserver/a/4000/messages/M1/?back=/a/4000/messages/"
    response = member_client.post(
        "/a/4000/messages/M1/status/", {"status": "closed"}, headers={"Referer": message_page}
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/login/?next=/a/4000/messages/M1/%3Fback%3D/a/4000/messages/&ended=1"
    )


def test_a_scripts_download_gets_the_signed_out_answer_not_the_sign_in_page(member_client):
    expire(member_client)
    response = member_client.post(
        "/a/4000/messages/export/",
        {"format": "csv"},
        headers={"Sec-Fetch-Mode": "cors", "Referer": PAGE},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=/a/4000/messages/%3Foptions%3Dopen&ended=1"


def test_another_sites_referer_is_not_a_next(member_client):
    expire(member_client)
    response = member_client.post(
        "/a/4000/messages/M1/status/", {}, headers={"Referer": "https://evil.example/a/"}
    )
    assert response["Location"] == "/login/?next=/&ended=1"


def test_background_requests_do_not_renew_the_session_the_button_does(member_client, settings):
    settings.SESSION_COOKIE_AGE = 600
    session = member_client.session
    session[LAST_SEEN] = int(time.time()) - 300
    session.save()
    left = member_client.get("/session/", headers={"X-Portal-Background": "1"}).json()
    assert 290 <= left["seconds_left"] <= 300
    renewed = member_client.post("/session/renew/", headers={"Accept": "application/json"})
    assert renewed.json() == {"seconds_left": 600}
    left = member_client.get("/session/", headers={"X-Portal-Background": "1"}).json()
    assert left["seconds_left"] >= 598


def test_signed_out_the_status_says_zero_and_renew_refuses(client, db):
    assert client.get("/session/").json() == {"seconds_left": 0}
    response = client.post("/session/renew/", headers={"Referer": "http://testserver/a/4000/"})
    assert response["Location"] == "/login/?next=/a/4000/"


@pytest.mark.parametrize("language, text", [("fr", "Rester connecté"), ("en", "Stay signed in")])
def test_pages_carry_the_warning_in_the_users_language(member_client, member, language, text):
    member.language = language
    member.save()
    page = member_client.get("/a/4000/").content.decode()
    assert 'role="alertdialog"' in page and text in page
    assert 'data-warn-seconds="60"' in page


def test_an_export_link_after_expiry_leads_back_to_its_report_page(member_client):
    expire(member_client)
    report = "http://testserver/a/4000/billable/?start=2026-01-01"
    response = member_client.get(
        "/a/4000/billable/export.xlsx?start=2026-01-01", headers={"Referer": report}
    )
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/a/4000/billable/%3Fstart%3D2026-01-01&ended=1"
    # Opened by itself (no page before it), the file's own address.
    expire(member_client)
    response = member_client.get("/a/4000/stats/export.xlsx")
    assert response["Location"] == "/login/?next=/a/4000/stats/export.xlsx&ended=1"


def test_the_sign_in_page_says_the_session_ended_for_lack_of_activity(client, member, account):
    import time

    from django.conf import settings

    from portal.accounts.middleware import LAST_SEEN

    client.force_login(member)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_COOKIE_AGE - 1
    session.save()
    response = client.get(f"/a/{account.number}/messages/", follow=True)
    page = response.content.decode()
    assert "You were signed out after 15 minutes without activity." in page
    # Said once: the next visit of the sign-in page is a plain one.
    assert "You were signed out" not in client.get("/login/").content.decode()
