"""The access table: every client URL is tried by a member, an outsider and someone signed out.

Each area of the tests declares its URLs in `tests/<area>/access_cases.py`:

    from tests.access import AccessCase
    CASES = [
        AccessCase("inbox"),
        AccessCase("message_detail", setup=lambda account: {"message_id": make(account).message_id}),
        AccessCase("message_close", method="post", member_status=302),
    ]

`setup(account)` builds what the URL needs in the member's account and returns the URL's
keyword arguments (besides account_number). tests/test_tenancy_walk.py runs every case and
fails when a URL pattern under /a/<account_number>/ has no case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AccessCase:
    name: str
    setup: Callable[[Any], dict] | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)
    member_status: int | tuple[int, ...] = 200
