"""The keyword search's count (capped at COUNT_CAP + 1): one account's messages counted
newest first along its (account, taken_at) index, the same count as the messages found."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.inbox import services
from portal.inbox.services import MessageFilter, count_messages, find_messages
from tests.calls.helpers import make_message


def _messages(account, other_account):
    for i in range(4):
        make_message(account, ago=dt.timedelta(hours=i + 1), body="toiture infiltration")
    make_message(account, ago=dt.timedelta(hours=6), body="toiture seulement")
    make_message(other_account, ago=dt.timedelta(hours=1), body="toiture infiltration")


def test_one_accounts_count_reads_its_newest_first_and_matches_the_search(account, other_account):
    _messages(account, other_account)
    f = MessageFilter(q="infiltration toiture")
    with CaptureQueriesContext(connection) as queries:
        n = count_messages([account], f)
    assert n == 4 == find_messages([account], f).count()
    sql = queries.captured_queries[-1]["sql"]
    assert 'ORDER BY "inbox_message"."taken_at" DESC LIMIT' in sql, sql
    both = count_messages([account, other_account], f)
    assert both == 5 == find_messages([account, other_account], f).count()


def test_the_count_stops_past_the_cap(account, other_account, monkeypatch):
    _messages(account, other_account)
    monkeypatch.setattr(services, "COUNT_CAP", 2)
    f = MessageFilter(q="toiture")
    assert count_messages([account], f) == 3  # COUNT_CAP + 1: "more than 2"
    assert count_messages([account, other_account], f) == 3
