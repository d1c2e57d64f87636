"""POST /api/v1/ingest/cdr/asterisk: Master.csv rows as cdr_csv writes them, as calls."""

import pytest

from portal.accounts.models import AuditLog
from portal.calls.models import Call
from tests.cdr.helpers import ASTERISK, counts, fixture

pytestmark = pytest.mark.django_db


def post(api, token, body, query="", content_type="text/csv"):
    return api("post", ASTERISK + query, token, data=body, content_type=content_type)


def calls():
    return {c.call_id: c for c in Call.objects.select_related("account", "agent")}


def test_every_row_becomes_a_call_with_what_the_portal_can_use(api, ingest, clinics):
    r = post(api, ingest, fixture("Master.csv"))
    assert r.status_code == 200, r.content
    assert r.json() == counts(created=7)
    by_id = calls()
    # Answered by an agent: the quoted callerid with its comma, the agent's device, 12 s of
    # ringing (the wait), 95 s of talk.
    answered = by_id["1792069200.1"]
    assert answered.account.number == "4000"
    assert (answered.caller_name, answered.caller_id) == ("Doe, John", "5145551234")
    assert answered.station == "agent-1001"
    assert answered.started_at.isoformat() == "2026-10-15T13:00:00+00:00"  # 09:00 EDT
    assert answered.duration_ms == 107_000
    assert (answered.queued_ms, answered.assigned_ms, answered.answered_ms) == (0, 12_000, 12_000)
    assert answered.work_ms == 95_000
    assert answered.stat_class == Call.ANSWERED
    assert answered.agent is None and answered.holds_ms == [] and answered.quality is None
    # Rang an agent's phone, the caller hung up: agent abandon.
    rang = by_id["1792069500.3"]
    assert rang.caller_name == "Tremblay, Marie-Ève"
    assert (rang.queued_ms, rang.assigned_ms, rang.answered_ms) == (0, 0, None)
    assert rang.stat_class == Call.AGENT_ABANDON
    # BUSY: a busy, not counted in Total Incoming.
    busy = by_id["1792069800.5"]
    assert busy.busy and busy.stat_class == Call.NOT_COUNTED
    # Answered by the voicemail application, no agent: automated.
    voicemail = by_id["1792070400.7"]
    assert voicemail.queued_ms is None and voicemail.station == ""
    assert voicemail.stat_class == Call.AUTOMATED
    # Account 5000's local times are Vancouver's: 06:30 PDT is 13:30 UTC.
    other = by_id["1792071000.9"]
    assert other.account.number == "5000"
    assert other.started_at.isoformat() == "2026-10-15T13:30:00+00:00"
    assert other.caller_name == "O'Brien, Anne"


def test_local_times_in_the_hour_the_clocks_go_back(api, ingest, clinics):
    """2026-11-01 in Toronto: 01:00–02:00 happens twice. A call from 01:50 EDT to 01:10 EST
    (its end written before its start) lasts 1200 s; a call at 01:20 in the second pass is
    told from the first by its uniqueid's epoch."""
    post(api, ingest, fixture("Master.csv"))
    by_id = calls()
    night = by_id["1793512200.11"]
    assert night.started_at.isoformat() == "2026-11-01T05:50:00+00:00"  # 01:50 EDT
    assert night.duration_ms == 1_200_000 and night.answered_ms == 8_000
    late = by_id["1793514000.13"]
    assert late.started_at.isoformat() == "2026-11-01T06:20:00+00:00"  # 01:20 EST
    assert (late.local_date.isoformat(), late.local_minute) == ("2026-11-01", 80)


def test_the_tz_option_reads_the_times_in_another_zone(api, ingest, clinics):
    """usegmtime=yes: cdr_csv writes UTC; tz=UTC says so."""
    r = post(api, ingest, fixture("Master.csv"), "?tz=UTC")
    assert r.status_code == 200, r.content
    call = Call.objects.get(call_id="1792069200.1")
    assert call.started_at.isoformat() == "2026-10-15T09:00:00+00:00"
    other = Call.objects.get(call_id="1792071000.9")
    assert other.started_at.isoformat() == "2026-10-15T06:30:00+00:00"


def test_an_unknown_zone_is_refused(api, ingest, clinics):
    r = post(api, ingest, fixture("Master.csv"), "?tz=Mars/Olympus")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"index": None, "field": "tz", "message": "Unknown time zone: Mars/Olympus"}
    ]
    assert not Call.objects.exists()


def test_sending_the_file_again_stores_nothing_new_and_a_change_updates(api, ingest, clinics):
    body = fixture("Master.csv")
    assert post(api, ingest, body).json() == counts(created=7)
    assert post(api, ingest, body).json() == counts(unchanged=7)
    changed = body.replace(",107,95,", ",110,98,")
    assert post(api, ingest, changed).json() == counts(updated=1, unchanged=6)
    assert Call.objects.get(call_id="1792069200.1").duration_ms == 110_000
    assert Call.objects.count() == 7


def test_without_uniqueid_the_key_is_start_channel_and_source(api, ingest, clinics):
    body = fixture("Master-16-columns.csv")
    assert post(api, ingest, body).json() == counts(created=2)
    assert post(api, ingest, body).json() == counts(unchanged=2)
    ids = sorted(Call.objects.values_list("call_id", flat=True))
    assert all(i.startswith("ast-") and len(i) == 36 for i in ids)
    eld = Call.objects.get(station="ELD")
    assert eld.answered_ms == 9_000 and eld.work_ms == 111_000


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_stored(api, ingest, clinics):
    r = post(api, ingest, fixture("Master-bad.csv"))
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    by_line = {e["line"]: e for e in errors}
    assert sorted(by_line) == [2, 3, 4, 5, 6]
    assert by_line[2]["field"] == "account" and "Unknown account: 9999" in by_line[2]["message"]
    assert by_line[3]["field"] == "start" and "YYYY-MM-DD HH:MM:SS" in by_line[3]["message"]
    assert "this row has 4" in by_line[4]["message"]
    assert by_line[5]["field"] == "start" and "does not exist" in by_line[5]["message"]
    assert by_line[6]["field"] == "duration" and "negative" in by_line[6]["message"]
    assert [e["index"] for e in errors] == [1, 2, 3, 4, 5]
    assert r.json()["detail"] == "5 bad row(s); nothing stored."
    assert not Call.objects.exists()


def test_a_quoted_field_may_hold_a_line_break_and_lines_still_count(api, ingest, clinics):
    rows = fixture("Master.csv").splitlines()
    first = rows[0].replace('"ticket ""A-17"", urgent"', '"ticket\nA-17"')
    bad = rows[1].replace('"4000","4185550000"', '"4000","4185550000"').replace(",25,0,", ",x,0,")
    r = post(api, ingest, first + "\n" + bad + "\n")
    assert r.status_code == 422
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(3, "duration")]


def test_a_header_line_and_blank_lines_are_skipped(api, ingest, clinics):
    header = ",".join(
        "accountcode src dst dcontext clid channel dstchannel lastapp lastdata start answer "
        "end duration billsec disposition amaflags uniqueid userfield".split()
    )
    body = header + "\n\n" + fixture("Master.csv")
    assert post(api, ingest, body).json() == counts(created=7)


def test_content_type_size_scope_and_token(api, ingest, clinics, make_token, settings):
    body = fixture("Master.csv")
    r = post(api, ingest, body, content_type="application/json")
    assert r.status_code == 415 and "text/csv" in r.json()["detail"]
    assert post(api, None, body).status_code == 401
    assert post(api, make_token("provision"), body).status_code == 403
    assert post(api, ingest, body, content_type="text/csv; charset=utf-8").status_code == 200
    settings.PORTAL = {**settings.PORTAL, "API_MAX_BATCH": 3}
    r = post(api, ingest, body)
    assert r.status_code == 413 and "At most 3 records" in r.json()["detail"]
    settings.PORTAL = {**settings.PORTAL, "API_MAX_BODY_BYTES": 100}
    r = post(api, ingest, body)
    assert r.status_code == 413 and r.json()["detail"] == "The body is larger than 100 bytes."
    assert Call.objects.count() == 7


def test_one_audit_entry_a_request(api, ingest, clinics):
    post(api, ingest, fixture("Master.csv"))
    entry = AuditLog.objects.get(action="api.ingest.cdr.asterisk")
    assert entry.actor == "api:pbx"
    assert entry.detail["records"] == 7 and entry.detail["created"] == 7


@pytest.mark.parametrize(
    "body",
    [
        '"4000","1","2","c","n","ch","","app","d","9999-12-31 23:59:59",,"9999-12-31 23:59:59",'
        '0,0,"NO ANSWER","DOCUMENTATION"\n',
        '"4000","1","2","c","n","ch","","app","d","0001-01-01 00:00:00",,"0001-01-01 00:01:00",'
        '60,0,"NO ANSWER","DOCUMENTATION"\n',
        '"4000","1","2","c","n","ch","","app","d","2026-10-15 09:00:00",,"2026-10-15 09:00:05",'
        '99999999999999999999,0,"NO ANSWER","DOCUMENTATION"\n',
        '"4000","1","2","c","n","ch","","app","d","2026-10-15 09:00:00",,"",5,0,"X","Y","'
        + "9" * 80
        + '.1"\n',
        '"4000\x00","1"\n',
        '"unterminated\n',
        ",,,,,,,,,,,,,,,,\n",
    ],
)
def test_odd_rows_are_bad_rows_never_a_server_error(api, ingest, clinics, body):
    r = post(api, ingest, body)
    assert r.status_code == 422, r.content
    assert r.json()["errors"] and all(e["line"] == 1 for e in r.json()["errors"])
    assert not Call.objects.exists()
