"""The caller-ID search finds exactly the calls whose caller ID contains what was typed,
however the query is shaped for the trigram index (portal/calls/callerid.py)."""

import datetime as dt
import re
from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.calls.services import CallFilter, find_calls, split_recent, split_totals
from tests.calls.helpers import make_call

CALLERS = {
    "EXACT": "5147997004",
    "COUNTRY": "15147997004",  # the number with the country code before it
    "LONGER": "5147997004123",  # an extension after it
    "SAMETAIL": "4187997004",  # the same last seven digits, another area code
    "SHORTER": "514799700",
    "TAILONLY": "7997004",
    "WILD": "50%_off_now",
    "NOTWILD": "50AB_off_now",
    "EMPTY": "",
}


def _calls(account):
    for call_id, caller in CALLERS.items():
        make_call(account, call_id=call_id, caller_id=caller, ago=dt.timedelta(hours=1))


def found(account, typed: str) -> set[str]:
    return {c.call_id for c in find_calls([account], CallFilter(caller_id=typed))}


def test_the_calls_found_are_those_holding_the_digits(account):
    _calls(account)
    assert found(account, "(514) 799-7004") == {"EXACT", "COUNTRY", "LONGER"}
    assert found(account, "15147997004") == {"COUNTRY"}
    assert found(account, "7997004") == {"EXACT", "COUNTRY", "LONGER", "SAMETAIL", "TAILONLY"}
    assert found(account, "4187997004") == {"SAMETAIL"}
    assert found(account, "5147997004123") == {"LONGER"}
    assert found(account, "51479970041234") == set()
    # Not a phone number: the text itself, % and _ meaning themselves.
    assert found(account, "50%_off_now") == {"WILD"}
    assert found(account, "_off_now") == {"WILD", "NOTWILD"}
    for typed in ("5147997004", "7997004", "799700", "15147997004", "50%_off_now"):
        expected = {i for i, caller in CALLERS.items() if typed in caller}
        assert found(account, typed) == expected, typed


def test_the_index_is_given_the_last_digits_and_every_row_the_whole_number(account):
    sql = str(find_calls([account], CallFilter(caller_id="514 799 7004")).query)
    if connection.vendor == "postgresql":
        # The trigram index sees the subscriber's number only (rare trigrams); STRPOS,
        # which it cannot use, tests the whole number on each call it finds.
        assert "LIKE %7997004%" in sql and "%5147997004%" not in sql
        assert "STRPOS" in sql.upper() and "5147997004" in sql
    else:
        assert "%5147997004%" in sql
    short = str(find_calls([account], CallFilter(caller_id="7997004")).query)
    assert "%7997004%" in short and "STRPOS" not in short.upper()


def test_both_sections_count_and_total_the_calls_found(member_client, account):
    make_call(account, call_id="NOW1", caller_id="5147997004", duration_s=60)
    make_call(account, call_id="NOW2", caller_id="15147997004", duration_s=90)
    make_call(
        account, call_id="OLD1", caller_id="5147997004", duration_s=300, ago=dt.timedelta(days=20)
    )
    make_call(account, call_id="OTHER", caller_id="4187997004", duration_s=600)
    qs = find_calls([account], CallFilter(caller_id="5147997004"))
    recent, archive = split_totals(qs)
    assert recent == {"count": 2, "minutes": 2.5} and archive == {"count": 1, "minutes": 5.0}
    # The same as counting each section on its own.
    recent_qs, archive_qs = split_recent(qs)
    assert recent["count"] == recent_qs.count() and archive["count"] == archive_qs.count()
    url = reverse("calls", kwargs={"account_number": account.number})
    query = {"preset": "hour", "preset_shown": "hour", "caller_id": "514-799-7004"}
    html = member_client.get(f"{url}?{urlencode(query)}").content.decode()
    results, archived = html.split('id="archive-title"')
    assert re.search(r'class="count">\(2\)', results) and "NOW1" in results and "NOW2" in results
    assert re.search(r'class="count">\(1\)', archived) and "OLD1" in archived
    assert "OTHER" not in html
    assert ">7.5</strong>" in html  # 60 + 90 + 300 s


def test_a_section_without_calls_is_not_searched_for_its_rows(member_client, account):
    """Page one of the last hour: one query counts both sections, one reads the recent rows;
    the archive (empty) is not read; its page beyond the last call neither."""
    make_call(account, call_id="LASTHOUR", ago=dt.timedelta(minutes=10))
    url = reverse("calls", kwargs={"account_number": account.number})
    with CaptureQueriesContext(connection) as queries:
        html = member_client.get(url).content.decode()
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "calls_call"' in q["sql"]]
    assert len(reads) == 2, reads
    assert "COUNT(" in reads[0].upper() and "LIMIT 51" in reads[1]
    assert "LASTHOUR" in html and 'class="count">(1)' in html
    with CaptureQueriesContext(connection) as queries:
        html = member_client.get(f"{url}?p=2").content.decode()
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "calls_call"' in q["sql"]]
    assert len(reads) == 1 and "LASTHOUR" not in html and 'class="count">(1)' in html
