"""PUT /api/v1/accounts/{number} and /api/v1/accounts/{number}/contacts/{contact_id}."""

import pytest

from portal.accounts.models import Account, AuditLog
from portal.calls.models import Call
from portal.directory.models import Contact
from tests.api.helpers import CALLS, a_call

pytestmark = pytest.mark.django_db

ACME = {
    "name": "ACME Plomberie",
    "billing_number": "784100",
    "timezone": "America/Toronto",
    "language": "fr",
    "groups": [3, 1],
}


def test_an_account_is_created_then_unchanged_then_updated(api, provision):
    r = api("put", "/api/v1/accounts/4100", provision, json=ACME)
    assert r.status_code == 200, r.content
    assert r.json() == {
        "account": {
            "number": "4100",
            "name": "ACME Plomberie",
            "billing_number": "784100",
            "timezone": "America/Toronto",
            "language": "fr",
            "groups": [1, 3],
            "require_two_factor": False,  # an addition of 2026-12 (two-step verification)
        },
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    again = api("put", "/api/v1/accounts/4100", provision, json=ACME)
    assert again.json()["unchanged"] == 1
    changed = api("put", "/api/v1/accounts/4100", provision, json={**ACME, "groups": [1]})
    assert changed.json()["updated"] == 1
    assert changed.json()["account"]["groups"] == [1]
    assert Account.objects.count() == 1
    actions = list(AuditLog.objects.values_list("actor", "action", "account__number"))
    assert actions == [("api:provisioning", "api.provision.account", "4100")] * 3


def test_defaults_are_toronto_and_no_groups(api, provision):
    r = api("put", "/api/v1/accounts/4200", provision, json={"name": "Clinique"})
    assert r.json()["account"]["timezone"] == "America/Toronto"
    assert r.json()["account"]["groups"] == []


def test_a_new_time_zone_moves_the_calls_local_times(api, provision, ingest, account):
    api("post", CALLS, ingest, json={"calls": [a_call("1")]})  # 08:31 in Toronto
    body = {"name": "TEST", "timezone": "America/Vancouver", "language": "en"}
    assert api("put", "/api/v1/accounts/4000", provision, json=body).json()["updated"] == 1
    assert Call.objects.get().local_minute == 5 * 60 + 31


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "X", "language": "de"}, "language"),
        ({"name": "X", "groups": [-1]}, "groups.0"),
        ({"name": "X", "groups": [2**31]}, "groups.0"),  # past a database INTEGER
        ({"name": "X", "groups": "1,2"}, "groups"),
    ],
)
def test_bad_account_bodies_are_422_and_change_nothing(api, provision, body, field):
    r = api("put", "/api/v1/accounts/4300", provision, json=body)
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not Account.objects.exists()


def test_an_account_number_must_look_like_one(api, provision):
    r = api("put", "/api/v1/accounts/" + "9" * 40, provision, json={"name": "Long"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "number"
    assert not Account.objects.exists()


def test_a_contact_is_created_updated_and_unchanged(api, provision, account):
    url = "/api/v1/accounts/4000/contacts/luc"
    body = {
        "name": "Luc Lambert",
        "phones": ["(514) 555-0102", "(514) 555-0103"],
        "sms": "5145550102",
        "email": "luc@example.com",
    }
    r = api("put", url, provision, json=body)
    assert r.status_code == 200, r.content
    assert r.json() == {
        "contact": {
            "id": "luc",
            "name": "Luc Lambert",
            "phones": ["(514) 555-0102", "(514) 555-0103"],
            "sms": "5145550102",
            "email": "luc@example.com",
        },
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    assert api("put", url, provision, json=body).json()["unchanged"] == 1
    r = api("put", url, provision, json={**body, "phones": ["(514) 555-0199"], "email": None})
    assert r.json()["updated"] == 1
    contact = Contact.objects.get()
    assert (contact.phone1, contact.phone2, contact.email) == ("(514) 555-0199", "", "")
    assert AuditLog.objects.filter(action="api.provision.contact", account=account).count() == 3


def test_the_same_contact_id_in_two_accounts_is_two_contacts(
    api, provision, account, other_account
):
    for number in ("4000", "5000"):
        url = f"/api/v1/accounts/{number}/contacts/luc"
        assert api("put", url, provision, json={"name": "Luc"}).json()["created"] == 1
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Luc", "phones": ["1", "2", "3", "4"]}, "phones"),
        ({"name": "Luc", "email": "not an address"}, "email"),
        ({"phones": []}, "name"),
        ({"name": "Luc", "phones": "5145550102"}, "phones"),
    ],
)
def test_bad_contact_bodies_are_422(api, provision, account, body, field):
    r = api("put", "/api/v1/accounts/4000/contacts/luc", provision, json=body)
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not Contact.objects.exists()


def test_a_contact_of_an_unknown_account_is_404(api, provision, account):
    r = api("put", "/api/v1/accounts/4999/contacts/luc", provision, json={"name": "Luc"})
    assert r.status_code == 404
    assert not Contact.objects.exists()


def test_provisioning_needs_the_provision_scope(api, make_token, account):
    for scope, accounts in [("ingest", []), ("client", [account]), ("oncall:write", [account])]:
        token = make_token(scope, accounts)
        assert api("put", "/api/v1/accounts/4000", token, json=ACME).status_code == 403
        url = "/api/v1/accounts/4000/contacts/luc"
        assert api("put", url, token, json={"name": "Luc"}).status_code == 403
    assert Account.objects.get().name == "TEST"
    assert not Contact.objects.exists()
