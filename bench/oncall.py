"""On-call speed: 1,000 accounts, each with a year of weekly shifts, overrides on 10 % of them.

    .venv/bin/python bench/oncall.py                     # SQLite (a file under /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_oncall .venv/bin/python bench/oncall.py

Measures, in-process through Django's full middleware stack (WSGI handler, no network):
- "who is on call now" through the API (GET /api/v1/accounts/N/oncall, an oncall:read token):
  server time p50/p95 (target p95 ≤ 5 ms), and requests per second against a bare Django JSON
  view mounted in the same project (target: at least 70 %; the ratio is printed);
- the On Call month page of a busy schedule (three ranks of daily shifts, overrides), signed
  in: p50/p95 (target ≤ 100 ms).
Setup inserts rows directly for speed, but the stored intervals are computed by the same
`services.resolve` the services use. BENCH_ACCOUNTS=100 for a quick run.
"""

import datetime as dt
import os
import random
import statistics as pystats
import sys
import time
import types
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/portal_bench_oncall.sqlite3")
os.environ.setdefault("PORTAL_DATA_DIR", "/tmp/portal_bench_oncall")
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import django  # noqa: E402
from benchdb import analyze, drop_postgres, prepare_database  # noqa: E402

N_ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", 1000))
RUNS = int(os.environ.get("BENCH_RUNS", 2000))
TZ = zoneinfo.ZoneInfo("America/Toronto")


def bench_urls():
    """The project's URLs plus one bare JSON view, as a module Django can import."""
    from django.http import JsonResponse
    from django.urls import include, path

    def bare(request):
        return JsonResponse({"account": "4000", "entries": []})

    module = types.ModuleType("bench_oncall_urls")
    module.urlpatterns = [path("bare/", bare), path("", include("portal.urls"))]
    sys.modules["bench_oncall_urls"] = module
    return "bench_oncall_urls"


def populate(start: dt.datetime):
    from django.db import transaction

    from portal.accounts.models import Account
    from portal.directory.models import Contact
    from portal.oncall.models import Assignment, OnCallInterval, Schedule, Shift
    from portal.oncall.services import add_local_days, resolve

    rnd = random.Random(42)
    t0 = time.perf_counter()
    with transaction.atomic():
        accounts = Account.objects.bulk_create(
            [Account(number=str(10000 + i), name=f"BENCH{i}") for i in range(N_ACCOUNTS)]
        )
        contacts = Contact.objects.bulk_create(
            [
                Contact(account=a, external_id=f"c{j}", name=f"Contact {j} of {a.number}")
                for a in accounts
                for j in range(5)
            ]
        )
        by_account = {}
        for c in contacts:
            by_account.setdefault(c.account_id, []).append(c)
        schedules = Schedule.objects.bulk_create(
            [Schedule(account=a, external_id="01", name="01 Horaire") for a in accounts]
        )
        shifts = Shift.objects.bulk_create(
            [
                Shift(
                    schedule=s,
                    external_id=f"w{w}",
                    start=add_local_days(start, 7 * w, TZ),
                    end=add_local_days(start, 7 * (w + 1), TZ),
                )
                for s in schedules
                for w in range(52)
            ],
            batch_size=2000,
        )
        now = dt.datetime.now(dt.UTC)
        assignments = []
        for sh in shifts:
            people = by_account[sh.schedule.account_id]
            if rnd.random() < 0.9:
                assignments.append(
                    Assignment(
                        shift=sh,
                        kind="base",
                        contact=(c := rnd.choice(people)),
                        contact_name=c.name,
                        start=sh.start,
                        end=sh.end,
                        created_at=now,
                    )
                )
            if rnd.random() < 0.1:
                a = sh.start + dt.timedelta(hours=rnd.randint(0, 100))
                assignments.append(
                    Assignment(
                        shift=sh,
                        kind="override",
                        contact=(c := rnd.choice(people)),
                        contact_name=c.name,
                        start=a,
                        end=a + dt.timedelta(hours=rnd.randint(1, 60)),
                        created_at=now,
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        per_shift = {}
        for a in assignments:
            per_shift.setdefault(a.shift_id, []).append(a)
        intervals = []
        for sh in shifts:
            mine = per_shift.get(sh.pk, [])
            base = next((a for a in mine if a.kind == "base"), None)
            overrides = [a for a in mine if a.kind == "override"]
            for p in resolve(sh.start, sh.end, base, overrides):
                intervals.append(
                    OnCallInterval(
                        account_id=sh.schedule.account_id,
                        schedule=sh.schedule,
                        shift=sh,
                        start=p.start,
                        end=p.end,
                        source=p.source,
                        contact_id=p.contact_id,
                        assignment_id=p.assignment_id,
                    )
                )
        OnCallInterval.objects.bulk_create(intervals, batch_size=2000)
    analyze()
    print(
        f"setup: {len(accounts)} accounts, {len(shifts)} shifts, {len(assignments)} assignments, "
        f"{len(intervals)} stored intervals in {time.perf_counter() - t0:.1f} s"
    )
    return accounts


def busy_schedule(account, start):
    """Three ranks of daily shifts for three months, an override on every fifth."""
    from portal.oncall import services
    from portal.oncall.services import Actor

    actor = Actor(name="bench")
    schedule, _ = services.upsert_schedule(account, "busy", "02 Busy")
    people = list(account.contacts.all())
    n = 0
    for d in range(92):
        for rank in range(3):
            s = services.add_local_days(start, d, TZ)
            e = services.add_local_days(start, d + 1, TZ)
            shift, _ = services.upsert_shift(schedule, f"d{d}r{rank}", start=s, end=e, rank=rank)
            # The month starts in the past: set up as the staff correct it (with a reason).
            services.assign(
                shift, people[(d + rank) % len(people)], actor=actor, past_reason="bench setup"
            )
            if n % 5 == 0:
                services.override(
                    shift,
                    people[(d + rank + 1) % len(people)],
                    s,
                    s + dt.timedelta(hours=6),
                    actor=actor,
                    past_reason="bench setup",
                )
            n += 1
    return schedule


def timed(fn, runs):
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples


def p(samples, q):
    return samples[min(len(samples) - 1, int(len(samples) * q))]


def main() -> None:
    prepare_database()
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ROOT_URLCONF = bench_urls()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from django.test import Client

    from portal.accounts.models import Membership, User
    from portal.api.services import create_token

    start = dt.datetime.now(TZ).replace(hour=7, minute=30, second=0, microsecond=0) - dt.timedelta(
        days=180
    )
    accounts = populate(start)
    _token, raw = create_token("bench-dispatch", "oncall:read", [])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    rnd = random.Random(7)
    numbers = [a.number for a in accounts]

    # Sanity: one answer.
    r = client.get(f"/api/v1/accounts/{numbers[0]}/oncall")
    assert r.status_code == 200, r.content
    print("sample answer:", r.content[:200].decode(), "…")

    for _ in range(200):  # warm-up
        client.get(f"/api/v1/accounts/{rnd.choice(numbers)}/oncall")
        client.get("/bare/")

    api = timed(lambda: client.get(f"/api/v1/accounts/{rnd.choice(numbers)}/oncall"), RUNS)
    bare = timed(lambda: client.get("/bare/"), RUNS)
    api_rps = 1000 / pystats.mean(api)
    bare_rps = 1000 / pystats.mean(bare)
    ratio = api_rps / bare_rps
    print(
        f"who is on call now (API): p50 {p(api, 0.5):.2f} ms, p95 {p(api, 0.95):.2f} ms "
        f"(target p95 ≤ 5 ms) {'OK' if p(api, 0.95) <= 5 else 'MISSED'}"
    )
    print(f"bare Django JSON view:    p50 {p(bare, 0.5):.2f} ms, p95 {p(bare, 0.95):.2f} ms")
    print(
        f"requests/s (one thread, in-process): API {api_rps:.0f}, bare {bare_rps:.0f}, "
        f"ratio {ratio:.0%} (target ≥ 70 %) {'OK' if ratio >= 0.7 else 'MISSED'}"
    )

    # The same measurement with a connection that is never recycled (CONN_MAX_AGE=None)
    # rather than the settings' 60 seconds:
    from django.db import connection

    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None
    for _ in range(200):
        client.get(f"/api/v1/accounts/{rnd.choice(numbers)}/oncall")
    api_kept = timed(lambda: client.get(f"/api/v1/accounts/{rnd.choice(numbers)}/oncall"), RUNS)
    bare_kept = timed(lambda: client.get("/bare/"), RUNS)
    ratio_kept = pystats.mean(bare_kept) / pystats.mean(api_kept)
    print(
        f"with a kept connection: API p50 {p(api_kept, 0.5):.2f} ms, p95 {p(api_kept, 0.95):.2f} ms "
        f"{'OK' if p(api_kept, 0.95) <= 5 else 'MISSED'}; requests/s API "
        f"{1000 / pystats.mean(api_kept):.0f}, bare {1000 / pystats.mean(bare_kept):.0f}, "
        f"ratio {ratio_kept:.0%} {'OK' if ratio_kept >= 0.7 else 'MISSED'}"
    )
    from portal.oncall import services as oncall_services

    look = timed(lambda: oncall_services.on_call_at(accounts[rnd.randrange(len(accounts))]), RUNS)
    print(
        f"the look-up itself (services.on_call_at, one SQL query): p50 {p(look, 0.5):.3f} ms, p95 {p(look, 0.95):.3f} ms"
    )

    account = accounts[0]
    busy = busy_schedule(account, start + dt.timedelta(days=150))
    user = User.objects.create_user("bench", password="x")
    Membership.objects.create(user=user, account=account, role="admin")
    web = Client()
    web.force_login(user)
    day = (start + dt.timedelta(days=170)).date().isoformat()
    url = f"/a/{account.number}/oncall/?schedule={busy.external_id}&view=month&date={day}"
    r = web.get(url)
    assert r.status_code == 200
    rows = r.content.decode().count('class="oc-row')
    for _ in range(5):
        web.get(url)
    month = timed(lambda: web.get(url), 40)
    print(
        f"month page, busy schedule ({rows} shifts shown): p50 {p(month, 0.5):.1f} ms, "
        f"p95 {p(month, 0.95):.1f} ms (target ≤ 100 ms) {'OK' if p(month, 0.95) <= 100 else 'MISSED'}"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        drop_postgres()
