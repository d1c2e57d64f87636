"""Absolute session lifetime (PORTAL_SESSION_MAX_SECONDS, 12 hours): however active, a session
ends that long after signing in, and the sign-in page says it reached its maximum length."""

import time

import pytest
from django.test import Client

from portal.accounts.middleware import LAST_SEEN, SIGNED_IN_AT

PASSWORD = "correct horse 42"


def signed_in(member, account):
    client = Client()
    response = client.post("/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    return client


def started(client, seconds_ago):
    """The clock moved on: the sign-in was `seconds_ago`, the last activity just now."""
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds_ago
    session[LAST_SEEN] = int(time.time())
    session.save()


def test_the_lifetime_is_twelve_hours_by_default(settings):
    assert settings.PORTAL_SESSION_MAX_SECONDS == 12 * 3600


def test_an_active_session_ends_twelve_hours_after_signing_in(member, account):
    client = signed_in(member, account)
    assert abs(client.session[SIGNED_IN_AT] - time.time()) < 5
    started(client, 12 * 3600 - 60)
    assert client.get("/a/4000/").status_code == 200  # eleven hours 59 minutes, active
    started(client, 12 * 3600 + 1)
    response = client.get("/a/4000/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/a/4000/settings/&ended=max"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Your session reached its maximum length of 12 hours, so you were signed out." in page
    assert "without activity" not in page
    # Said once; signing in again starts a new lifetime and goes back to the page.
    assert "maximum length" not in client.get("/login/").content.decode()
    again = client.post(
        "/login/", {"username": "member", "password": PASSWORD, "next": "/a/4000/settings/"}
    )
    assert again["Location"] == "/a/4000/settings/"
    assert client.get("/a/4000/settings/").status_code == 200


def test_a_background_request_gets_the_signed_out_answer(member, account):
    client = signed_in(member, account)
    started(client, 12 * 3600 + 1)
    response = client.get(
        "/a/4000/messages/",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/a/4000/messages/",
            "X-Portal-Background": "1",
        },
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=/a/4000/messages/&ended=max"
    page = client.get(response["HX-Redirect"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre session a atteint sa durée maximale de 12\u00a0heures" in page


def test_the_warning_counts_down_to_the_lifetimes_end_and_stay_signed_in_cannot_pass_it(
    member, account, settings
):
    client = signed_in(member, account)
    started(client, 12 * 3600 - 120)
    left = client.get("/session/", headers={"X-Portal-Background": "1"}).json()["seconds_left"]
    assert 110 <= left <= 120
    renewed = client.post("/session/renew/", headers={"Accept": "application/json"}).json()
    assert 110 <= renewed["seconds_left"] <= 120


@pytest.mark.parametrize("seconds, words", [(3600, "1 hour,"), (8 * 3600, "8 hours,")])
def test_the_lifetime_is_configurable(member, account, settings, seconds, words):
    settings.PORTAL_SESSION_MAX_SECONDS = seconds
    client = signed_in(member, account)
    started(client, seconds - 30)
    assert client.get("/a/4000/").status_code == 200
    started(client, seconds + 1)
    page = client.get("/a/4000/", follow=True).content.decode()
    assert f"maximum length of {words}" in page


def test_the_idle_logoff_still_says_why(member, account):
    client = signed_in(member, account)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 16 * 60
    session.save()
    page = client.get("/a/4000/", follow=True).content.decode()
    assert "You were signed out after 15 minutes without activity." in page
    assert "maximum length" not in page


def test_a_session_from_before_the_lifetime_gets_one_from_now(member, account):
    client = signed_in(member, account)
    session = client.session
    del session[SIGNED_IN_AT]  # as a session signed in before this version
    session.save()
    assert client.get("/a/4000/").status_code == 200
    assert abs(client.session[SIGNED_IN_AT] - time.time()) < 5
    started(client, 12 * 3600 + 1)
    assert client.get("/a/4000/").status_code == 302
