"""The on-call answer's `covered` (contract, "Additions of 2026-12"): true when at least one
entry has a contact; where no shift covers `at`, `entries` is [] and covered is false."""

import datetime as dt

import pytest

import portal.urls  # noqa: F401  (the API first: portal.oncall.api is imported by it)
from portal.oncall import services
from tests.oncall.helpers import STAFF, contact

pytestmark = pytest.mark.django_db

BASE = "/api/v1/accounts/4000"
Y = dt.date.today().year + 2  # ahead, so that assigning is not a correction of the past


def iso(month, day, hour):
    return f"{Y}-{month:02d}-{day:02d}T{hour:02d}:00:00-04:00"


@pytest.fixture
def world(api, make_token, account):
    """Two shifts of "01 Horaire" with a night between them (no shift), ranks 0 and 1 on the
    first; Anthony holds rank 0 of the first shift only."""
    provision = make_token("provision", name="provisioning")
    assert api("put", f"{BASE}/schedules/01", provision, json={"name": "01 Horaire"}).status_code
    for sid, start, end, rank in [
        ("day-0", iso(6, 1, 8), iso(6, 1, 18), 0),
        ("day-1", iso(6, 1, 8), iso(6, 1, 18), 1),
        ("next", iso(6, 2, 8), iso(6, 2, 18), 0),
    ]:
        r = api(
            "put",
            f"{BASE}/schedules/01/shifts/{sid}",
            provision,
            json={"start": start, "end": end, "rank": rank},
        )
        assert r.status_code == 200, r.content
    anthony = contact(account, "anthony", "Anthony Giosi")
    schedule = account.schedules.get(external_id="01")
    services.assign(schedule.shifts.get(external_id="day-0"), anthony, actor=STAFF)
    return make_token("oncall:read")


def ask(api, token, at):
    r = api("get", f"{BASE}/oncall?at={at.replace('+', '%2B')}", token)
    assert r.status_code == 200, r.content
    return r.json()


def test_covered_when_an_entry_has_a_contact(api, world):
    body = ask(api, world, iso(6, 1, 12))
    assert body["covered"] is True
    assert [(e["rank"], e["source"]) for e in body["entries"]] == [
        (0, "assignment"),
        (1, "unassigned"),  # rank 1 has nobody, but someone is on call
    ]


def test_not_covered_when_every_entry_is_a_gap(api, world):
    body = ask(api, world, iso(6, 2, 12))
    assert body["covered"] is False
    assert [(e["shift_id"], e["contact"]) for e in body["entries"]] == [("next", None)]


def test_between_shifts_there_is_no_entry_and_nobody_is_covered(api, world):
    body = ask(api, world, iso(6, 1, 23))
    assert body == {
        "account": "4000",
        "at": f"{Y}-06-01T23:00:00-04:00",
        "covered": False,
        "entries": [],
    }
    # The role and schedule filters answer the same way when they leave no entry.
    assert ask(api, world, iso(6, 1, 12) + "&role=NOPE")["covered"] is False


def test_an_account_without_any_schedule_is_not_covered(api, world, make_account, make_token):
    make_account("4100", "EMPTY")
    token = make_token("oncall:read")
    r = api("get", "/api/v1/accounts/4100/oncall", token)
    assert r.status_code == 200 and r.json()["covered"] is False and r.json()["entries"] == []


def test_the_openapi_document_describes_covered(client):
    schema = client.get("/api/v1/openapi.json").json()
    out = schema["components"]["schemas"]["OnCallOut"]
    assert out["properties"]["covered"]["type"] == "boolean"
    assert "covered" in out["required"]
    assert "contact" in out["properties"]["covered"]["description"]
    op = schema["paths"]["/api/v1/accounts/{number}/oncall"]["get"]
    assert "covered" in op["responses"]["200"]["description"]
