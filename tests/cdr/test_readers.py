"""The readers on their own: documents split across any read size, line numbers, callerids
and channel names as Asterisk writes them."""

import io
import json

import pytest

from portal.calls import cdr
from tests.cdr.helpers import fixture


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_a_list_read_in_pieces_of_any_size_gives_each_document_and_its_line(chunk):
    text = fixture("freeswitch-list.json")
    sources = list(cdr.freeswitch_documents(io.StringIO(text), chunk=chunk))
    assert [s.raw for s in sources] == json.loads(text)
    assert [s.line for s in sources] == [2, 3, 4, 5, 6]
    assert not any(s.problem for s in sources)


def test_documents_one_a_line_and_one_alone():
    docs = json.loads(fixture("freeswitch-list.json"))
    lines = "\n".join(json.dumps(d) for d in docs[:3]) + "\n"
    assert [s.line for s in cdr.freeswitch_documents(io.StringIO(lines), chunk=64)] == [1, 2, 3]
    one = fixture("freeswitch/a1b2c3d4-0001-4a5b-9c8d-000000000001.cdr.json")
    assert [s.raw for s in cdr.freeswitch_documents(io.StringIO(one))] == [docs[0]]


@pytest.mark.parametrize(
    "text, problem",
    [
        ('[{"a": 1}, {"b": ', "Not valid JSON"),
        ('[{"a": 1} {"b": 2}]', "Expected ',' or ']'"),
        ('[{"a": 1}] x', "Text after the end of the list."),
        ('[{"a": 1}', "The list is not closed"),
    ],
)
def test_broken_json_ends_the_stream_with_the_reason(text, problem):
    sources = list(cdr.freeswitch_documents(io.StringIO(text), chunk=3))
    assert sources[0].raw == {"a": 1}
    assert problem in sources[-1].problem


def test_csv_lines_count_physical_lines_and_a_stray_quote_is_a_bad_row():
    text = '"4000","a\nb"\n\n"4000","x"y"\n"4000","z"\n'
    sources = list(cdr.asterisk_rows(io.StringIO(text, newline="")))
    assert [(s.line, s.raw, bool(s.problem)) for s in sources] == [
        (1, ["4000", "a\nb"], False),
        (4, None, True),
        (5, ["4000", "z"], False),
    ]


@pytest.mark.parametrize(
    "clid, expected",
    [
        ('"Doe, John" <5145551234>', ("Doe, John", "5145551234")),
        ('"O\'Brien" <6045550123>', ("O'Brien", "6045550123")),
        ("Bob <100>", ("Bob", "100")),
        ('"" <5145551234>', (None, "5145551234")),
        ("5145551234", (None, "5145551234")),
        ("Reception", ("Reception", None)),
        ("", (None, None)),
    ],
)
def test_callerids(clid, expected):
    assert cdr.split_clid(clid) == expected


@pytest.mark.parametrize(
    "channel, peer",
    [
        ("PJSIP/agent-1001-0000000a", "agent-1001"),
        ("SIP/ELD-00000012", "ELD"),
        ("Local/1001@agents-00000001;1", "1001@agents"),
        ("DAHDI/1-1", "1-1"),
        ("", None),
    ],
)
def test_channel_peers(channel, peer):
    assert cdr.channel_peer(channel) == peer
