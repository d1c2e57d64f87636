"""The statistics' pre-aggregated rollups (CallRollup): kept by ingest, rebuilt by a command.

One row per account, local day, local hour, agent and distribution group holds the SUM of
each figure portal.stats.services.aggregates() counts per call (the same conditions, written
here in SQL). Ingest (`ingest_calls`, the one code path of the API, the CDR import, the
seeder) refreshes every hour bucket a batch touched — before and after, so a call that moved
leaves its old hour — by recomputing it from the calls table under a lock on the bucket;
the purge and a time zone change refresh what they touched; `manage.py
rebuild_call_rollups` rebuilds everything (after a restore, or a bulk load that went around
ingest). portal.stats.services reads the rollups when the filters fall on whole hours.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable

from django.db import connection, transaction

from portal.calls.models import Call, CallRollup

Bucket = tuple[int, dt.date, int]  # account id, local date, local hour

MEASURES = (
    "t", "g", "s", "n", "b", "r", "worked", "work_ms", "h", "hold_ms", "wait_ms", "w", "p",
    "patch_ms", "busy",
)  # fmt: skip

# The conditions of portal.stats.services (TOTAL, AGENT, …) on one row of calls_call.
_ANSWERED = f"stat_class = {Call.ANSWERED}"
_SUMS = {
    "t": f"stat_class >= {Call.AUTOMATED}",
    "g": f"stat_class >= {Call.SYSTEM_ABANDON}",
    "s": f"stat_class = {Call.SYSTEM_ABANDON}",
    "n": f"stat_class >= {Call.AGENT_ABANDON}",
    "b": f"stat_class = {Call.AGENT_ABANDON}",
    "r": _ANSWERED,
    "worked": f"{_ANSWERED} AND work_ms IS NOT NULL",
    "h": f"{_ANSWERED} AND hold_max_ms > 10000",
    "w": f"{_ANSWERED} AND answered_ms <= queued_ms + 30000",
    "p": f"stat_class >= {Call.AUTOMATED} AND patch_ms > 0",
    "busy": "busy",
}
_TOTALS = {
    "work_ms": (f"{_ANSWERED} AND work_ms IS NOT NULL", "work_ms"),
    "hold_ms": (f"{_ANSWERED} AND hold_max_ms > 10000", "hold_total_ms"),
    "wait_ms": (_ANSWERED, "answered_ms - queued_ms"),
    "patch_ms": (f"stat_class >= {Call.AUTOMATED} AND patch_ms > 0", "patch_ms"),
}


def _select(where: str) -> str:
    """INSERT … SELECT of the rollup rows of the calls that `where` picks."""
    columns = []
    for name in MEASURES:
        if name in _TOTALS:
            condition, value = _TOTALS[name]
            columns.append(f"COALESCE(SUM(CASE WHEN {condition} THEN {value} ELSE 0 END), 0)")
        else:
            columns.append(f"COALESCE(SUM(CASE WHEN {_SUMS[name]} THEN 1 ELSE 0 END), 0)")
    calls, rollups = Call._meta.db_table, CallRollup._meta.db_table
    return (
        f"INSERT INTO {rollups} (account_id, local_date, hour, local_weekday, agent_key, "
        f"distribution_group, {', '.join(MEASURES)}) "
        f"SELECT account_id, local_date, local_minute / 60, MIN(local_weekday), "
        f"COALESCE(agent_id, 0), distribution_group, {', '.join(columns)} "
        f"FROM {calls} WHERE direction = '{Call.IN}' AND kind = '{Call.VOICE}' AND ({where}) "
        f"GROUP BY account_id, local_date, local_minute / 60, COALESCE(agent_id, 0), "
        f"distribution_group"
    )


def _lock(buckets: list[Bucket]) -> None:
    """PostgreSQL: one transaction lock per bucket, in a fixed order, so that two batches
    refreshing the same hour take turns (each recount then sees the other's committed calls).
    SQLite writes one transaction at a time already."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({zlib.crc32(f"{a}:{d.isoformat()}:{h}".encode()) for a, d, h in buckets})
    with connection.cursor() as cur:
        for key in keys:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7214, key - (1 << 31)])


def refresh(buckets: Iterable[Bucket]) -> int:
    """Recount these hour buckets from the calls table. Call inside the transaction that
    changed the calls. Returns how many buckets were refreshed."""
    buckets = sorted(set(buckets))
    if not buckets:
        return 0
    rollups = CallRollup._meta.db_table
    with transaction.atomic():
        _lock(buckets)
        by_day: dict[tuple[int, dt.date], list[int]] = {}
        for account_id, day, hour in buckets:
            by_day.setdefault((account_id, day), []).append(hour)
        with connection.cursor() as cur:
            for (account_id, day), hours in by_day.items():
                marks = ", ".join(["%s"] * len(hours))
                cur.execute(
                    f"DELETE FROM {rollups} WHERE account_id = %s AND local_date = %s "
                    f"AND hour IN ({marks})",
                    [account_id, day, *hours],
                )
                cur.execute(
                    _select(
                        f"account_id = %s AND local_date = %s AND local_minute / 60 IN ({marks})"
                    ),
                    [account_id, day, *hours],
                )
    return len(buckets)


def buckets_of(rows: Iterable[dict]) -> set[Bucket]:
    """The buckets of call rows as ingest writes them (portal.calls.services.call_row)."""
    return {(r["account_id"], r["local_date"], r["local_minute"] // 60) for r in rows}


def stored_buckets(call_ids: list[str]) -> set[Bucket]:
    """Where these calls are counted now (before a batch changes them)."""
    out: set[Bucket] = set()
    for i in range(0, len(call_ids), 1000):
        chunk = call_ids[i : i + 1000]
        for account_id, day, minute in Call.objects.filter(call_id__in=chunk).values_list(
            "account_id", "local_date", "local_minute"
        ):
            out.add((account_id, day, minute // 60))
    return out


def rebuild(account_ids: Iterable[int] | None = None, until: dt.date | None = None) -> int:
    """Rebuild the rollups of these accounts (all when None), of the days up to `until`
    (every day when None), from the calls table. Returns the rows written."""
    rollups = CallRollup._meta.db_table
    where, params = ["1 = 1"], []
    if account_ids is not None:
        ids = list(account_ids)
        if not ids:
            return 0
        where.append(f"account_id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if until is not None:
        where.append("local_date <= %s")
        params.append(until)
    clause = " AND ".join(where)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {rollups} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"DELETE FROM {rollups} WHERE {clause}", params)
        cur.execute(_select(clause), params)
        return cur.rowcount


def rebuild_sql(cur) -> int:
    """The whole rebuild on a raw DB-API cursor (bench/growth.py, outside Django's
    connection and its statement timeout). Returns the rows written."""
    cur.execute(f"DELETE FROM {CallRollup._meta.db_table}")
    cur.execute(_select("1 = 1"))
    return cur.rowcount
