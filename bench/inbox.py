"""Messages and call log speed: one account with 100,000 messages and 300,000 calls in 60 days,
plus four other accounts around it (a quarter of that each).

    .venv/bin/python bench/inbox.py                      # SQLite (a file under /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_inbox .venv/bin/python bench/inbox.py

Measures server time (the view run in-process through Django's test client, signed in) of:
page one of the inbox, a keyword search, the call log with advanced criteria, and a recording's
first byte. Targets: p95 ≤ 50 ms for page one of the inbox and of the call log, ≤ 100 ms for
a keyword search, and a page no more than 3× the bare SQL query behind it (the ratio printed:
the SQL is the very query the page runs, through the same service, run bare on a cursor).
It also times an empty signed-in page (the floor every client page pays before its own work).
Setup inserts rows directly (not through ingest) for speed; BENCH_SCALE=0.1 for a quick run.
"""

import datetime as dt
import os
import random
import statistics as pystats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/portal_bench_inbox.sqlite3")
os.environ.setdefault("PORTAL_DATA_DIR", "/tmp/portal_bench_inbox")
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import django  # noqa: E402
from benchdb import analyze, drop_postgres, prepare_database  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", 1))
N_MESSAGES = int(100_000 * SCALE)
N_CALLS = int(300_000 * SCALE)
RUNS = int(os.environ.get("BENCH_RUNS", 40))


WORDS = "rendez-vous rappeler modèle série réfrigérateur laveuse garantie urgence facture livraison client adresse".split()
AGENTS = ["ELD", "DOM", "KAL", "JOH", "VDP", "MKM", "F-CAROLANE", "B-LUCAS"]


def populate():
    from portal.accounts.models import Account, Membership, User
    from portal.calls.models import Agent, Call
    from portal.inbox.models import Message
    from portal.inbox.services import search_text

    rnd = random.Random(42)
    now = dt.datetime.now(dt.UTC)
    accounts = [
        Account.objects.create(number=str(4000 + i), name=f"BENCH{i}", billing_number=f"78{i}")
        for i in range(5)
    ]
    user = User.objects.create_user("bench", password="x")
    Membership.objects.create(user=user, account=accounts[0], role="admin")
    agents = [Agent.objects.create(code=c) for c in AGENTS]
    seq = 0
    for index, account in enumerate(accounts):
        share = 1 if index == 0 else 0.25
        batch = []
        for _ in range(int(N_MESSAGES * share)):
            seq += 1
            taken = now - dt.timedelta(seconds=rnd.uniform(0, 60 * 86400))
            fields = [
                ["Prénom", rnd.choice(["Luc", "Anne", "Éric"])],
                ["Modèle", f"XR-{rnd.randint(1, 999)}"],
                ["Note", " ".join(rnd.sample(WORDS, 4))],
            ]
            subject = rnd.choice(["RENDEZ-VOUS", "SERVICE", "URGENCE", "INFO"])
            body = " ".join(rnd.sample(WORDS, 6))
            batch.append(
                Message(
                    message_id=f"m{seq}",
                    account=account,
                    taken_at=taken,
                    subject=subject,
                    fields=fields,
                    body=body,
                    urgent=rnd.random() < 0.05,
                    agent=rnd.choice(agents),
                    search_text=search_text(subject, fields, body),
                    call_id=str(seq),
                )
            )
            if len(batch) == 5000:
                Message.objects.bulk_create(batch)
                batch = []
        Message.objects.bulk_create(batch)
        batch = []
        for _ in range(int(N_CALLS * share)):
            seq += 1
            started = now - dt.timedelta(seconds=rnd.uniform(0, 60 * 86400))
            local = started.astimezone(account.tz)
            batch.append(
                Call(
                    call_id=str(seq),
                    account=account,
                    started_at=started,
                    duration_ms=rnd.randint(5, 900) * 1000,
                    agent=rnd.choice(agents),
                    station=str(rnd.randint(1, 40)),
                    quality=rnd.randint(0, 100),
                    caller_id=f"514{rnd.randint(1000000, 9999999)}",
                    local_date=local.date(),
                    local_minute=local.hour * 60 + local.minute,
                    local_weekday=local.weekday(),
                )
            )
            if len(batch) == 5000:
                Call.objects.bulk_create(batch)
                batch = []
        Call.objects.bulk_create(batch)
    analyze()
    return accounts[0], user


def timed(fn, runs=RUNS) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values):
    return sorted(values)[max(int(len(values) * 0.95) - 1, 0)]


def bare_sql(qs):
    from django.db import connection

    sql, params = qs.query.sql_with_params()

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()

    return run


def add_empty_page() -> str:
    """An empty page under /a/<account>/, through the same middleware, session, sign-in and
    tenancy as every client page: what any page costs before it does anything. Its ratio is
    to the inbox's bare SQL (the bench's own URL, not part of the portal)."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    import portal.urls

    portal.urls.urlpatterns.insert(
        0,
        path(
            "a/<str:account_number>/bench-empty/", lambda request, account_number: HttpResponse("")
        ),
    )
    clear_url_caches()
    return "bench-empty/"


def main() -> None:
    prepare_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    account, user = populate()
    print(
        f"setup: {N_MESSAGES:,} + {N_CALLS:,} rows for the account (plus four accounts at a quarter each) in {time.perf_counter() - t:.0f} s"
    )
    from django.test import Client

    from portal.calls.models import Call
    from portal.calls.services import (
        CallFilter,
        find_calls,
        split_recent,
        store_recording,
        totals,
    )
    from portal.calls.views import PAGE_SIZE as CALLS_PAGE
    from portal.inbox.services import MessageFilter, list_query
    from portal.inbox.views import PAGE_SIZE as INBOX_PAGE

    client = Client()
    client.force_login(user)
    base = f"/a/{account.number}"
    advanced = f"preset=dates&start_date={(dt.datetime.now(account.tz) - dt.timedelta(days=60)).date().isoformat()}&agent=eld&min_duration=2&min_quality=20&max_quality=90"
    adv_filter = CallFilter(
        start=dt.datetime.now(dt.UTC) - dt.timedelta(days=60),
        agent="eld",
        min_duration_s=120,
        min_quality=20,
        max_quality=90,
    )
    recent_qs, archive_qs = split_recent(find_calls([account], adv_filter))
    default_recent, default_archive = split_recent(
        find_calls([account], CallFilter(start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
    )

    def call_log_sql(recent, archive):
        """What the call log page must ask: page one of each section and their totals."""
        related = ("account", "agent", "recording")
        rows = bare_sql(recent.select_related(*related)[: CALLS_PAGE + 1])
        rows_archive = bare_sql(archive.select_related(*related)[: CALLS_PAGE + 1])

        def run():
            rows()
            rows_archive()
            totals(recent)
            totals(archive)

        return run

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return run

    import io
    import struct

    frames = b"\x00\x00" * 8000 * 60
    wav = (
        b"RIFF"
        + struct.pack("<I", 36 + len(frames))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
        + b"data"
        + struct.pack("<I", len(frames))
        + frames
    )
    call = Call.objects.filter(account=account).order_by("-started_at").first()
    store_recording(call, io.BytesIO(wav), "audio/wav", 50 * 1024 * 1024, len(wav))

    def first_byte():
        response = client.get(f"{base}/calls/{call.call_id}/recording/", HTTP_RANGE="bytes=0-")
        next(iter(response.streaming_content))
        response.close()

    inbox_sql = bare_sql(list_query([account], MessageFilter())[: INBOX_PAGE + 1])
    cases = [
        ("inbox page one", get(f"{base}/messages/"), inbox_sql, 50),
        ("signed-in empty page (floor)", get(f"{base}/{add_empty_page()}"), inbox_sql, None),
        (
            "keyword search",
            get(f"{base}/messages/?q=refrigerateur+garantie"),
            bare_sql(
                list_query([account], MessageFilter(q="refrigerateur garantie"))[: INBOX_PAGE + 1]
            ),
            100,
        ),
        (
            "call log page one (default)",
            get(f"{base}/calls/"),
            call_log_sql(default_recent, default_archive),
            50,
        ),
        (
            "call log, advanced criteria",
            get(f"{base}/calls/?{advanced}"),
            call_log_sql(recent_qs, archive_qs),
            None,
        ),
        ("recording first byte", first_byte, None, None),
    ]
    print(f"database: {django.db.connection.vendor}; {RUNS} runs each; times in ms")
    print(f"{'':32} {'median':>8} {'p95':>8} {'target':>8} {'SQL p95':>8} {'ratio':>6}")
    sql_runs = {}  # the floor's ratio is to the inbox's SQL, as measured for the inbox
    for name, fn, sql, target in cases:
        times = timed(fn)
        line = f"{name:32} {pystats.median(times):8.1f} {p95(times):8.1f} {('≤' + str(target)) if target else '':>8}"
        if sql:
            if sql not in sql_runs:
                sql_runs[sql] = timed(sql)
            sql_times = sql_runs[sql]
            line += f" {p95(sql_times):8.1f} {p95(times) / max(p95(sql_times), 0.001):6.1f}×"
        print(line)
    print(
        "The floor is a page that does nothing: its ratio is to the inbox's bare SQL. A page's\n"
        "ratio cannot be under the floor's (a page is the floor plus its own work)."
    )
    drop_postgres()


if __name__ == "__main__":
    main()
