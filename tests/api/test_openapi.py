"""The OpenAPI document at /api/v1/openapi.json describes every endpoint of the contract.

CONTRACT lists every (method, path) of shared/contracts/api-v1.md with the engineer who
builds it, so that a failure says whose endpoint is missing.
"""

import pytest

pytestmark = pytest.mark.django_db

INGEST = "ingest and provisioning (portal/api)"
ONCALL = "on call (portal/oncall/api.py)"
READING = "messages and calls (portal/inbox/api.py, portal/calls/api.py)"
STATS = "billing and statistics (portal/billing/api.py, portal/stats/api.py)"

SHIFT = "/api/v1/accounts/{number}/schedules/{schedule_id}/shifts/{shift_id}"
CONTRACT = {
    ("post", "/api/v1/ingest/calls"): INGEST,
    ("put", "/api/v1/ingest/calls/{call_id}/recording"): INGEST,
    ("post", "/api/v1/ingest/messages"): INGEST,
    ("post", "/api/v1/ingest/billable"): INGEST,
    ("post", "/api/v1/ingest/billing"): INGEST,
    ("put", "/api/v1/accounts/{number}"): INGEST,
    ("put", "/api/v1/accounts/{number}/contacts/{contact_id}"): INGEST,
    ("put", "/api/v1/accounts/{number}/schedules/{schedule_id}"): ONCALL,
    ("delete", "/api/v1/accounts/{number}/schedules/{schedule_id}"): ONCALL,
    ("put", SHIFT): ONCALL,
    ("delete", SHIFT): ONCALL,
    ("get", "/api/v1/accounts/{number}/oncall"): ONCALL,
    ("put", SHIFT + "/assignment"): ONCALL,
    ("delete", SHIFT + "/assignment"): ONCALL,
    ("post", SHIFT + "/overrides"): ONCALL,
    ("delete", SHIFT + "/overrides/{override_id}"): ONCALL,
    ("post", SHIFT + "/comment"): ONCALL,
    ("post", "/api/v1/accounts/{number}/schedules/{schedule_id}/swap"): ONCALL,
    ("get", "/api/v1/accounts/{number}/messages"): READING,
    ("get", "/api/v1/accounts/{number}/calls"): READING,
    ("get", "/api/v1/accounts/{number}/billable"): STATS,
    ("get", "/api/v1/statistics"): STATS,
}

# Request bodies of this part of the contract and the fields each record must document.
BODIES = {
    ("post", "/api/v1/ingest/calls"): ("CallsBatch", "calls"),
    ("post", "/api/v1/ingest/messages"): ("MessagesBatch", "messages"),
    ("post", "/api/v1/ingest/billable"): ("BillableBatch", "items"),
    ("post", "/api/v1/ingest/billing"): ("BillingBatch", "lines"),
}
RECORD_FIELDS = {
    "calls": "call_id account direction kind started_at duration_s caller_id caller_name agent "
    "station distribution_group quality queued_s assigned_s answered_s work_s holds_s patch_s "
    "busy",
    "messages": "message_id account taken_at call_id agent subject fields body urgent status "
    "events",
    "items": "transaction_id account at description number caller_name agent statistic_s",
    "lines": "line_id billing_number date description amount kind",
}


@pytest.fixture
def schema(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_document_is_served_without_a_token_and_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1"


def test_every_endpoint_of_the_contract_is_described(schema):
    missing = sorted(
        f"{owner}: {method.upper()} {path}"
        for (method, path), owner in CONTRACT.items()
        if method not in schema["paths"].get(path, {})
    )
    assert not missing, "missing from the OpenAPI document:\n" + "\n".join(missing)


def test_every_ingest_and_provisioning_endpoint_is_described(schema):
    for (method, path), owner in CONTRACT.items():
        if owner == INGEST:
            operation = schema["paths"][path][method]
            assert operation["summary"]
            assert {"200", "401", "403"} <= set(operation["responses"]), path


@pytest.mark.parametrize("endpoint", BODIES)
def test_batch_bodies_are_documented_with_every_record_field(schema, endpoint):
    method, path = endpoint
    name, key = BODIES[endpoint]
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    batch = resolve(schema, body["schema"])
    assert batch is schema["components"]["schemas"][name]
    assert batch["required"] == [key]
    records = batch["properties"][key]
    assert records["maxItems"] == 1000
    record = resolve(schema, records["items"])
    assert set(RECORD_FIELDS[key].split()) == set(record["properties"])
    natural_key = {"calls": "call_id", "messages": "message_id", "items": "transaction_id"}
    assert natural_key.get(key, "line_id") in record["required"]


def test_the_recording_body_lists_the_four_audio_types(schema):
    body = schema["paths"]["/api/v1/ingest/calls/{call_id}/recording"]["put"]["requestBody"]
    assert set(body["content"]) == {"audio/wav", "audio/mpeg", "audio/ogg", "audio/webm"}
    responses = schema["paths"]["/api/v1/ingest/calls/{call_id}/recording"]["put"]["responses"]
    assert {"200", "404", "413", "415"} <= set(responses)


def test_provisioning_bodies_are_documented(schema):
    account = schema["paths"]["/api/v1/accounts/{number}"]["put"]["requestBody"]
    fields = resolve(schema, account["content"]["application/json"]["schema"])["properties"]
    # require_two_factor: an addition of 2026-12 (each login must use two-step verification)
    assert {
        "name",
        "billing_number",
        "timezone",
        "language",
        "groups",
        "require_two_factor",
    } == set(fields)
    contact = schema["paths"]["/api/v1/accounts/{number}/contacts/{contact_id}"]["put"]
    fields = resolve(schema, contact["requestBody"]["content"]["application/json"]["schema"])
    assert {"name", "phones", "sms", "email"} == set(fields["properties"])
    assert fields["properties"]["phones"]["maxItems"] == 3


def test_every_reference_in_the_document_resolves(schema):
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    names = set(schema["components"]["schemas"])
    assert refs
    assert not {r for r in refs if r.rsplit("/", 1)[1] not in names}
