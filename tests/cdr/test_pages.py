"""Calls that came as CDRs are in the Call Log and the Statistics like any other, for the
account's members only."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from tests.cdr.helpers import ASTERISK, FREESWITCH, fixture

pytestmark = pytest.mark.django_db


def page_rows(html):
    rows = re.findall(
        r'<tr data-key="(\w+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td>',
        html,
    )
    return {key: (num, pct) for key, num, pct in rows}


def yesterday_csv(account) -> tuple[str, str]:
    """Master.csv's answered row, moved to yesterday 10:00 in the account's zone."""
    day = (dt.datetime.now(account.tz) - dt.timedelta(days=1)).date()
    row = fixture("Master.csv").splitlines()[0].replace("2026-10-15", day.isoformat())
    return row + "\n", day.isoformat()


def test_the_call_log_shows_an_asterisk_call_to_members_only(
    api, make_token, account, member_client, outsider_client, anon_client
):
    body, day = yesterday_csv(account)
    r = api("post", ASTERISK, make_token(), data=body, content_type="text/csv")
    assert r.status_code == 200, r.content
    url = reverse("calls", kwargs={"account_number": "4000"})
    query = {"preset": "dates", "start_date": day, "end_date": day}
    html = member_client.get(url, query).content.decode()
    assert "1792069200.1" in html
    assert "Doe, John" in html and "5145551234" in html
    assert "00:01:47" in html  # 107 s
    assert outsider_client.get(url, query).status_code == 404
    signed_out = anon_client.get(url, query)
    assert signed_out.status_code == 302 and "1792069200.1" not in signed_out.content.decode()


def test_the_call_log_shows_a_freeswitch_call(api, make_token, account, member_client):
    doc = json.loads(fixture("freeswitch/a1b2c3d4-0001-4a5b-9c8d-000000000001.cdr.json"))
    shift = int(dt.datetime.now(dt.UTC).timestamp()) - 86400 - int(doc["variables"]["start_epoch"])
    for name, value in doc["variables"].items():
        if name.endswith("_epoch") and value != "0":
            doc["variables"][name] = str(int(value) + shift)
        elif name.endswith("_uepoch") and value != "0":
            doc["variables"][name] = str(int(value) + shift * 1_000_000)
    r = api("post", FREESWITCH, make_token(), data=json.dumps(doc))
    assert r.status_code == 200, r.content
    day = (dt.datetime.now(account.tz) - dt.timedelta(days=1)).date().isoformat()
    url = reverse("calls", kwargs={"account_number": "4000"})
    html = member_client.get(url, {"preset": "dates", "start_date": day, "end_date": day})
    html = html.content.decode()
    assert "a1b2c3d4-0001-4a5b-9c8d-000000000001" in html
    assert "Doe, John" in html and "1001@default" in html


def test_the_statistics_count_asterisk_calls_by_the_contract(
    api, make_token, account, other_account, member_client, outsider_client
):
    client = member_client
    api("post", ASTERISK, make_token(), data=fixture("Master.csv"), content_type="text/csv")
    url = reverse("stats", args=["4000"])
    period = {"start": "2026-10-15", "end": "2026-11-01"}
    html = client.get(url, period).content.decode()
    rows = page_rows(html)
    # 4000's six rows: answered (107 s), rang an agent unanswered (25 s), busy (4 s),
    # voicemail (41 s), answered across the DST change (1200 s), a greeting (300 s).
    assert rows["total_incoming"] == ("5", "100.0\u00a0%")
    assert rows["automated"] == ("2", "40.0\u00a0%")
    assert rows["agent_calls"] == ("3", "60.0\u00a0%")
    assert rows["system_abandon"] == ("0", "0.0\u00a0%")
    assert rows["agent_abandon"] == ("1", "33.3\u00a0%")
    assert rows["answered_of_total"] == ("2", "40.0\u00a0%")
    assert rows["avg_wait_s"][0] == "10.0"  # rang 12 s and 8 s
    assert rows["within_30s"] == ("2", "100.0\u00a0%")
    assert rows["busies"][0] == "1"
    assert outsider_client.get(url, period).status_code == 404


def test_the_statistics_count_freeswitch_queue_calls(
    api, make_token, account, other_account, member_client
):
    api("post", FREESWITCH, make_token(), data=fixture("freeswitch-list.json"))
    url = reverse("stats", args=["4000"])
    rows = page_rows(
        member_client.get(url, {"start": "2026-10-15", "end": "2026-10-15"}).content.decode()
    )
    # Account 4000: answered by an agent after the queue, left the queue, IVR only, busy.
    assert rows["total_incoming"][0] == "3"
    assert rows["automated"][0] == "1"
    assert rows["system_abandon"][0] == "1"
    assert rows["answered_of_total"][0] == "1"
    assert rows["held"][0] == "1"  # 25 s of hold
    assert rows["avg_hold_s"][0] == "25"
    assert rows["avg_wait_s"][0] == "25.0"  # joined at 4.75 s, answered at 29.75 s
    assert rows["busies"][0] == "1"
