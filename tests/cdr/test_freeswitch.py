"""POST /api/v1/ingest/cdr/freeswitch: mod_json_cdr documents (URL-encoded variables, as
mod_json_cdr writes them by default), one or a list, as calls."""

import json

import pytest

from portal.calls.models import Call
from tests.cdr.helpers import FREESWITCH, counts, fixture

pytestmark = pytest.mark.django_db

ONE = "freeswitch/a1b2c3d4-0001-4a5b-9c8d-000000000001.cdr.json"


def post(api, token, body, content_type="application/json"):
    return api("post", FREESWITCH, token, data=body, content_type=content_type)


def docs() -> list[dict]:
    return json.loads(fixture("freeswitch-list.json"))


def test_a_call_centre_call_with_its_queue_agent_and_hold(api, ingest, clinics):
    r = post(api, ingest, fixture(ONE))
    assert r.status_code == 200, r.content
    assert r.json() == counts(created=1)
    call = Call.objects.select_related("agent", "account").get()
    assert call.call_id == "a1b2c3d4-0001-4a5b-9c8d-000000000001"
    assert call.account.number == "4000" and call.direction == "in"
    # Variables are URL-decoded: "Doe,%20John", "%2B15145551234", "1001%40default".
    assert (call.caller_name, call.caller_id) == ("Doe, John", "+15145551234")
    assert call.agent.code == "1001@default"
    # start_uepoch (microseconds) wins over start_epoch.
    assert call.started_at.isoformat() == "2026-10-15T13:00:00.250000+00:00"
    assert call.duration_ms == 200_000
    # Joined the queue 4.75 s after the start; the agent answered at 29.75 s.
    assert (call.queued_ms, call.assigned_ms, call.answered_ms) == (4_750, 29_750, 29_750)
    assert call.work_ms == 170_250
    assert call.holds_ms == [25_000] and call.hold_total_ms == 25_000
    assert call.stat_class == Call.ANSWERED
    assert (call.local_date.isoformat(), call.local_minute) == ("2026-10-15", 9 * 60)


def test_a_list_of_documents(api, ingest, clinics):
    r = post(api, ingest, fixture("freeswitch-list.json"))
    assert r.status_code == 200, r.content
    assert r.json() == counts(created=5)
    by_id = {c.call_id[-1]: c for c in Call.objects.select_related("account")}
    # Left the queue before an agent answered (cc_cause=cancel): system abandon.
    assert by_id["2"].caller_name == "Tremblay, Marie-Ève"
    assert (by_id["2"].queued_ms, by_id["2"].assigned_ms) == (5_750, None)
    assert by_id["2"].stat_class == Call.SYSTEM_ABANDON
    # Answered by the IVR, never bridged: automated. %20 and %2B decoded.
    assert by_id["3"].caller_name == "Clinique Saint-Jean + Cie"
    assert by_id["3"].queued_ms is None and by_id["3"].stat_class == Call.AUTOMATED
    # USER_BUSY: a busy; the name that only repeats the number is left out.
    assert by_id["4"].busy and by_id["4"].caller_name == ""
    # Bridged without a queue (account 5000): reached a person at the bridge.
    assert by_id["5"].account.number == "5000"
    assert (by_id["5"].queued_ms, by_id["5"].answered_ms) == (0, 10_000)
    assert by_id["5"].work_ms == 120_000


def test_sending_again_is_unchanged_and_a_change_updates(api, ingest, clinics):
    body = fixture("freeswitch-list.json")
    assert post(api, ingest, body).json() == counts(created=5)
    assert post(api, ingest, body).json() == counts(unchanged=5)
    changed = docs()
    changed[0]["variables"]["hold_accum_seconds"] = "31"
    assert post(api, ingest, json.dumps(changed)).json() == counts(updated=1, unchanged=4)
    assert Call.objects.get(call_id__endswith="1").holds_ms == [31_000]


def test_an_older_callflow_object_and_names_from_the_caller_profile(api, ingest, clinics):
    doc = docs()[0]
    for name in ("caller_id_name", "caller_id_number"):
        del doc["variables"][name]
    doc["callflow"] = doc["callflow"][0]  # FreeSWITCH before 1.6: an object, not a list
    assert post(api, ingest, json.dumps(doc)).status_code == 200
    call = Call.objects.get()
    assert (call.caller_name, call.caller_id) == ("Doe, John", "+15145551234")


def test_every_bad_document_is_listed_with_its_line_and_nothing_stored(api, ingest, clinics):
    batch = docs()
    del batch[1]["variables"]["accountcode"]
    batch[2]["variables"]["accountcode"] = "9999"
    batch[3]["variables"]["start_uepoch"] = "soon"
    batch.append(["not", "a", "document"])
    body = "[\n" + ",\n".join(json.dumps(d) for d in batch) + "\n]"
    r = post(api, ingest, body)
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert [(e["index"], e["line"], e["field"]) for e in errors] == [
        (1, 3, "variables.accountcode"),
        (2, 4, "account"),
        (3, 5, "variables.start_uepoch"),
        (5, 7, ""),
    ]
    assert "Unknown account: 9999" in errors[1]["message"]
    assert not Call.objects.exists()


def test_not_json_wrong_type_and_no_token(api, ingest, clinics, make_token):
    body = fixture(ONE)
    r = post(api, ingest, body[:-20])
    assert r.status_code == 400 and r.json()["detail"] == "The body is not valid JSON."
    assert post(api, ingest, " ").status_code == 400
    r = post(api, ingest, body, content_type="text/plain")
    assert r.status_code == 415 and "application/json" in r.json()["detail"]
    assert post(api, None, body).status_code == 401
    assert post(api, make_token("client", [clinics[0]]), body).status_code == 403
    assert not Call.objects.exists()


def test_a_url_encoded_nul_is_refused(api, ingest, clinics):
    doc = docs()[0]
    doc["variables"]["caller_id_name"] = "Doe%00John"
    r = post(api, ingest, json.dumps([doc]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "variables.caller_id_name"


def test_the_openapi_document_describes_both_endpoints(api, ingest):
    schema = api("get", "/api/v1/openapi.json").json()
    asterisk = schema["paths"]["/api/v1/ingest/cdr/asterisk"]["post"]
    freeswitch = schema["paths"]["/api/v1/ingest/cdr/freeswitch"]["post"]
    assert "text/csv" in asterisk["requestBody"]["content"]
    assert [p["name"] for p in asterisk["parameters"]] == ["tz"]
    body = freeswitch["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/FreeSwitchCdr"} in body["oneOf"]
    assert "FreeSwitchCdr" in schema["components"]["schemas"]
    for op in (asterisk, freeswitch):
        assert {"200", "401", "403", "413", "415", "422"} <= set(op["responses"])
        ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
        error = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert "errors" in error["properties"]


@pytest.mark.parametrize(
    "body",
    [
        '{"variables": {"uuid": "u", "accountcode": "4000", "start_epoch": "1e400"}}',
        '{"variables": {"uuid": "u", "accountcode": "4000", "start_epoch": "NaN"}}',
        '{"variables": {"uuid": "' + "u" * 80 + '", "accountcode": "4000", "start_epoch": "9"}}',
        '{"variables": {"uuid": {"a": 1}, "accountcode": [1], "start_epoch": true}}',
        '{"variables": {"uuid": "u", "accountcode": "4000", "start_epoch": "1792069200",'
        ' "end_epoch": "1792069100", "hold_accum_seconds": "99999999999999"}}',
        '{"variables": "x", "callflow": 5}',
        "[[[[[]]]]]",
        "[1, null, true]",
        '"text"',
    ],
)
def test_odd_documents_are_bad_rows_never_a_server_error(api, ingest, clinics, body):
    r = post(api, ingest, body)
    assert r.status_code in (400, 422), r.content
    assert r.json()["detail"]
    assert not Call.objects.exists()
