"""The statistics' rollups give exactly the direct query's figures.

Calls are generated (seeded) and stored through the one ingest path (`ingest_calls`), over
days that include both DST changes of America/Toronto (2026-03-08, a 23-hour day, and
2026-11-01, a 25-hour day) and an account in another zone; then every report — the sixteen
figures, per agent, per hour, per day — is computed from the rollups and from the calls
themselves (PORTAL_STATS_ROLLUPS=False) and compared, for many filters. Re-ingested calls that
move, the purge, a time zone change and the rebuild command keep them identical.
"""

import datetime as dt
import os
import random
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.calls.models import CallRollup
from portal.calls.services import ingest_calls
from portal.stats.services import (
    Filters,
    per_day,
    per_hour,
    rollup_rows,
    statistics,
    statistics_by_agent,
)

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
DAYS = [dt.date(2026, 3, 7), dt.date(2026, 3, 8), dt.date(2026, 3, 9)] + [
    dt.date(2026, 10, 30) + dt.timedelta(days=i) for i in range(5)
]
AGENTS = ["ELD", "dom", "KAL", None]


def generated(number: str, n: int, seed: int, tz=TORONTO, prefix="c") -> list[dict]:
    rnd = random.Random(seed)
    calls = []
    for i in range(n):
        day = rnd.choice(DAYS)
        # Any instant of the local day, the hours DST skips or repeats included.
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
        started = start + dt.timedelta(seconds=rnd.randrange(25 * 3600))
        duration = rnd.choice([3, 6, 6.5, 9, 15, 40, 120, 600])
        call = {
            "call_id": f"{prefix}{number}-{i}",
            "account": number,
            "direction": rnd.choice(["in"] * 9 + ["out"]),
            "kind": rnd.choice(["voice"] * 9 + ["transaction"]),
            "started_at": started.isoformat(),
            "duration_s": duration,
            "distribution_group": rnd.choice([0, 0, 1, 2]),
            "busy": rnd.random() < 0.05,
        }
        agent = rnd.choice(AGENTS)
        if agent:
            call["agent"] = agent
        shape = rnd.random()
        if shape > 0.15:
            queued = round(rnd.uniform(0, min(duration, 20)), 1)
            call["queued_s"] = queued
            if shape > 0.3:
                assigned = round(min(duration, queued + rnd.uniform(0, 50)), 1)
                call["assigned_s"] = assigned
                if shape > 0.4:
                    call["answered_s"] = round(min(duration, assigned + rnd.uniform(0, 5)), 1)
                    if rnd.random() < 0.8:
                        call["work_s"] = rnd.randrange(5, 400)
                    if rnd.random() < 0.3:
                        call["holds_s"] = [rnd.choice([5, 10, 10.5, 30]), rnd.choice([0, 12])]
        if rnd.random() < 0.2:
            call["patch_s"] = rnd.choice([0, 30, 95.5])
        calls.append(call)
    return calls


def store(calls: list[dict]) -> None:
    for i in range(0, len(calls), 1000):
        ingest_calls(calls[i : i + 1000])


FILTERS = [
    {},
    {"start": dt.date(2026, 3, 8), "end": dt.date(2026, 3, 8)},  # the 23-hour day
    {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 1)},  # the 25-hour day
    {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 11, 30)},
    {"after": dt.time(1, 0), "before": dt.time(2, 59)},  # the repeated hour
    {"after": dt.time(22, 0), "before": dt.time(5, 59)},  # across midnight
    {"after": dt.time(9, 0), "before": dt.time(16, 59), "weekdays": [0, 6]},
    {"weekdays": [5]},
    {"agent": "eld"},
    {"agent": " DOM "},
    {"agent": "nobody"},
    {"dgroups": [1, 2]},
    {"exclude_dgroups": [0]},
    {"start": dt.date(2026, 10, 31), "end": dt.date(2026, 11, 3), "agent": "kal", "dgroups": [0]},
]


def both(filters: Filters, settings):
    """(from the rollups, from the calls) for every report the page shows."""

    def reports():
        return (
            statistics(filters),
            statistics_by_agent(filters),
            per_hour(filters),
            per_day(filters),
        )

    settings.PORTAL_STATS_ROLLUPS = True
    assert rollup_rows(filters) is not None
    with CaptureQueriesContext(connection) as queries:
        rolled = reports()
    assert not any('"calls_call"' in q["sql"] for q in queries.captured_queries)
    settings.PORTAL_STATS_ROLLUPS = False
    direct = reports()
    settings.PORTAL_STATS_ROLLUPS = True
    return rolled, direct


@pytest.fixture
def accounts(make_account):
    return [
        make_account("4000"),
        make_account("4100", timezone="Europe/Paris"),
    ]


def assert_identical(accounts, settings):
    for kw in FILTERS:
        for chosen in (accounts[:1], accounts):
            filters = Filters(accounts=chosen, **kw)
            rolled, direct = both(filters, settings)
            assert rolled == direct, kw


@pytest.mark.django_db
def test_rollups_give_the_direct_figures_on_generated_calls_with_dst_days(accounts, settings):
    store(generated("4000", 1500, seed=1) + generated("4100", 400, seed=2, tz=accounts[1].tz))
    assert CallRollup.objects.count() > 100
    figures = statistics(Filters(accounts=accounts[:1]))
    assert figures["total_incoming"]["value"] > 500  # real numbers, not an empty report
    assert_identical(accounts, settings)


@pytest.mark.django_db
def test_calls_sent_again_moved_or_changed_leave_their_old_hour(accounts, settings):
    calls = generated("4000", 600, seed=3)
    store(calls)
    rnd = random.Random(4)
    changed = []
    for call in rnd.sample(calls, 200):
        call = dict(call)
        moved = dt.datetime.fromisoformat(call["started_at"]) + dt.timedelta(
            hours=rnd.choice([1, 5, 30, -26])
        )
        call["started_at"] = moved.isoformat()
        call["direction"] = rnd.choice(["in", "out"])
        call["busy"] = not call["busy"]
        changed.append(call)
    store(changed + generated("4000", 100, seed=5, prefix="new"))
    assert_identical(accounts, settings)
    before = sorted(CallRollup.objects.values_list(*ROW))
    call_command("rebuild_call_rollups")
    assert sorted(CallRollup.objects.values_list(*ROW)) == before


ROW = ("account_id", "local_date", "hour", "agent_key", "distribution_group", "t", "r", "busy")


@pytest.mark.django_db
def test_the_purge_and_a_new_time_zone_keep_the_rollups_identical(accounts, settings):
    from portal.inbox.services import purge_account

    store(generated("4000", 800, seed=6))
    account = accounts[0]
    # The purge's cutoff falls inside 2026-10-31: what is left of that day still counts.
    now = dt.datetime(2026, 10, 31, 15, 30, tzinfo=TORONTO) + dt.timedelta(
        days=account.retention_days
    )
    removed = purge_account(account, now=now)
    assert removed["calls"] > 0
    assert_identical(accounts, settings)
    account.timezone = "America/Vancouver"
    account.save()
    from portal.calls.services import recompute_local_fields

    recompute_local_fields(account)
    assert_identical(accounts, settings)


@pytest.mark.django_db
def test_filters_inside_an_hour_read_the_calls_with_the_same_answer(accounts, settings):
    store(generated("4000", 300, seed=7))
    for kw in (
        {"after": dt.time(9, 30)},
        {"before": dt.time(17, 0)},
        {"hold_gt": 10},
        {"delay_gt": 5},
        {"start": dt.datetime(2026, 3, 8, 4, 0), "end": dt.date(2026, 3, 9)},
    ):
        filters = Filters(accounts=accounts, **kw)
        assert rollup_rows(filters) is None
        assert statistics(filters)["total_incoming"]["value"] is not None


@pytest.mark.django_db
def test_the_rebuild_command_recounts_what_went_around_ingest(accounts, settings):
    store(generated("4000", 300, seed=8))
    expected = sorted(CallRollup.objects.values_list(*ROW))
    CallRollup.objects.all().delete()
    call_command("rebuild_call_rollups", "--account", "4000")
    assert sorted(CallRollup.objects.values_list(*ROW)) == expected
    assert_identical(accounts, settings)


POSTGRES = os.environ.get("PORTAL_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.mark.skipif(
    bool(os.environ.get("PORTAL_ROLLUPS_ON_POSTGRES")) or not _postgres_reachable(),
    reason=f"needs a PostgreSQL server at {POSTGRES} (or runs there already)",
)
def test_the_same_tests_on_postgresql(tmp_path):
    """PostgreSQL sums bigints as numeric, sorts a NULL agent last and locks buckets: the
    tests above again, in a process whose database is PostgreSQL."""
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES}/portal_rollups_{os.getpid()}",
        "PORTAL_ROLLUPS_ON_POSTGRES": "1",
        "PORTAL_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "5 passed, 1 skipped" in done.stdout
