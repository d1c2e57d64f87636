"""The call log's caller-ID search: the calls whose caller ID contains what was typed.

On PostgreSQL a trigram index (`calls.0005`, pg_trgm) answers `caller_id LIKE '%…%'`. The
index reads the list of every trigram of the pattern, and the first digits of a region's
numbers (country and area code: "514…") are in nearly every call: at 10,000,000 calls the
list of "514" alone holds ten million entries, which the scan decodes whole (4,800 index
pages, 140 ms, for one number). The last digits tell callers apart. So the index is given
only the last TAIL characters of a longer pattern (their trigrams are rare: a few hundred
pages), and each call it finds is then tested for the whole pattern with strpos(), which the
index does not see. strpos() is the same test as PostgreSQL's LIKE '%…%' (case-sensitive,
no wildcard), so the calls found are the same; any call holding the pattern holds its tail.

SQLite has no such index: the plain `contains` as before (its LIKE ignores ASCII case).
"""

from django.db import connections
from django.db.models import QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

# The subscriber's number, without the country and area code.
TAIL = 7


def with_caller_id(qs: QuerySet, wanted: str) -> QuerySet:
    """`qs` narrowed to the calls whose caller ID contains `wanted` (not empty)."""
    if connections[qs.db].vendor != "postgresql" or len(wanted) <= TAIL:
        return qs.filter(caller_id__contains=wanted)
    return qs.filter(caller_id__contains=wanted[-TAIL:]).filter(
        GreaterThan(StrIndex("caller_id", Value(wanted)), 0)
    )
