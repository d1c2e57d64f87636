"""The inbox's search rules below the page: which of the period radios and the typed dates
decides, the Message ID look-up (only the login's accounts, within retention), the span and
the count in words."""

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.utils import timezone

from portal.inbox.forms import resolve_period
from portal.inbox.services import MessageFilter, find_messages, searched_span
from portal.inbox.wording import count_in_words
from tests.calls.helpers import make_message


@pytest.mark.parametrize(
    "query, expected",
    [
        ("period=week&preset_shown=week&start=2026-11-01", ""),  # typed dates win
        ("period=today&preset_shown=&start=2026-11-01", "today"),  # a changed radio wins
        ("period=week&preset_shown=week", "week"),  # nothing typed: the radio as drawn
        ("preset_shown=", ""),  # the page's default
        ("period=week&start=2026-11-01", None),  # an old link: the older reading
    ],
)
def test_which_of_the_radio_and_the_dates_decides(query, expected):
    assert resolve_period(QueryDict(query)) == expected


def test_a_message_id_finds_that_message_whatever_else_is_asked(account, other_account):
    old = make_message(account, ago=dt.timedelta(days=10), message_id="M-1", status="closed")
    make_message(other_account, message_id="M-2")
    make_message(account, ago=dt.timedelta(days=70), message_id="M-3")
    f = MessageFilter(period="today", boxes={"urgent"}, q="nothing like it", message_id="M-1")
    assert list(find_messages([account], f)) == [old]
    # Another login's account is not searched; nor is a message past retention.
    assert not find_messages([account], MessageFilter(message_id="M-2")).exists()
    assert not find_messages([account], MessageFilter(message_id="M-3")).exists()


def test_the_page_finds_a_message_id_in_every_account_of_the_login(
    client, make_user, account, other_account, make_account
):
    third = make_account("6000", "THIRD")
    make_message(other_account, subject="IN THE OTHER", message_id="M-9")
    make_message(third, subject="NOT MINE", message_id="M-8")
    client.force_login(make_user("two", account, other_account))
    html = client.get("/a/4000/messages/?filtered=1&message_id=M-9&options=open").content
    assert b"IN THE OTHER" in html and b"1 message<" in html
    html = client.get("/a/4000/messages/?filtered=1&message_id=M-8&options=open").content
    assert b"NOT MINE" not in html and b"0 messages<" in html


def test_the_span_searched_is_the_accounts_days_and_no_older_than_retention(account):
    now = dt.datetime(2026, 7, 15, 16, 0, tzinfo=dt.UTC)  # noon in Toronto
    lo, hi = searched_span(account, MessageFilter(period="yesterday"), now)
    assert (lo.astimezone(account.tz).isoformat(), hi.astimezone(account.tz).isoformat()) == (
        "2026-07-14T00:00:00-04:00",
        "2026-07-15T00:00:00-04:00",
    )
    lo, hi = searched_span(account, MessageFilter(start=dt.date(2000, 1, 1)), now)
    assert (lo, hi) == (now - dt.timedelta(days=account.retention_days), now)
    assert timezone.is_aware(lo)


def test_the_count_in_both_languages():
    from django.utils import translation

    assert [count_in_words(n) for n in (0, 1, 2)] == ["0 messages", "1 message", "2 messages"]
    with translation.override("fr"):
        assert [count_in_words(n) for n in (0, 1, 2)] == ["0 message", "1 message", "2 messages"]
    assert count_in_words(1000) == "1000 messages"
    assert count_in_words(1001) == "More than 1,000 messages"
    with translation.override("fr"):
        assert count_in_words(1001) == "Plus de 1\xa0000 messages"


def test_a_count_past_a_thousand_stops_counting(member_client, account):
    """The page counts up to 1,001 matches (a LIMIT inside the count) and says "More than"."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.inbox.models import Message
    from portal.inbox.services import search_text

    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            message_id=f"C{i}", account=account, taken_at=now - dt.timedelta(minutes=i),
            subject="PLUMBING", search_text=search_text("PLUMBING", [], ""),
        )
        for i in range(1005)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        page = member_client.get(
            f"/a/{account.number}/messages/", {"q": "PLUMBING"}
        ).content.decode()
    assert "More than 1,000 messages" in page, re.findall(r'result-count">([^<]*)', page)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 1001" in sql for sql in counts), counts
