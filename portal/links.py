"""Links for many rows from one reverse().

A page of fifty rows with a link or three each spent a good part of its time in reverse().
`url_maker` reverses the URL once with markers in place of its parameters; each row's values
are then put in their place, percent-encoded. The path is the one reverse() gives; only its
encoding of a value may differ (every reserved character is encoded), which resolves alike.
"""

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse


def url_maker(name: str, *params: str) -> Callable[..., str]:
    """`url_maker("call_voice", "account_number", "call_id")("4000", "c1")` is
    `/a/4000/calls/c1/voice/`: the URL named `name` for these values of `params`, in order."""
    markers = [f"URLMARKER{i}X" for i in range(len(params))]
    template = reverse(name, kwargs=dict(zip(params, markers, strict=True)))
    # The text between the values, and which value comes where (the pattern's order).
    order = sorted(range(len(markers)), key=lambda i: template.index(markers[i]))
    pieces, rest = [], template
    for i in order:
        head, rest = rest.split(markers[i], 1)
        pieces.append(head)

    def make(*values) -> str:
        if len(values) != len(markers):
            raise ValueError(f"{name} takes {len(markers)} values, not {len(values)}")
        out = []
        for piece, i in zip(pieces, order, strict=True):
            out += (piece, quote(str(values[i]), safe=""))
        out.append(rest)
        return "".join(out)

    return make
