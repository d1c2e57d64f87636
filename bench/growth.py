"""Growth: the client pages at 100,000, 1,000,000 and 10,000,000 calls, on PostgreSQL.

    .venv/bin/python bench/growth.py                                  # all three scales
    .venv/bin/python bench/growth.py --scales 100000,1000000 --runs 20
    .venv/bin/python bench/growth.py --reuse --scales 10000000        # keep what is built

One database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_growth) grows
from scale to scale: account 5000 takes the first 1,000,000 calls (so 100k and 1M are one
account), the 299 accounts 5001–5299 share the rest (10M: 9,000,000 more, about 30,000
each). Calls are spread over 65 days (the last 60 are within retention), 70 % of them in
business hours, over 60 agents, with every disposition of the statistics (automated,
abandoned before and after an agent, answered, busy, patched, held); one call in three has
its message (form fields and words for the keyword search). Rows are written by
`INSERT … SELECT generate_series` on the server (the local columns by PostgreSQL's own
AT TIME ZONE, so DST days are right), then VACUUM ANALYZE; `--reuse` keeps a database
already built and adds only what a scale lacks. A 10M database takes about 9 GB.

Then, warm, p50/p95 over `--runs` runs, through the real views (Django's test Client signed in
as a member of account 5000; the dispatch look-up with an oncall:read token): Inbox page one,
a keyword search, Call Log page one, a caller-ID search (the whole period kept), the On Call
month page, the dispatch look-up, and Statistics over 60 days (the service the page calls,
`reports.build_report`, and the page). A table per scale, then how each figure grew.
"""

import argparse
import datetime as dt
import os
import shutil
import statistics as pystats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_growth")
os.environ.setdefault("PORTAL_DATA_DIR", "/tmp/portal_bench_growth")
os.environ.setdefault("PORTAL_DEV", "1")  # a secret key made for the bench; DEBUG stays off
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import django  # noqa: E402

BIG = "5000"
BIG_SHARE = 1_000_000
N_OTHERS = 299
DAYS = 65
MESSAGE_SHARE = 3  # one call in three has a message
TZ = "America/Toronto"
WORDS = (
    "rendez-vous rappeler modèle série réfrigérateur laveuse garantie urgence facture "
    "livraison client adresse chauffage fuite plombier serrure alarme ascenseur toiture "
    "infiltration panne électricité climatisation"
).split()

# (what, target p95 in ms)
TARGETS = {
    "inbox page one": 50,
    "inbox keyword search": 100,
    "call log page one": 50,
    "call log caller-ID search": 100,
    "on call month page": 100,
    "dispatch look-up (API)": 5,
    "statistics 60 days (service)": 1000,
    "statistics 60 days, direct query": 1000,
    "statistics 60 days (page)": 1000,
}


def server_and_name(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base, name


def raw_connect(dbname: str | None = None):
    import psycopg

    base, name = server_and_name(os.environ["DATABASE_URL"])
    return psycopg.connect(f"{base}/{dbname or name}", autocommit=True)


def prepare(reuse: bool) -> None:
    """The dedicated database: dropped and made fresh, or kept with --reuse."""
    _base, name = server_and_name(os.environ["DATABASE_URL"])
    with raw_connect("postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            conn.execute(f'CREATE DATABASE "{name}"')


def check_disk(scale: int) -> None:
    free = shutil.disk_usage("/work").free / 1e9
    need = scale * 0.9e-6  # about 0.9 GB a million calls, messages and indexes included
    print(f"disk: {free:.0f} GB free under /work; scale {scale:,} needs about {need:.1f} GB")
    if free < need + 2:
        sys.exit(f"Not enough disk for {scale:,} calls ({need:.1f} GB + 2 GB to spare).")


def setup_objects():
    """Accounts, agents, a member, a token, a schedule: through the ORM and the services."""
    from portal.accounts.models import Account, Membership, User
    from portal.api.services import create_token
    from portal.calls.models import Agent

    if not Account.objects.filter(number=BIG).exists():
        Account.objects.bulk_create(
            [
                Account(number=str(5000 + i), name=f"GROWTH{i}", timezone=TZ)
                for i in range(N_OTHERS + 1)
            ]
        )
        Agent.objects.bulk_create([Agent(code=f"AG{i:02d}") for i in range(60)])
        user = User.objects.create_user("growth", password="x")
        Membership.objects.create(user=user, account=Account.objects.get(number=BIG), role="admin")
        oncall_schedule(Account.objects.get(number=BIG))
    user = User.objects.get(username="growth")
    _token, raw = create_token("growth-dispatch", "oncall:read", [])
    return Account.objects.get(number=BIG), user, raw


def oncall_schedule(account):
    """Two ranks of daily shifts from 20 days ago to 40 days ahead, an override on every
    fifth (set up as the staff correct the past, with a reason)."""
    from zoneinfo import ZoneInfo

    from portal.directory.models import Contact
    from portal.oncall import services
    from portal.oncall.services import Actor

    tz = ZoneInfo(TZ)
    people = Contact.objects.bulk_create(
        [Contact(account=account, external_id=f"c{j}", name=f"Contact {j}") for j in range(6)]
    )
    actor = Actor(name="growth")
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=actor)
    start = dt.datetime.now(tz).replace(hour=8, minute=0, second=0, microsecond=0)
    start -= dt.timedelta(days=20)
    n = 0
    for d in range(60):
        for rank in range(2):
            s = services.add_local_days(start, d, tz)
            e = services.add_local_days(start, d + 1, tz)
            shift, _ = services.upsert_shift(schedule, f"d{d}r{rank}", start=s, end=e, rank=rank)
            services.assign(shift, people[(d + rank) % 6], actor=actor, past_reason="bench setup")
            if n % 5 == 0:
                services.override(
                    shift,
                    people[(d + rank + 1) % 6],
                    s + dt.timedelta(hours=2),
                    s + dt.timedelta(hours=8),
                    actor=actor,
                    past_reason="bench setup",
                )
            n += 1


CALLS_SQL = """
INSERT INTO calls_call (
    call_id, account_id, direction, kind, started_at, duration_ms, caller_id, caller_name,
    agent_id, station, distribution_group, quality, queued_ms, assigned_ms, answered_ms,
    work_ms, holds_ms, hold_total_ms, hold_max_ms, patch_ms, busy, stat_class,
    local_date, local_minute, local_weekday, created_at, updated_at)
SELECT 'G' || g, acc, dir, kind, started, duration, caller, '',
    agent, (1 + floor(r_st * 40))::int::text, dgroup, quality, queued, assigned, answered,
    work, CASE WHEN hold > 0 THEN jsonb_build_array(hold) ELSE '[]'::jsonb END,
    hold, hold, patch, busy,
    CASE WHEN duration <= 6000 OR busy THEN 0
         WHEN queued IS NULL THEN 1
         WHEN answered IS NOT NULL AND duration - answered < 10000 THEN 1
         WHEN answered IS NULL AND duration - queued < 10000 THEN 1
         WHEN assigned IS NULL THEN 2
         WHEN answered IS NULL THEN 3
         ELSE 4 END,
    (started AT TIME ZONE %(tz)s)::date,
    (extract(hour FROM started AT TIME ZONE %(tz)s) * 60
        + extract(minute FROM started AT TIME ZONE %(tz)s))::int,
    (extract(isodow FROM started AT TIME ZONE %(tz)s) - 1)::int,
    now(), now()
FROM (
    SELECT g, acc, dir, kind, duration, caller, r_st, dgroup, quality, busy, queued,
        -- today's calls are no later than now: the rest of today goes to the oldest day
        CASE WHEN started0 > %(now)s THEN started0 - make_interval(days => %(days)s)
             ELSE started0 END AS started,
        -- three shifts of 20 agents: night, day, evening
        %(agent0)s + extract(hour FROM started0 AT TIME ZONE %(tz)s)::int / 8 * 20
            + floor(r_ag * 20)::int AS agent,
        CASE WHEN queued IS NOT NULL AND shape > 0.2
             THEN least(duration, queued + floor(r_as * 60000)::bigint) END AS assigned,
        CASE WHEN queued IS NOT NULL AND shape > 0.25
             THEN least(duration, queued + floor(r_as * 60000)::bigint
                  + floor(r_an * 5000)::bigint) END AS answered,
        CASE WHEN queued IS NOT NULL AND shape > 0.25
             THEN 10000 + floor(r_wk * 390000)::bigint END AS work,
        CASE WHEN queued IS NOT NULL AND shape > 0.25 AND r_ho < 0.1
             THEN floor(r_ho * 900000)::bigint ELSE 0 END AS hold,
        CASE WHEN r_pa < 0.05 THEN 30000 + floor(r_pa * 1200000)::bigint ELSE 0 END AS patch
    FROM (
        SELECT g,
            %(account_sql)s AS acc,
            CASE WHEN random() < 0.05 THEN 'out' ELSE 'in' END AS dir,
            CASE WHEN random() < 0.03 THEN 'transaction' ELSE 'voice' END AS kind,
            (date_trunc('day', %(now)s::timestamptz AT TIME ZONE %(tz)s)
                - make_interval(days => floor(random() * %(days)s)::int)
                + CASE WHEN random() < 0.7
                       THEN make_interval(secs => 28800 + random() * 36000)
                       ELSE make_interval(secs => random() * 86400) END
            ) AT TIME ZONE %(tz)s AS started0,
            CASE WHEN random() < 0.08 THEN 1000 + floor(random() * 5000)::bigint
                 ELSE 7000 + floor(random() * 593000)::bigint END AS duration,
            '514' || lpad(floor(random() * 10000000)::bigint::text, 7, '0') AS caller,
            random() AS r_ag,
            random() AS r_st,
            CASE WHEN random() < 0.9 THEN 0 ELSE 1 + floor(random() * 2)::int END AS dgroup,
            CASE WHEN random() < 0.5 THEN floor(random() * 101)::int END AS quality,
            random() < 0.01 AS busy,
            CASE WHEN random() > 0.1 THEN floor(random() * 15000)::bigint END AS queued,
            random() AS shape, random() AS r_as, random() AS r_an, random() AS r_wk,
            random() AS r_ho, random() AS r_pa
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
    ) AS a
) AS b
"""

# Every third call of the range gets its message, taken a minute after the call started.
MESSAGES_SQL = """
INSERT INTO inbox_message (
    message_id, account_id, taken_at, call_id, agent_id, subject, fields, body, urgent,
    status, closed_at, search_text, created_at, updated_at)
SELECT 'M' || c.call_id, c.account_id, c.started_at + interval '1 minute', c.call_id,
    c.agent_id, s.subject,
    jsonb_build_array(jsonb_build_array('Prénom', s.first), jsonb_build_array('Modèle', s.model),
        jsonb_build_array('Note', s.note)),
    s.body, random() < 0.05, CASE WHEN random() < 0.6 THEN 'closed' ELSE 'open' END, NULL,
    lower(s.subject) || E'\\nprenom ' || lower(s.first) || E'\\nmodele ' || lower(s.model)
        || E'\\nnote ' || s.note_folded || E'\\n' || s.body_folded,
    now(), now()
FROM calls_call AS c,
LATERAL (
    SELECT (ARRAY['RENDEZ-VOUS','SERVICE','URGENCE','INFO'])[1 + floor(random() * 4)::int
            + 0 * c.id] AS subject,
        (ARRAY['Luc','Anne','Éric','Chloé','Marc','Julie'])[1 + floor(random() * 6)::int]
            AS first,
        'XR-' || (1 + floor(random() * 999)::int) AS model,
        w.note, w.note_folded, w.body, w.body_folded
    FROM (
        SELECT string_agg(word, ' ') FILTER (WHERE n <= 3) AS note,
            string_agg(folded, ' ') FILTER (WHERE n <= 3) AS note_folded,
            string_agg(word, ' ') FILTER (WHERE n > 3) AS body,
            string_agg(folded, ' ') FILTER (WHERE n > 3) AS body_folded
        FROM (
            SELECT n, words[1 + floor(random() * array_length(words, 1))::int + 0 * c.id]
                AS word
            FROM generate_series(1, 9) AS n, (SELECT %(words)s::text[] AS words) AS v
        ) AS picked,
        LATERAL (SELECT translate(word, 'éèêàçô', 'eeeaco') AS folded) AS f
    ) AS w
) AS s
WHERE c.id BETWEEN %(first_id)s AND %(last_id)s AND c.id %% %(share)s = 0
"""


def built_counts(cur) -> tuple[int, int]:
    """(calls of account 5000, calls of the others) already in the database."""
    cur.execute(
        "SELECT count(*) FILTER (WHERE a.number = %s), count(*) FILTER (WHERE a.number <> %s) "
        "FROM calls_call c JOIN accounts_account a ON a.id = c.account_id",
        [BIG, BIG],
    )
    return cur.fetchone()


def grow(scale: int) -> bool:
    """Add the calls (and messages) the scale lacks. True when something was added."""
    want_big = min(scale, BIG_SHARE)
    want_others = max(scale - BIG_SHARE, 0)
    with raw_connect() as conn, conn.cursor() as cur:
        have_big, have_others = built_counts(cur)
        cur.execute("SELECT id FROM accounts_account WHERE number = %s", [BIG])
        big_id = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM accounts_account WHERE number <> %s", [BIG])
        first_other = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM calls_agent")
        agent0 = cur.fetchone()[0]
        # Messages are made after the calls: a run stopped in between (and resumed with
        # --reuse) makes those of every call after the last one that has its message.
        cur.execute(
            "SELECT coalesce(max(c.id), 0) FROM calls_call c WHERE c.call_id = "
            "(SELECT call_id FROM inbox_message ORDER BY id DESC LIMIT 1)"
        )
        before_id = cur.fetchone()[0]
        now = dt.datetime.now(dt.UTC)
        cur.execute("SELECT setseed(0.42)")
        jobs = []
        if want_big > have_big:
            jobs.append((f"{big_id}", have_big + 1, want_big))
        if want_others > have_others:
            # Numbered after the big account's million so that call ids never collide.
            jobs.append(
                (
                    f"{first_other} + (g %% {N_OTHERS})::int",
                    BIG_SHARE + have_others + 1,
                    BIG_SHARE + want_others,
                )
            )
        cur.execute("SELECT coalesce(max(id), 0) FROM calls_call")
        if not jobs and cur.fetchone()[0] - before_id < MESSAGE_SHARE:
            return False
        for account_sql, lo, hi in jobs:
            step = 500_000
            for start in range(lo, hi + 1, step):
                end = min(start + step - 1, hi)
                t = time.perf_counter()
                sql = CALLS_SQL.replace("%(account_sql)s", account_sql)
                cur.execute(
                    sql,
                    {"tz": TZ, "now": now, "days": DAYS, "agent0": agent0, "lo": start, "hi": end},
                )
                print(f"  calls {start:,}–{end:,}: {time.perf_counter() - t:.1f} s", flush=True)
        cur.execute("SELECT max(id) FROM calls_call")
        last_id = cur.fetchone()[0]
        t = time.perf_counter()
        step = 1_500_000
        for first in range(before_id + 1, last_id + 1, step):
            cur.execute(
                MESSAGES_SQL,
                {
                    "first_id": first,
                    "last_id": min(first + step - 1, last_id),
                    "share": MESSAGE_SHARE,
                    "words": WORDS,
                },
            )
        print(f"  messages: {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
        rebuild_rollups(cur)
    return True


def rebuild_rollups(cur) -> None:
    """The rows went around ingest: the statistics' rollups are recounted, as
    `manage.py rebuild_call_rollups` does."""
    from portal.calls.rollups import rebuild_sql

    t = time.perf_counter()
    rebuilt = rebuild_sql(cur)
    print(f"  statistics rollups rebuilt ({rebuilt:,} rows): {time.perf_counter() - t:.1f} s")
    cur.execute("VACUUM ANALYZE calls_callrollup")


def timed(fn, runs: int) -> list[float]:
    fn()
    fn()  # warm
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def pct(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, max(int(round(len(samples) * q)) - 1, 0))]


def measure(account, user, raw_token, runs: int) -> dict[str, tuple[float, float]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from portal.calls.models import Call
    from portal.stats.reports import build_report
    from portal.stats.services import Filters

    web = Client()
    web.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    base = f"/a/{account.number}"
    # A caller who called: the search is the one a person types (the whole period kept).
    caller = (
        Call.objects.filter(account=account).order_by("-started_at").values_list("caller_id")[7][0]
    )
    today = dt.datetime.now(account.tz).date()
    start = today - dt.timedelta(days=59)

    def get(client, url, contains=None):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if contains is not None:
                assert contains in response.content.decode(), (url, contains)

        return run

    def service():
        build_report(Filters(accounts=[account], start=start, end=today))

    def direct():
        """The same report read from the calls themselves (no rollups)."""
        settings.PORTAL_STATS_ROLLUPS = False
        try:
            service()
        finally:
            settings.PORTAL_STATS_ROLLUPS = True

    stats_url = f"{base}/stats/?start={start.isoformat()}&end={today.isoformat()}"
    cases = {
        "inbox page one": get(web, f"{base}/messages/"),
        "inbox keyword search": get(web, f"{base}/messages/?q=infiltration+toiture"),
        "call log page one": get(web, f"{base}/calls/"),
        "call log caller-ID search": get(
            web, f"{base}/calls/?preset=hour&preset_shown=hour&caller_id={caller}", caller
        ),
        "on call month page": get(web, f"{base}/oncall/?view=month"),
        "dispatch look-up (API)": get(api, f"/api/v1/accounts/{account.number}/oncall"),
        "statistics 60 days (service)": service,
        "statistics 60 days, direct query": direct,
        "statistics 60 days (page)": get(web, stats_url),
    }
    results = {}
    for name, fn in cases.items():
        n = runs if "statistics" not in name else max(runs // 2, 5)
        if name.startswith("dispatch"):
            n = runs * 20
        samples = timed(fn, n)
        results[name] = (pct(samples, 0.5), pct(samples, 0.95), sql_time(fn))
    connection.close()
    return results


def sql_time(fn, runs: int = 5) -> float:
    """The median over a few runs of the time the database took (every query of one
    request, round trips included): the part that grows with the data, apart from the
    rendering, which does not (and which a busy machine slows down most)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    totals = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            fn()
        totals.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    return pystats.median(totals)


def print_table(scale: int, results: dict, sizes: dict) -> None:
    print(
        f"\nscale {scale:,} calls — account {BIG}: {sizes['big_calls']:,} calls, "
        f"{sizes['big_messages']:,} messages; database {sizes['db']}"
    )
    print(f"{'what':32} {'p50 ms':>9} {'p95 ms':>9} {'SQL ms':>9} {'target':>8}")
    for name, (p50, p95, sql) in results.items():
        target = TARGETS[name]
        verdict = "ok" if p95 <= target else "MISSED"
        print(f"{name:32} {p50:9.2f} {p95:9.2f} {sql:9.2f} {'≤' + str(target):>8} {verdict}")
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def sizes() -> dict:
    with raw_connect() as conn, conn.cursor() as cur:
        big, _others = built_counts(cur)
        cur.execute(
            "SELECT count(*) FROM inbox_message m JOIN accounts_account a ON a.id = m.account_id "
            "WHERE a.number = %s",
            [BIG],
        )
        messages = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db = cur.fetchone()[0]
    return {"big_calls": big, "big_messages": messages, "db": db}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="100000,1000000,10000000")
    parser.add_argument("--reuse", action="store_true", help="keep a database already built")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    scales = sorted(int(s.replace("_", "")) for s in args.scales.split(","))
    check_disk(max(scales))
    prepare(args.reuse)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    account, user, raw_token = setup_objects()
    with raw_connect() as conn, conn.cursor() as cur:
        have = sum(built_counts(cur))
    if have > scales[0]:
        print(f"the database holds {have:,} calls already: scales below that are skipped")
        scales = [s for s in scales if s >= have] or [have]
    all_results = {}
    for scale in scales:
        t = time.perf_counter()
        if grow(scale):
            print(f"built scale {scale:,} in {time.perf_counter() - t:.0f} s", flush=True)
        results = measure(account, user, raw_token, args.runs)
        all_results[scale] = results
        print_table(scale, results, sizes())
    if len(all_results) > 1:
        print("\nhow each grew, p95 ms (SQL ms):")
        print(f"{'what':32} " + " ".join(f"{s:>20,}" for s in all_results))
        for name in TARGETS:
            cells = [f"{r[name][1]:.1f} ({r[name][2]:.1f})" for r in all_results.values()]
            print(f"{name:32} " + " ".join(f"{c:>20}" for c in cells))


if __name__ == "__main__":
    main()
