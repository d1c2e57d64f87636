"""Settings → API tokens (issue 15, item 6): a client admin makes read-only tokens for the
accounts they administer (shown once, only a hash kept, audited) and revokes them; the token
reads its accounts through the API and nothing else."""

import logging
import re
import secrets

import pytest
from django.core.cache import cache
from django.test import Client

from portal.accounts.models import AuditLog, Membership
from portal.api import client_tokens
from portal.api.models import ApiToken
from portal.api.services import create_token
from tests.api.helpers import a_message
from tests.calls.helpers import make_message

SETTINGS = "/a/4000/settings/"
CREATE = "/a/4000/settings/api-tokens/"
TOKEN_VALUE = re.compile(r'id="id_new_token"[^>]*value="(pt_[A-Za-z0-9_\-]+)"')


def revoke_url(token, number="4000"):
    return f"/a/{number}/settings/api-tokens/{token.pk}/revoke/"


def make(client, name="Front desk sync", accounts=("4000",), url=CREATE):
    return client.post(url, {"name": name, "accounts": list(accounts)})


def token_of(response) -> str:
    assert response.status_code == 200
    match = TOKEN_VALUE.search(response.content.decode())
    assert match, "the answer page shows the new token"
    return match.group(1)


@pytest.fixture
def clerk(make_user, account):
    """A client user (role user) of account 4000."""
    return make_user("clerk", account, role=Membership.USER)


@pytest.fixture
def clerk_client(clerk):
    c = Client()
    c.force_login(clerk)
    return c


@pytest.fixture
def messages_in(account, other_account):
    make_message(account, message_id="M-4000")
    make_message(other_account, message_id="M-5000")


@pytest.fixture
def shared(settings):
    """The shared cache on the real Redis (as tests/ops/test_shared_cache_and_timeout.py)."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"portal-test-{secrets.token_hex(4)}",
        }
    }
    yield cache
    cache.clear()


# --- The section ---------------------------------------------------------------------------


def test_a_client_admin_sees_the_section_with_their_accounts(
    member_client, make_user, account, other_account, make_account
):
    third = make_account("6000", "THIRD")
    member = account.memberships.get().user
    Membership.objects.create(user=member, account=third, role=Membership.USER)
    page = member_client.get(SETTINGS).content.decode()
    assert "API tokens" in page
    assert '<label for="id_name">Token name</label>' in page
    # Their admin account is offered (and ticked: the page's account); not the account where
    # they are a client user, nor another client's.
    assert re.search(r'<input type="checkbox" name="accounts" value="4000"[^>]*checked', page)
    assert 'name="accounts" value="6000"' not in page
    assert 'name="accounts" value="5000"' not in page
    assert "Create the token" in page
    assert "No API token yet." in page


def test_a_client_user_does_not_see_it(clerk_client):
    page = clerk_client.get(SETTINGS).content.decode()
    assert clerk_client.get(SETTINGS).status_code == 200
    assert "API tokens" not in page and "Create the token" not in page


# --- Creating --------------------------------------------------------------------------------


def test_creating_shows_the_token_once_and_stores_only_its_hash(member_client, member):
    response = make(member_client)
    raw = token_of(response)
    page = response.content.decode()
    assert "it is shown only this once" in page
    assert "4000-TEST" in page
    token = ApiToken.objects.get(scope="client")
    assert token.name == "Front desk sync" and token.scope == ApiToken.CLIENT
    assert [a.number for a in token.accounts.all()] == ["4000"]
    assert token.created_by == member
    assert token.token_hash == ApiToken.hash(raw)
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert not any(raw in value for value in stored)
    # Never again: the Settings page lists it without its value.
    settings_page = member_client.get(SETTINGS).content.decode()
    assert "Front desk sync" in settings_page and raw not in settings_page
    assert "Active" in settings_page and "Never" in settings_page
    assert "member" in settings_page  # created by


def test_the_token_reads_its_account_and_nothing_else(member_client, api, messages_in):
    raw = token_of(make(member_client))
    response = api("get", "/api/v1/accounts/4000/messages", raw)
    assert response.status_code == 200
    assert [m["message_id"] for m in response.json()["results"]] == ["M-4000"]
    # Another account: 403, whether it exists or not.
    assert api("get", "/api/v1/accounts/5000/messages", raw).status_code == 403
    assert api("get", "/api/v1/accounts/9999/messages", raw).status_code == 403
    # Read-only: no ingest, no on-call change.
    ingest = api("post", "/api/v1/ingest/messages", raw, json={"messages": [a_message("M-2")]})
    assert ingest.status_code == 403
    swap = api("post", "/api/v1/accounts/4000/schedules/01/swap", raw, json={"shifts": [1, 2]})
    assert swap.status_code == 403
    assign = api(
        "put",
        "/api/v1/accounts/4000/schedules/01/shifts/1/assignment",
        raw,
        json={"contact": "luc", "comment": "", "recurring_until": None},
    )
    assert assign.status_code == 403
    # The page now says when it was last used.
    page = member_client.get(SETTINGS).content.decode()
    assert "Never" not in page


@pytest.mark.parametrize("cache_kind", ["process", "redis"])
@pytest.mark.django_db(transaction=True)
def test_a_revoked_token_is_refused_at_once(cache_kind, request, member_client, api, messages_in):
    if cache_kind == "redis":
        request.getfixturevalue("shared")
    raw = token_of(make(member_client))
    assert api("get", "/api/v1/accounts/4000/messages", raw).status_code == 200  # now cached
    token = ApiToken.objects.get(scope="client")
    response = member_client.post(revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == "/a/4000/settings/#api-tokens-title"
    refused = api("get", "/api/v1/accounts/4000/messages", raw)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Missing or invalid token."}
    token.refresh_from_db()
    assert token.revoked_at is not None
    page = member_client.get(SETTINGS).content.decode()
    assert "The token “Front desk sync” is revoked." in page
    assert "Revoked " in page
    assert revoke_url(token) not in page  # no Revoke button any more


def test_create_and_revoke_are_audited_without_the_token_value(member_client, member, caplog):
    caplog.set_level(logging.DEBUG)
    raw = token_of(make(member_client))
    token = ApiToken.objects.get(scope="client")
    member_client.post(revoke_url(token))
    (created,) = AuditLog.objects.filter(action="token.create")
    (revoked,) = AuditLog.objects.filter(action="token.revoke")
    for entry in (created, revoked):
        assert entry.user == member and entry.actor == "member"
        assert entry.account.number == "4000"
        assert entry.object_type == "api.apitoken" and entry.object_id == str(token.pk)
        assert entry.detail["name"] == "Front desk sync"
        assert entry.detail["accounts"] == ["4000"]
        assert raw not in str(entry.detail)
    assert created.detail["scope"] == "client"
    assert raw not in caplog.text
    # Revoking again changes nothing and records nothing.
    member_client.post(revoke_url(token))
    assert AuditLog.objects.filter(action="token.revoke").count() == 1


def test_a_token_for_several_accounts_is_recorded_on_each(make_user, account, other_account):
    both = make_user("both", account, other_account)
    c = Client()
    c.force_login(both)
    raw = token_of(make(c, accounts=("4000", "5000")))
    token = ApiToken.objects.get(token_hash=ApiToken.hash(raw))
    assert sorted(a.number for a in token.accounts.all()) == ["4000", "5000"]
    entries = AuditLog.objects.filter(action="token.create").order_by("account__number")
    assert [e.account.number for e in entries] == ["4000", "5000"]


def test_the_page_is_in_french(member_client, member):
    member.language = "fr"
    member.save()
    page = member_client.get(SETTINGS).content.decode()
    assert "Jetons d’API" in page and "Créer le jeton" in page
    answer = make(member_client, name="")
    assert "Donnez un nom au jeton." in answer.content.decode()
    page = make(member_client).content.decode()
    assert "il n’est affiché que cette fois" in page
    token = ApiToken.objects.get(scope="client")
    member_client.post(revoke_url(token))
    page = member_client.get(SETTINGS).content.decode()
    assert "Le jeton «\u00a0Front desk sync\u00a0» est révoqué." in page
    assert "Révoqué le" in page


# --- Bad input: a message, nothing made --------------------------------------------------------


@pytest.mark.parametrize(
    "name, accounts, message",
    [
        ("", ["4000"], "Give the token a name."),
        ("   ", ["4000"], "Give the token a name."),
        ("Clinic", [], "Tick at least one account."),
        ("Clinic", ["5000"], "You are not an admin of account 5000."),
        ("Clinic", ["4000", "5000"], "You are not an admin of account 5000."),
        ("Clinic", ["9999"], "You are not an admin of account 9999."),
        ("Clinic\nrecords", ["4000"], "Line breaks, tabs and other control characters"),
        ("x" * 101, ["4000"], "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_input_gets_a_message_and_makes_nothing(
    member_client, other_account, name, accounts, message
):
    response = make(member_client, name=name, accounts=accounts)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Change your password" in page  # the Settings page, with the form's errors
    assert not TOKEN_VALUE.search(page)
    assert not ApiToken.objects.exists()
    assert not AuditLog.objects.filter(action="token.create").exists()


def test_a_name_of_100_characters_is_taken(member_client):
    token_of(make(member_client, name="x" * 100))
    assert ApiToken.objects.get().name == "x" * 100


def test_an_account_where_they_are_a_client_user_is_refused(member_client, member, make_account):
    third = make_account("6000", "THIRD")
    Membership.objects.create(user=member, account=third, role=Membership.USER)
    page = make(member_client, accounts=("4000", "6000")).content.decode()
    assert "You are not an admin of account 6000." in page
    assert not ApiToken.objects.exists()


def test_the_service_refuses_an_account_they_do_not_administer(member, other_account):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        client_tokens.create(member, "Clinic", [other_account])
    assert not ApiToken.objects.exists()


def test_at_most_20_active_tokens_per_account(member_client, account):
    for n in range(client_tokens.MAX_ACTIVE_PER_ACCOUNT):
        create_token(f"t{n}", "client", [account])
    page = make(member_client).content.decode()
    assert (
        "Account 4000-TEST already has 20 active API tokens: revoke one before making another."
        in page
    )
    assert ApiToken.objects.count() == 20
    # A revoked one does not count; other scopes (the service's own tokens) do not either.
    member_client.post(revoke_url(ApiToken.objects.first()))
    create_token("dispatch", "oncall:write", [account])
    token_of(make(member_client))
    assert ApiToken.objects.filter(revoked_at=None, scope="client").count() == 20


# --- Whose tokens: the three people and a client user ---------------------------------------------


def test_an_outsider_gets_404_and_changes_nothing(outsider_client, account, member_client):
    token_of(make(member_client))
    token = ApiToken.objects.get(scope="client")
    assert outsider_client.get(SETTINGS).status_code == 404
    assert make(outsider_client).status_code == 404
    assert outsider_client.post(revoke_url(token)).status_code == 404
    # Through their own account's URL, the token is not theirs either.
    assert outsider_client.post(revoke_url(token, "5000")).status_code == 404
    assert "Front desk sync" not in outsider_client.get("/a/5000/settings/").content.decode()
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_someone_signed_out_is_sent_to_sign_in(anon_client, member_client):
    token_of(make(member_client))
    token = ApiToken.objects.get(scope="client")
    for response in (make(anon_client), anon_client.post(revoke_url(token))):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_client_user_can_neither_create_nor_revoke(clerk_client, member_client):
    token_of(make(member_client))
    token = ApiToken.objects.get(scope="client")
    assert make(clerk_client).status_code == 404
    assert clerk_client.post(revoke_url(token)).status_code == 404
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_made_by_anyone_for_their_accounts_only_are_theirs(
    member_client, make_user, account, other_account
):
    staff_made = create_token("From the back office", "client", [account])[0]
    shared_token = create_token("Both clinics", "client", [account, other_account])[0]
    platform = create_token("Dispatch", "oncall:write", [account])[0]
    colleague = make_user("colleague", account)
    c = Client()
    c.force_login(colleague)
    colleagues = ApiToken.objects.get(token_hash=ApiToken.hash(token_of(make(c, name="Theirs"))))

    page = member_client.get(SETTINGS).content.decode()
    assert "From the back office" in page and "Our team" in page
    assert "Theirs" in page and "colleague" in page
    # A token that also reads an account they do not administer, and the service's own
    # tokens of other scopes, are not shown and cannot be revoked from here.
    assert "Both clinics" not in page and "Dispatch" not in page
    for token in (shared_token, platform):
        assert member_client.post(revoke_url(token)).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None
    for token in (staff_made, colleagues):
        assert member_client.post(revoke_url(token)).status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None


def test_a_token_made_in_the_back_office_says_our_team(make_user, account, member_client):
    from tests.twofactor import staff_login

    staff = make_user("staffer", is_staff=True, is_superuser=True)
    response = staff_login(Client(), staff).post(
        "/admin/api/apitoken/add/",
        {"name": "Made by staff", "scope": "client", "accounts": [account.pk]},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(name="Made by staff")
    assert token.created_by == staff
    page = member_client.get(SETTINGS).content.decode()
    row = page[page.index("Made by staff") :].split("</tr>")[0]
    assert "Our team" in row and "staffer" not in row
    assert member_client.post(revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_staff_viewing_as_the_client_are_refused(make_user, account, member_client):
    from tests.twofactor import staff_login

    token_of(make(member_client))
    token = ApiToken.objects.get(scope="client")
    staff = make_user("staffer", is_staff=True, is_superuser=True)
    viewing = staff_login(Client(), staff)
    response = viewing.post(f"/admin/accounts/account/{account.pk}/view-as/", {"reason": "help"})
    assert response.status_code == 302
    page = viewing.get(SETTINGS).content.decode()
    assert "Create the token" not in page
    for response in (make(viewing), viewing.post(revoke_url(token))):
        assert response.status_code == 403
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditLog.objects.filter(action__startswith="token.", user=staff).exists()


def test_one_gesture_one_audit_name_older_entries_read_the_same(
    make_user, account, member, member_client
):
    """The page writes `token.create` / `token.revoke`, as the back office and the command do;
    entries written under the page's first names (`api_token.*`) are kept as they were and
    read, labelled and filtered as the same action."""
    from django.utils import translation

    from portal.accounts import audit, auditing
    from portal.accounts.audit_admin import ActionFilter
    from tests.twofactor import staff_login

    older = audit.record("api_token.create", user=member, account=account, name="Old sync")
    token_of(make(member_client))
    newer = AuditLog.objects.get(action="token.create")
    for language, words in (("en", "API token created"), ("fr", "Jeton d’API créé")):
        with translation.override(language):
            assert auditing.action_label(older.action) == auditing.action_label(newer.action)
            assert auditing.action_label("api_token.revoke") == auditing.action_label(
                "token.revoke"
            )
            assert auditing.action_label(older.action) == words
    older.refresh_from_db()
    assert older.action == "api_token.create"  # the row itself is never rewritten

    staff = make_user("staffer", is_staff=True, is_superuser=True)
    page = staff_login(Client(), staff).get("/admin/accounts/auditlog/?action=token.create")
    assert page.status_code == 200
    [actions] = [f for f in page.context["cl"].filter_specs if isinstance(f, ActionFilter)]
    choices = [value for value, _ in actions.lookup_choices]
    assert "token.create" in choices and "api_token.create" not in choices  # one choice
    shown = {e.pk for e in page.context["cl"].result_list}
    assert {older.pk, newer.pk} <= shown
    assert all(
        e.action in ("token.create", "api_token.create") for e in page.context["cl"].result_list
    )
