"""Statistics speed: 1,000,000 calls over 30 accounts and 60 days.

    .venv/bin/python bench/stats.py                      # SQLite (a file under /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_stats .venv/bin/python bench/stats.py

Targets: the report (the sixteen figures) for all 30 accounts ≤ 1 s, for one account ≤ 100 ms.
Beside each, the time of one bare aggregate SQL query over the same rows (COUNT and SUM of one
column, same WHERE) and the ratio: what the sixteen conditional aggregates cost on top of
reading the rows. Setup inserts rows directly (not through ingest) for speed.
"""

import os
import random
import statistics as pystats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/portal_bench_stats.sqlite3")
os.environ.setdefault("PORTAL_DATA_DIR", "/tmp/portal_bench_stats")
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import django  # noqa: E402
from benchdb import analyze, drop_postgres, prepare_database  # noqa: E402

N_CALLS = int(os.environ.get("BENCH_CALLS", 1_000_000))
N_ACCOUNTS = 30
DAYS = 60


def populate() -> list:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.accounts.models import Account
    from portal.calls.models import Agent, Call
    from portal.calls.services import stat_class

    call_command("migrate", verbosity=0)
    accounts = [
        Account.objects.get_or_create(
            number=str(6000 + i), defaults={"name": f"BENCH{i}", "billing_number": f"9{i}"}
        )[0]
        for i in range(N_ACCOUNTS)
    ]
    if Call.objects.count() >= N_CALLS:
        return accounts
    agents = [Agent.objects.get_or_create(code=f"A{i:02d}")[0] for i in range(40)]
    rng = random.Random(42)
    tz = accounts[0].tz
    today = timezone.now().astimezone(tz).date()
    first = today - dt.timedelta(days=DAYS - 1)
    table = Call._meta.db_table
    columns = [
        "call_id", "account_id", "direction", "kind", "started_at", "duration_ms", "caller_id",
        "caller_name", "agent_id", "station", "distribution_group", "quality", "queued_ms",
        "assigned_ms", "answered_ms", "work_ms", "holds_ms", "hold_total_ms", "hold_max_ms",
        "patch_ms", "busy", "stat_class", "local_date", "local_minute", "local_weekday", "created_at",
        "updated_at",
    ]  # fmt: skip
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    now = timezone.now()
    batch = []
    t0 = time.perf_counter()
    for i in range(N_CALLS):
        account = accounts[i % N_ACCOUNTS]
        day = first + dt.timedelta(days=rng.randrange(DAYS))
        minute = rng.randrange(24 * 60)
        local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60)).replace(tzinfo=tz)
        duration = rng.randrange(1000, 600_000)
        queued = assigned = answered = work = None
        holds = []
        shape = rng.random()
        if shape > 0.1:
            queued = rng.randrange(0, min(duration, 15_000))
            if shape > 0.2:
                assigned = min(duration, queued + rng.randrange(0, 60_000))
                if shape > 0.25:
                    answered = min(duration, assigned + rng.randrange(0, 5_000))
                    work = rng.randrange(10_000, 400_000)
                    if rng.random() < 0.1:
                        holds = [rng.randrange(0, 90_000)]
        busy = rng.random() < 0.01
        batch.append(
            (
                f"B{i}", account.pk, "in" if rng.random() > 0.05 else "out", "voice",
                local.astimezone(dt.UTC), duration, "", "", agents[i % 40].pk, "",
                rng.randrange(3), None, queued, assigned, answered, work, str(holds),
                sum(holds), max(holds, default=0), rng.choice([0] * 20 + [30_000]),
                busy, stat_class(duration, busy, queued, assigned, answered),
                day, minute, day.weekday(), now, now,
            )
        )  # fmt: skip
        if len(batch) == 20_000:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
            batch = []
    if batch:
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, batch)
    analyze()
    print(f"inserted {N_CALLS:,} calls in {time.perf_counter() - t0:.1f} s")
    return accounts


def timed(fn, repeat=5) -> float:
    fn()  # warm the cache
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return pystats.median(runs)


def main() -> None:
    prepare_database()
    django.setup()
    from django.db import connection
    from django.db.models import Count, Sum
    from django.utils import timezone

    from portal.stats.services import Filters, counted_calls, statistics

    accounts = populate()
    today = timezone.now().astimezone(accounts[0].tz).date()
    import datetime as dt

    start, end = today - dt.timedelta(days=DAYS - 1), today
    print(
        f"database: {connection.vendor}, calls: {N_CALLS:,}, accounts: {N_ACCOUNTS}, days: {DAYS}"
    )
    print(f"{'report':<34}{'16 figures':>12}{'bare SQL':>12}{'ratio':>8}{'target':>10}")
    for label, chosen, target in (
        ("all 30 accounts, 60 days", accounts, 1.0),
        ("one account, 60 days", accounts[:1], 0.1),
        ("one account, 7 days, 9–17 h, Mon", accounts[:1], 0.1),
    ):
        kw = {}
        if "Mon" in label:
            kw = {
                "start": today - dt.timedelta(days=6),
                "after": dt.time(9),
                "before": dt.time(17),
                "weekdays": [0],
            }
        filters = Filters(accounts=chosen, start=kw.pop("start", start), end=end, **kw)
        full = timed(lambda f=filters: statistics(f))
        # The bare query: one COUNT and one SUM over the same rows, through the same index.
        bare = timed(
            lambda f=filters: counted_calls(f, f.accounts).aggregate(
                n=Count("account_id"), s=Sum("work_ms")
            )
        )
        verdict = "ok" if full <= target else "SLOW"
        print(
            f"{label:<34}{full * 1000:>10.1f}ms{bare * 1000:>10.1f}ms{full / bare:>8.2f}"
            f"{target * 1000:>8.0f}ms {verdict}"
        )
    drop_postgres()


if __name__ == "__main__":
    main()
