"""portal.links.url_maker: many rows' links from one reverse()."""

from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from portal.links import url_maker


@pytest.mark.parametrize(
    "name, params, values",
    [
        ("message_detail", ("account_number", "message_id"), ("4000", "m1")),
        ("call_voice", ("account_number", "call_id"), ("4000", "20231201-7")),
        ("inbox", ("account_number",), ("5230",)),
    ],
)
def test_it_gives_what_reverse_gives(name, params, values):
    assert url_maker(name, *params)(*values) == reverse(
        name, kwargs=dict(zip(params, values, strict=True))
    )


@pytest.mark.parametrize("value", ["m<1>", "a b&c=d", "é#?", "x@y:z", "50%", "URLMARKER0X"])
def test_any_value_comes_back_whole_from_the_url(value):
    url = url_maker("message_detail", "account_number", "message_id")("4000", value)
    match = resolve(unquote(url))  # (the server decodes the path before it resolves)
    assert match.url_name == "message_detail"
    assert match.kwargs == {"account_number": "4000", "message_id": value}


def test_each_value_takes_its_own_place():
    make = url_maker("call_recording", "call_id", "account_number")  # not the path's order
    assert make("c1", "4000") == reverse("call_recording", args=["4000", "c1"])
    make = url_maker("call_recording", "account_number", "call_id")
    # A value that looks like the next marker does not move the next value.
    url = make("URLMARKER1X", "c1")
    assert resolve(unquote(url)).kwargs == {"account_number": "URLMARKER1X", "call_id": "c1"}
    with pytest.raises(ValueError):
        make("4000")  # one value short
