"""The provisioning API of webhooks (contract, "Webhooks: the portal tells the platform"):
PUT creates or replaces, GET lists (never the secret), DELETE removes; scope `provision`."""

import pytest

from portal.accounts.models import AuditLog
from portal.webhooks.models import Webhook

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks"
BODY = {
    "url": "https://platform.example.com/hooks/portal",
    "secret": "topsecret",
    "events": ["message.status_changed", "oncall.changed"],
    "accounts": ["4000"],
}


def test_put_creates_then_replaces_and_get_lists_without_the_secret(
    api, provision, account, other_account
):
    r = api("put", f"{URL}/platform", provision, json=BODY)
    assert r.status_code == 200, r.content
    assert r.json() == {
        "webhook": {
            "webhook_id": "platform",
            "url": "https://platform.example.com/hooks/portal",
            "events": ["message.status_changed", "oncall.changed"],
            "accounts": ["4000"],
            "created_at": r.json()["webhook"]["created_at"],
            "updated_at": r.json()["webhook"]["updated_at"],
        },
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    hook = Webhook.objects.get()
    assert hook.secret == "topsecret" and not hook.all_accounts
    assert list(hook.accounts.all()) == [account]

    assert api("put", f"{URL}/platform", provision, json=BODY).json()["unchanged"] == 1
    replaced = {**BODY, "events": ["oncall.changed"], "accounts": None, "secret": "new"}
    r = api("put", f"{URL}/platform", provision, json=replaced)
    assert r.json()["updated"] == 1
    assert r.json()["webhook"]["accounts"] is None
    hook.refresh_from_db()
    assert hook.all_accounts and hook.secret == "new" and hook.events == ["oncall.changed"]
    assert not hook.accounts.exists()

    api("put", f"{URL}/second", provision, json={**BODY, "accounts": ["5000", "4000"]})
    r = api("get", URL, provision)
    assert r.status_code == 200
    listed = r.json()["results"]
    assert [h["webhook_id"] for h in listed] == ["platform", "second"]
    assert listed[1]["accounts"] == ["4000", "5000"]
    assert "secret" not in r.content.decode() and "topsecret" not in r.content.decode()
    assert "new" not in [v for h in listed for v in h.values() if isinstance(v, str)]

    saved = AuditLog.objects.filter(action="webhook.save").order_by("at", "id")
    assert [e.detail["outcome"] for e in saved] == ["created", "updated", "created"]
    assert saved[0].actor == "api:provisioning"
    assert "secret" not in saved[0].detail and "topsecret" not in str(saved[0].detail)


def test_delete_removes_it_and_an_unknown_one_is_404(api, provision, account):
    api("put", f"{URL}/platform", provision, json=BODY)
    r = api("delete", f"{URL}/platform", provision)
    assert r.status_code == 200 and r.json() == {"webhook_id": "platform", "deleted": True}
    assert not Webhook.objects.exists()
    entry = AuditLog.objects.get(action="webhook.delete")
    assert entry.object_id == "platform" and entry.actor == "api:provisioning"
    r = api("delete", f"{URL}/platform", provision)
    assert r.status_code == 404
    assert r.json() == {"detail": "Unknown webhook: platform"}


def test_every_problem_is_listed_and_nothing_is_saved(api, provision, account):
    r = api(
        "put",
        f"{URL}/platform",
        provision,
        json={
            "url": "ftp://platform.example.com/x",
            "secret": "",
            "events": ["message.status_changed", "call.ended"],
            "accounts": ["4000", "9999"],
        },
    )
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] == "Validation failed"
    assert {(e["field"], e["message"]) for e in body["errors"]} == {
        ("url", "Enter an http:// or https:// address."),
        ("secret", "Enter the secret the portal signs each delivery with."),
        (
            "events.1",
            "Unknown event: call.ended. The events are message.status_changed and oncall.changed.",
        ),
        ("accounts.1", "Unknown account: 9999"),
    }
    assert all(e["index"] is None for e in body["errors"])
    assert not Webhook.objects.exists()

    for bad, field in [
        ({**BODY, "events": []}, "events"),
        ({**BODY, "url": "https://"}, "url"),
        ({**BODY, "url": "https://platform.example.com:99999/hooks"}, "url"),
        ({**BODY, "url": "https://platform.example.com:http/hooks"}, "url"),
        ({**BODY, "url": 12}, "url"),
        ({**BODY, "accounts": "4000"}, "accounts"),
    ]:
        r = api("put", f"{URL}/platform", provision, json=bad)
        assert r.status_code == 422, bad
        assert [e["field"] for e in r.json()["errors"]] == [field]
    r = api("put", f"{URL}/bad%20id", provision, json=BODY)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "webhook_id"
    r = api("put", f"{URL}/platform", provision, json=["not", "an", "object"])
    assert r.status_code == 422
    r = api("put", f"{URL}/platform", provision, data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": "The body is not valid JSON."}
    assert not Webhook.objects.exists()


def test_other_scopes_get_403_and_no_token_401(api, make_token, account):
    for scope in ("ingest", "oncall:read", "client", "oncall:write"):
        token = make_token(scope, accounts=[account])
        for method, path, body in [
            ("get", URL, None),
            ("put", f"{URL}/platform", BODY),
            ("delete", f"{URL}/platform", None),
        ]:
            r = api(method, path, token, json=body)
            assert r.status_code == 403, (scope, method)
            assert r.json() == {"detail": f"This token's scope ({scope}) does not allow this."}
    for method in ("get", "put", "delete"):
        path = URL if method == "get" else f"{URL}/platform"
        r = api(method, path, None, json=BODY if method == "put" else None)
        assert r.status_code == 401
        assert r.json() == {"detail": "Missing or invalid token."}
    assert not Webhook.objects.exists()


def test_the_openapi_document_describes_the_operations(api):
    doc = api("get", "/api/v1/openapi.json").json()
    put = doc["paths"]["/api/v1/webhooks/{webhook_id}"]["put"]
    assert set(put["responses"]) >= {"200", "400", "401", "403", "413", "422"}
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/WebhookIn"
    )
    assert set(doc["paths"]["/api/v1/webhooks/{webhook_id}"]["delete"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
    }
    listed = doc["paths"]["/api/v1/webhooks"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"]["$ref"].endswith("/WebhookList")
    out = doc["components"]["schemas"]["WebhookOut"]
    assert "secret" not in out["properties"]
    assert "secret" in doc["components"]["schemas"]["WebhookIn"]["properties"]
