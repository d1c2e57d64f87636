"""POST /api/v1/ingest/calls: atomic, idempotent by call_id, every bad record listed."""

import pytest

from portal.accounts.models import AuditLog
from portal.calls.models import Call
from tests.api.helpers import CALLS, a_call

pytestmark = pytest.mark.django_db


def counts(created=0, updated=0, unchanged=0):
    return {"created": created, "updated": updated, "unchanged": unchanged}


def test_calls_are_stored_with_every_contract_field(api, ingest, account):
    r = api("post", CALLS, ingest, json={"calls": [a_call()]})
    assert r.status_code == 200, r.content
    assert r.json() == counts(created=1)
    call = Call.objects.select_related("agent").get()
    assert call.account == account
    assert call.call_id == "15319140"
    assert call.duration_ms == 37_000 and call.answered_ms == 5_500
    assert call.holds_ms == [12_000, 3_000]
    assert call.agent.code == "F-CAROLANE"
    assert (call.caller_id, call.caller_name, call.station) == ("5145550199", "TREMBLAY J", "12")
    assert (call.distribution_group, call.quality, call.busy) == (2, 88, False)
    # 08:31 in Toronto (EDT) is 12:31 UTC.
    assert call.started_at.isoformat() == "2023-04-28T12:31:00+00:00"


def test_sending_the_same_batch_again_stores_nothing_new(api, ingest, account):
    batch = {"calls": [a_call("1"), a_call("2"), a_call("3", kind="transaction")]}
    assert api("post", CALLS, ingest, json=batch).json() == counts(created=3)
    assert api("post", CALLS, ingest, json=batch).json() == counts(unchanged=3)
    assert Call.objects.count() == 3


def test_a_changed_record_is_updated_and_the_others_unchanged(api, ingest, account):
    api("post", CALLS, ingest, json={"calls": [a_call("1"), a_call("2")]})
    r = api("post", CALLS, ingest, json={"calls": [a_call("1"), a_call("2", duration_s=90)]})
    assert r.json() == counts(updated=1, unchanged=1)
    assert Call.objects.get(call_id="2").duration_ms == 90_000


def test_defaults_apply_to_optional_fields(api, ingest, account):
    minimal = {
        "call_id": "9",
        "account": "4000",
        "started_at": "2023-04-28T08:31:00-04:00",
        "duration_s": 4,
    }
    assert api("post", CALLS, ingest, json={"calls": [minimal]}).status_code == 200
    call = Call.objects.get()
    assert (call.direction, call.kind, call.distribution_group, call.busy) == (
        "in",
        "voice",
        0,
        False,
    )
    assert call.queued_ms is None and call.agent is None and call.holds_ms == []


def test_one_bad_record_stores_nothing_and_every_problem_is_listed(api, ingest, account):
    batch = [
        a_call("1"),
        a_call("2", started_at="2023-04-28T08:31:00"),  # naive timestamp
        a_call("3", account="9999"),  # unknown account
        a_call("4", answered_s=50),  # answered after the call ended
        a_call("5", queued_s=None),  # assigned without queued
        a_call("6", duration_s=-1, direction="sideways"),
        a_call("7", holds_s=[3, -2]),
        {"call_id": "8"},
    ]
    r = api("post", CALLS, ingest, json={"calls": batch})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"]
    found = {(e["index"], e["field"]) for e in body["errors"]}
    assert (1, "started_at") in found
    assert (2, "account") in found
    assert (3, "answered_s") in found
    assert (4, "assigned_s") in found
    assert {(5, "duration_s"), (5, "direction")} <= found
    assert (6, "holds_s.1") in found
    assert {(7, "account"), (7, "started_at"), (7, "duration_s")} <= found
    assert 0 not in {e["index"] for e in body["errors"]}
    assert all(e["message"] for e in body["errors"])
    assert not Call.objects.exists()


def test_unknown_account_is_never_guessed_into_another(api, ingest, account, other_account):
    r = api("post", CALLS, ingest, json={"calls": [a_call("1", account="400")]})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"index": 0, "field": "account", "message": "Unknown account: 400"}
    ]
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"queued_s": 3, "assigned_s": 2}, "assigned_s"),
        ({"assigned_s": None}, "answered_s"),
        ({"queued_s": -1}, "queued_s"),
        ({"duration_s": 4}, "answered_s"),
        ({"quality": 101}, "quality"),
        ({"distribution_group": -1}, "distribution_group"),
        ({"busy": "maybe"}, "busy"),
        ({"kind": "email"}, "kind"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"call_id": ""}, "call_id"),
    ],
)
def test_consistency_and_type_errors_are_422_with_the_field(api, ingest, account, change, field):
    r = api("post", CALLS, ingest, json={"calls": [a_call(**{"call_id": "1", **change})]})
    assert r.status_code == 422, r.content
    assert (0, field) in {(e["index"], e["field"]) for e in r.json()["errors"]}
    assert not Call.objects.exists()


def test_every_write_is_audited_once_per_request_with_the_tokens_name(api, ingest, account):
    api("post", CALLS, ingest, json={"calls": [a_call(str(i)) for i in range(25)]})
    entry = AuditLog.objects.get()
    assert (entry.actor, entry.action) == ("api:platform", "api.ingest.calls")
    assert entry.detail == {"records": 25, "created": 25, "updated": 0, "unchanged": 0}
    assert entry.ip == "127.0.0.1"


def test_a_full_batch_of_1000_is_accepted_and_1001_is_too_large(api, ingest, account):
    full = {"calls": [a_call(str(i)) for i in range(1000)]}
    assert api("post", CALLS, ingest, json=full).json() == counts(created=1000)
    over = {"calls": [a_call(str(i)) for i in range(1001)]}
    r = api("post", CALLS, ingest, json=over)
    assert r.status_code == 413
    assert "1000" in r.json()["detail"]
    assert Call.objects.count() == 1000


def test_the_same_call_twice_in_one_batch_keeps_the_later_values(api, ingest, account):
    r = api("post", CALLS, ingest, json={"calls": [a_call("1"), a_call("1")]})
    assert r.json() == counts(created=1, unchanged=1)
    r = api("post", CALLS, ingest, json={"calls": [a_call("2"), a_call("2", duration_s=80)]})
    assert r.json() == counts(created=1, updated=1)
    assert Call.objects.get(call_id="2").duration_ms == 80_000


def test_new_calls_get_their_timestamps_and_defaults_like_any_saved_row(api, ingest, account):
    api("post", CALLS, ingest, json={"calls": [a_call("1", holds_s=None, patch_s=None)]})
    call = Call.objects.get()
    assert call.created_at is not None and call.updated_at is not None
    assert call.holds_ms == [] and call.patch_ms == 0
    assert str(call.local_date) == "2023-04-28"
