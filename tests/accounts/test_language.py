"""French and English: the login's choice, then the cookie (the language buttons, also on the
sign-in page), then the browser's language, then the account's (see pick_language)."""

import pytest
from django.utils.html import escape

from portal.accounts.models import User


def menu_label(response, french: str, english: str) -> str:
    page = response.content.decode()
    french, english = escape(french), escape(english)
    assert (french in page) != (english in page)
    return "fr" if french in page else "en"


def test_before_sign_in_the_browser_language_decides(client, db):
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="fr-CA")["Content-Language"] == "fr"
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "en"
    # A language we do not have falls back to English.
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="de-DE")["Content-Language"] == "en"


def test_a_choice_on_the_sign_in_page_is_kept_in_a_cookie(client, db):
    response = client.post("/language/", {"language": "fr", "next": "/login/"})
    assert response["Location"] == "/login/"
    assert response.cookies["django_language"].value == "fr"
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert page["Content-Language"] == "fr"
    assert "S.V.P. entrez votre nom et mot de passe" in page.content.decode()


def test_the_account_language_is_the_default_only_when_the_browser_names_none_of_ours(
    client, make_user, other_account
):
    assert other_account.language == "fr"
    client.force_login(make_user("marc", other_account))
    response = client.get("/a/5000/")  # no Accept-Language at all
    assert menu_label(response, "Journal d'appels", "Call Log") == "fr"
    assert "Numéro de facturation" in response.content.decode()
    response = client.get("/a/5000/", HTTP_ACCEPT_LANGUAGE="de-DE, es;q=0.8")
    assert menu_label(response, "Journal d'appels", "Call Log") == "fr"


def test_the_browsers_language_wins_over_the_accounts(client, make_user, account, other_account):
    client.force_login(make_user("marc", account, other_account))
    for url in ["/a/5000/", "/a/4000/", "/a/5000/settings/"]:  # switching accounts
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert menu_label(response, "Journal d'appels", "Call Log") == "en"
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE, fr-CA;q=0.5")
        assert menu_label(response, "Journal d'appels", "Call Log") == "fr"


def test_a_choice_on_the_sign_in_page_is_stored_on_the_login_at_sign_in(client, member):
    client.post("/language/", {"language": "fr", "next": "/login/"})
    client.post("/login/", {"username": "member", "password": "correct horse 42"})
    member.refresh_from_db()
    assert member.language == "fr"
    # Held in another browser too, whatever that browser asks for.
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(member)
    assert elsewhere.get("/a/4000/", HTTP_ACCEPT_LANGUAGE="en-US")["Content-Language"] == "fr"


def test_signing_in_without_a_choice_stores_nothing(client, member):
    client.post("/login/", {"username": "member", "password": "correct horse 42"})
    member.refresh_from_db()
    assert member.language == ""


def test_the_users_choice_wins_over_the_account_and_is_remembered(client, make_user, other_account):
    user = make_user("marc", other_account)
    client.force_login(user)
    client.post("/language/", {"language": "en", "next": "/a/5000/"})
    user.refresh_from_db()
    assert user.language == "en"

    # Remembered for the user, in another browser too (no cookie there).
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(user)
    response = elsewhere.get("/a/5000/", HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert menu_label(response, "Journal d'appels", "Call Log") == "en"


def test_the_users_choice_wins_over_an_old_cookie(client, member):
    member.language = "fr"
    member.save()
    client.cookies["django_language"] = "en"
    client.force_login(member)
    assert client.get("/a/4000/")["Content-Language"] == "fr"


def test_the_switch_is_on_every_page(member_client):
    for url in ["/a/4000/", "/a/4000/settings/"]:
        page = member_client.get(url).content.decode()
        assert 'action="/language/"' in page
        assert 'value="fr"' in page


def test_going_back_to_the_account_language(client, make_user, other_account):
    user = make_user("marc", other_account, language="en")
    client.force_login(user)
    client.post("/language/", {"language": "", "next": "/a/5000/settings/"})
    user.refresh_from_db()
    assert user.language == ""
    assert client.get("/a/5000/")["Content-Language"] == "fr"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_the_switch_never_sends_elsewhere(client, db, target):
    response = client.post("/language/", {"language": "fr", "next": target})
    assert response["Location"] == "/"


def test_an_unknown_language_changes_nothing(member_client, member):
    member_client.post("/language/", {"language": "de", "next": "/a/4000/"})
    member.refresh_from_db()
    assert member.language == ""
    assert User.objects.get(pk=member.pk).language == ""


def test_the_switch_only_accepts_post(member_client):
    assert member_client.get("/language/").status_code == 405


def test_a_page_reads_the_users_accounts_once(client, make_user, account, other_account):
    """Language, tenancy, the account switcher and the search form share one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("both", account, other_account))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/a/5000/messages/")  # no browser language
    assert response.status_code == 200
    page = response.content.decode()
    assert menu_label(response, "Journal d'appels", "Call Log") == "fr"  # account 5000's
    assert '<option value="4000"' in page and '<option value="5000"' in page  # the switcher
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if '"accounts_membership"' in q["sql"] or 'FROM "accounts_account"' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert client.get("/a/6000/messages/").status_code == 404


def test_the_accounts_memo_follows_the_requests_user(rf, make_user, account, other_account):
    from django.contrib.auth.models import AnonymousUser

    from portal.accounts.tenancy import request_accounts

    request = rf.get("/")
    request.user = make_user("first", account)
    assert [a.number for a in request_accounts(request)] == ["4000"]
    request.user = make_user("second", other_account)  # as after a login in the same request
    assert [a.number for a in request_accounts(request)] == ["5000"]
    request.user = AnonymousUser()
    assert request_accounts(request) == []
