"""The contract's on-call endpoints: provisioning, the look-up, and the client's actions."""

import json

import pytest
from django.urls import resolve

import portal.urls  # noqa: F401  (the API first: portal.oncall.api is imported by it)
from portal.oncall.api import _framework_view, oncall_now
from portal.oncall.models import Assignment, ScheduleEvent, Shift
from tests.oncall.helpers import contact

pytestmark = pytest.mark.django_db

BASE = "/api/v1/accounts/4000"


@pytest.fixture
def provision(make_token):
    return make_token("provision", name="provisioning")


@pytest.fixture
def seeded(api, provision, account):
    assert (
        api("put", f"{BASE}/schedules/01", provision, json={"name": "01 Horaire"}).status_code
        == 200
    )
    for sid, start, end in [
        ("a", "2023-04-24T07:30:00-04:00", "2023-05-01T07:30:00-04:00"),
        ("b", "2023-05-01T07:30:00-04:00", "2023-05-08T07:30:00-04:00"),
    ]:
        r = api(
            "put",
            f"{BASE}/schedules/01/shifts/{sid}",
            provision,
            json={"start": start, "end": end, "rank": 0, "name": "Rotation", "role": "OC"},
        )
        assert r.status_code == 200, r.content
    contact(account, "anthony", "Anthony Giosi", sms="5145550101")
    contact(account, "luc", "Luc Lambert", phone1="5145550102")
    return account


def oncall(api, token, at="2023-05-02T10:00:00-04:00", **params):
    query = "&".join(f"{k}={v}" for k, v in {"at": at, **params}.items())
    return api("get", f"{BASE}/oncall?{query}", token)


def test_provisioning_is_idempotent_and_counts(api, provision, seeded):
    r = api("put", f"{BASE}/schedules/01", provision, json={"name": "01 Horaire"})
    assert r.json()["unchanged"] == 1
    r = api(
        "put",
        f"{BASE}/schedules/01/shifts/b",
        provision,
        json={"start": "2023-05-01T07:30:00-04:00", "end": "2023-05-08T07:30:00-04:00"},
    )
    assert r.json()["unchanged"] == 1
    r = api(
        "put",
        f"{BASE}/schedules/01/shifts/b",
        provision,
        json={"start": "2023-05-01T08:30:00-04:00", "end": "2023-05-08T07:30:00-04:00"},
    )
    assert r.json()["updated"] == 1


def test_a_shift_must_end_after_it_starts_and_have_offsets(api, provision, seeded):
    r = api(
        "put",
        f"{BASE}/schedules/01/shifts/c",
        provision,
        json={"start": "2023-05-08T07:30:00-04:00", "end": "2023-05-08T07:30:00-04:00"},
    )
    assert r.status_code == 422
    r = api(
        "put",
        f"{BASE}/schedules/01/shifts/c",
        provision,
        json={"start": "2023-05-08T07:30:00", "end": "2023-05-09T07:30:00-04:00"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "start"
    assert not Shift.objects.filter(external_id="c").exists()


def test_a_gap_is_reported_as_unassigned(api, make_token, seeded):
    token = make_token("oncall:read")
    r = oncall(api, token)
    assert r.status_code == 200
    body = r.json()
    assert body["account"] == "4000"
    assert body["at"] == "2023-05-02T10:00:00-04:00"
    [entry] = body["entries"]
    assert entry["source"] == "unassigned" and entry["contact"] is None
    assert entry["schedule"] == "01" and entry["schedule_name"] == "01 Horaire"
    assert entry["start"] == "2023-05-01T07:30:00-04:00"


def test_the_seed_example_through_the_api(api, make_token, seeded):
    write = make_token("oncall:write", [seeded], name="dispatch-tool")
    read = make_token("client", [seeded])
    shift = f"{BASE}/schedules/01/shifts/b"
    r = api("put", f"{shift}/assignment", write, json={"contact": "anthony", "comment": ""})
    assert r.status_code == 200, r.content
    assert oncall(api, read).json()["entries"][0]["contact"]["name"] == "Anthony Giosi"

    r = api(
        "post",
        f"{shift}/overrides",
        write,
        json={
            "contact": "luc",
            "start": "2023-04-30T07:30:00-04:00",
            "end": "2023-05-03T07:30:00-04:00",
        },
    )
    assert r.status_code == 422
    assert r.json()["detail"] == "The Start time cannot occur before the original shift start time."

    r = api(
        "post",
        f"{shift}/overrides",
        write,
        json={
            "contact": "luc",
            "start": "2023-05-01T07:30:00-04:00",
            "end": "2023-05-03T07:30:00-04:00",
        },
    )
    assert r.status_code == 201, r.content
    override_id = r.json()["override_id"]
    entry = oncall(api, read).json()["entries"][0]
    assert (entry["source"], entry["contact"]["name"]) == ("override", "Luc Lambert")
    assert entry["contact"]["phones"] == ["5145550102"]

    assert api("delete", f"{shift}/overrides/{override_id}", write).status_code == 200
    entry = oncall(api, read).json()["entries"][0]
    assert (entry["source"], entry["contact"]["name"]) == ("assignment", "Anthony Giosi")

    assert api("post", f"{shift}/comment", write, json={"comment": "vacances"}).status_code == 200
    assert (
        api("post", f"{BASE}/schedules/01/swap", write, json={"shifts": ["a", "b"]}).status_code
        == 200
    )
    assert oncall(api, read).json()["entries"][0]["source"] == "unassigned"
    assert (
        oncall(api, read, at="2023-04-25T10:00:00-04:00").json()["entries"][0]["contact"]["name"]
        == "Anthony Giosi"
    )
    assert api("delete", f"{BASE}/schedules/01/shifts/a/assignment", write).status_code == 200
    assert ScheduleEvent.objects.filter(actor_name="api:dispatch-tool").count() >= 5


def test_a_stale_version_gets_409_with_the_new_state(api, make_token, seeded):
    write = make_token("oncall:write", [seeded])
    shift = f"{BASE}/schedules/01/shifts/b"
    version = Shift.objects.get(external_id="b").version
    api("put", f"{shift}/assignment", write, json={"contact": "anthony", "version": version})
    r = api("put", f"{shift}/assignment", write, json={"contact": "luc", "version": version})
    assert r.status_code == 409
    assert r.json()["errors"][0]["shift"]["contact"]["name"] == "Anthony Giosi"


def test_recurring_assignment_through_the_api(api, make_token, provision, seeded):
    write = make_token("oncall:write", [seeded])
    r = api(
        "put",
        f"{BASE}/schedules/01/shifts/a/assignment",
        write,
        json={"contact": "luc", "recurring_until": "2023-05-31"},
    )
    assert r.json()["assigned"] == ["a", "b"]


def test_clients_cannot_provision_or_delete_shifts(api, make_token, seeded):
    for scope in ("client", "oncall:write", "oncall:read"):
        token = make_token(scope, [seeded])
        assert api("put", f"{BASE}/schedules/02", token, json={"name": "x"}).status_code == 403
        assert api("delete", f"{BASE}/schedules/01/shifts/a", token).status_code == 403
        assert api("delete", f"{BASE}/schedules/01", token).status_code == 403
    assert Shift.objects.filter(removed_at=None).count() == 2


def test_a_token_of_another_account_cannot_touch_these_shifts(
    api, make_token, seeded, other_account
):
    write = make_token("oncall:write", [other_account])
    read = make_token("client", [other_account])
    r = api("put", f"{BASE}/schedules/01/shifts/b/assignment", write, json={"contact": "anthony"})
    assert r.status_code == 403
    assert oncall(api, read).status_code == 403
    assert not Assignment.objects.exists()


def test_a_deleted_shift_keeps_its_history_and_leaves_the_look_up(
    api, make_token, provision, seeded
):
    write = make_token("oncall:write", [seeded])
    api("put", f"{BASE}/schedules/01/shifts/b/assignment", write, json={"contact": "anthony"})
    assert api("delete", f"{BASE}/schedules/01/shifts/b", provision).status_code == 200
    assert oncall(api, make_token("oncall:read")).json()["entries"] == []
    assert Assignment.objects.count() == 1
    assert ScheduleEvent.objects.filter(action="shift_deleted").exists()


def test_bad_input_gets_the_contracts_errors(api, make_token, seeded):
    write = make_token("oncall:write", [seeded])
    r = api("put", f"{BASE}/schedules/01/shifts/b/assignment", write, data="{nope")
    assert r.status_code == 400
    r = api("put", f"{BASE}/schedules/01/shifts/b/assignment", write, json={"contact": "ghost"})
    assert r.status_code == 422
    r = api("put", f"{BASE}/schedules/01/shifts/zz/assignment", write, json={"contact": "luc"})
    assert r.status_code == 404
    assert oncall(api, make_token("oncall:read"), at="2023-05-02T10:00:00").status_code == 422
    assert api("get", f"{BASE}/oncall").status_code == 401


def test_the_openapi_document_describes_the_oncall_endpoints(api, make_token):
    schema = api("get", "/api/v1/openapi.json").json()
    assert "/api/v1/accounts/{number}/oncall" in schema["paths"]
    assert "OverrideIn" in schema["components"]["schemas"]


def test_the_look_up_is_served_ahead_of_the_api_framework(client):
    assert resolve(f"{BASE}/oncall").func is oncall_now


@pytest.mark.parametrize(
    "scheme, token_kind, number, query",
    [
        ("Bearer", "read", "4000", "at=2023-05-02T10:00:00-04:00"),
        ("Bearer", "read", "4000", "at=2023-05-02T10:00:00%2B02:00&role=OC&schedule=01"),
        ("Bearer", "read", "4000", "at=2023-05-02T10:00:00-04:00&role=XX"),
        ("Bearer", "client", "4000", "at=2023-05-02T10:00:00-04:00"),
        ("Bearer", "client", "4999", "at=2023-05-02T10:00:00-04:00"),  # not its account
        ("Bearer", "read", "4999", "at=2023-05-02T10:00:00-04:00"),  # no such account
        ("Bearer", "provision", "4000", ""),  # wrong scope
        ("Bearer", "read", "4000", "at=2023-05-02T10:00:00"),  # no offset
        ("Bearer", "read", "4000", "at=yesterday"),
        ("Bearer", "bogus", "4000", ""),  # unknown token
        ("Basic", "read", "4000", ""),  # not a bearer token
        (None, None, "4000", ""),  # none at all
    ],
)
def test_the_fast_look_up_answers_exactly_as_the_api_operation(
    rf, client, make_token, seeded, scheme, token_kind, number, query
):
    """Every answer of the hot path (status, type, body) equals the documented operation's."""
    write = make_token("oncall:write", [seeded])
    client.put(
        f"{BASE}/schedules/01/shifts/b/assignment",
        '{"contact": "anthony"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write}",
    )
    tokens = {
        "read": make_token("oncall:read"),
        "client": make_token("client", [seeded]),
        "provision": make_token("provision"),
        "bogus": "not-a-token",
    }
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {tokens[token_kind]}"} if scheme else {}
    path = f"/api/v1/accounts/{number}/oncall?{query}"
    fast = client.get(path, **headers)
    framework = _framework_view()(rf.get(path, **headers), number=number)
    assert fast.status_code == framework.status_code
    assert fast["Content-Type"].split(";")[0] == framework["Content-Type"].split(";")[0]
    assert fast.json() == json.loads(framework.content)
    if fast.status_code == 200 and "role=XX" not in query:
        assert fast.json()["entries"][0]["contact"]["name"] == "Anthony Giosi"


def test_other_methods_on_the_look_up_get_the_apis_405(api, make_token, seeded):
    r = api("post", f"{BASE}/oncall", make_token("oncall:read"), json={})
    assert r.status_code == 405
    assert r["Allow"] == "GET"
    assert "detail" in r.json()


def test_the_answer_is_in_the_accounts_zone_with_or_without_a_shift(api, make_token, seeded):
    token = make_token("oncall:read")
    covered = oncall(api, token, at="2023-05-02T14:00:00%2B00:00").json()
    assert covered["at"] == "2023-05-02T10:00:00-04:00"
    assert covered["entries"][0]["start"] == "2023-05-01T07:30:00-04:00"
    uncovered = oncall(api, token, at="2023-06-02T14:00:00%2B00:00").json()
    assert uncovered == {
        "account": "4000",
        "at": "2023-06-02T10:00:00-04:00",
        "covered": False,
        "entries": [],
    }


def test_on_postgresql_the_look_up_is_a_prepared_statement(api, make_token, seeded):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no prepared statements to look at")
    token = make_token("oncall:read")
    first = oncall(api, token).json()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%oncall_oncallinterval%"],
        )
        assert cursor.fetchone()[0] == 1
    assert oncall(api, token).json() == first  # the prepared statement answers the same


@pytest.mark.parametrize(
    "token_kind, number, query, status, body",
    [
        (None, "4000", "", 401, {"detail": "Missing or invalid token."}),
        ("bogus", "4000", "", 401, {"detail": "Missing or invalid token."}),
        (
            "provision",
            "4000",
            "",
            403,
            {"detail": "This token's scope (provision) does not allow this."},
        ),
        (
            "client",
            "4999",
            "",
            403,
            {"detail": "This token does not give access to this account."},
        ),
        ("read", "4999", "", 404, {"detail": "Unknown account: 4999"}),
        ("read", "40%0000", "", 404, {"detail": "Not found."}),
        ("read", "4000", "at=2023-05-02T10:00:00", 422, "at"),
        ("read", "4000", "at=0001-01-01T00:00:00%2B14:00", 422, "at"),
        ("read", "4000", "at=9999-12-31T23:59:59-12:00", 422, "at"),
        ("read", "4000", "role=O%00C", 422, "role"),
        ("read", "4000", "schedule=0%001", 422, "schedule"),
    ],
)
def test_the_look_ups_error_answers(
    api, make_token, seeded, token_kind, number, query, status, body
):
    """Fixed answers (not only "the same as the operation"): the contract's errors, never a 500."""
    tokens = {
        "read": make_token("oncall:read"),
        "client": make_token("client", [seeded]),
        "provision": make_token("provision"),
        "bogus": "not-a-token",
    }
    r = api("get", f"/api/v1/accounts/{number}/oncall?{query}", tokens.get(token_kind))
    assert r.status_code == status
    if isinstance(body, dict):
        assert r.json() == body
    else:
        assert r.json()["detail"] == "Validation failed"
        assert [e["field"] for e in r.json()["errors"]] == [body]


def test_the_fast_path_has_the_operations_auth_and_no_throttle():
    """oncall_now applies the API's token check by hand: the operation must have no other."""
    import inspect

    from portal.api.urls import api

    path_view = inspect.getclosurevars(_framework_view()).nonlocals["self"]
    (op,) = path_view.operations
    assert op.view_func.__name__ == "get_oncall"
    assert op.auth_callbacks == api.auth
    assert not op.throttle_objects


@pytest.mark.parametrize(
    "start, end",
    [
        ("0001-01-01T00:00:00+00:00", "0001-01-02T00:00:00+00:00"),
        ("0001-01-01T00:00:00+14:00", "2023-01-02T00:00:00+00:00"),
        ("9999-12-31T00:00:00+00:00", "9999-12-31T23:59:59-12:00"),
        ("1899-12-31T00:00:00+00:00", "2023-01-02T00:00:00+00:00"),
    ],
)
def test_a_shift_at_the_ends_of_the_calendar_is_refused_and_not_stored(
    api, provision, seeded, start, end
):
    r = api("put", f"{BASE}/schedules/01/shifts/far", provision, json={"start": start, "end": end})
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] in ("start", "end")
    assert not Shift.objects.filter(external_id="far").exists()
