"""The contract's client reading lists: messages and calls, cursor paging, token scope."""

import datetime as dt

from portal.accounts.models import AuditLog
from tests.calls.helpers import add_recording, make_call, make_message, wav_bytes


def test_messages_are_listed_newest_first_with_cursor_paging(api, make_token, account):
    for hours in range(5):
        make_message(account, ago=dt.timedelta(hours=hours + 1), message_id=f"M{hours}")
    token = make_token("client", [account])
    first = api("get", "/api/v1/accounts/4000/messages?limit=2", token).json()
    assert [m["message_id"] for m in first["results"]] == ["M0", "M1"]
    assert first["results"][0]["events"] and first["results"][0]["status"] == "open"
    second = api("get", first["next"].split("testserver")[-1], token).json()
    assert [m["message_id"] for m in second["results"]] == ["M2", "M3"]
    third = api("get", second["next"].split("testserver")[-1], token).json()
    assert [m["message_id"] for m in third["results"]] == ["M4"] and third["next"] is None


def test_messages_filters(api, make_token, account):
    make_message(account, message_id="A", fields=[["Produit", "Réfrigérateur"]], urgent=True)
    make_message(account, message_id="B", status="closed")
    token = make_token("ingest")

    def ids(q):
        return [
            m["message_id"]
            for m in api("get", f"/api/v1/accounts/4000/messages?{q}", token).json()["results"]
        ]

    assert ids("q=refrigerateur") == ["A"]
    assert ids("status=closed") == ["B"]
    assert ids("urgent=true") == ["A"]
    assert (
        api("get", "/api/v1/accounts/4000/messages?start=2024-01-01T00:00:00", token).status_code
        == 422
    )
    assert api("get", "/api/v1/accounts/4000/messages?limit=501", token).status_code == 422


def test_a_client_token_reads_only_its_accounts(api, make_token, account, other_account):
    token = make_token("client", [account])
    assert api("get", "/api/v1/accounts/5000/messages", token).status_code == 403
    assert api("get", "/api/v1/accounts/5000/calls", token).status_code == 403
    assert api("get", "/api/v1/accounts/4000/calls").status_code == 401
    assert api("get", "/api/v1/accounts/4000/calls", make_token("provision")).status_code == 403


def test_calls_carry_an_access_checked_recording_url(api, make_token, account):
    data = wav_bytes(1)
    call = add_recording(make_call(account, call_id="15319140", duration_s=37), data)
    make_call(account, call_id="15319141", duration_s=600, ago=dt.timedelta(hours=2))
    token = make_token("client", [account])
    body = api("get", "/api/v1/accounts/4000/calls?max_duration_s=60", token).json()
    assert [c["call_id"] for c in body["results"]] == [call.call_id]
    item = body["results"][0]
    assert item["has_recording"] is True and item["duration_s"] == 37
    path = item["recording_url"].split("testserver")[-1]
    assert path == "/api/v1/accounts/4000/calls/15319140/recording"
    whole = api("get", path, token)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    part = api("get", path, token, HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[:10]
    assert api("get", path).status_code == 401
    assert AuditLog.objects.filter(action="recording.download", actor="api:test-client").exists()


def test_a_recording_of_another_account_is_a_404_by_api(api, make_token, account, other_account):
    theirs = add_recording(make_call(other_account))
    token = make_token("client", [account])
    # Asked for under an account the token may read: the call is not there.
    assert (
        api("get", f"/api/v1/accounts/4000/calls/{theirs.call_id}/recording", token).status_code
        == 404
    )
    # An ingest token may read all accounts, but not a call through the wrong account.
    ingest = make_token("ingest")
    assert (
        api("get", f"/api/v1/accounts/4000/calls/{theirs.call_id}/recording", ingest).status_code
        == 404
    )
    assert (
        api("get", f"/api/v1/accounts/5000/calls/{theirs.call_id}/recording", token).status_code
        == 403
    )
