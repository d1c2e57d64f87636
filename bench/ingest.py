"""Ingest speed: calls per second through the HTTP API, in batches of 1000.

    .venv/bin/python bench/ingest.py                 # SQLite
    .venv/bin/python bench/ingest.py --postgres      # SQLite, then PostgreSQL
    .venv/bin/python bench/ingest.py --batches 50 --workers 3

For each database: a fresh database in a temporary PORTAL_DATA_DIR (PostgreSQL: the
database portal_bench at postgres://postgres@127.0.0.1:5432, created and dropped), migrated;
accounts provisioned and an ingest token made with create_api_token; the portal served by
gunicorn on a free loopback port; then N batches of 1000 new calls are posted over HTTP
(keep-alive connections, one per worker) and the same batches again (replays: all
unchanged). Prints calls/second for both passes. Target: >= 5,000 calls/s on SQLite with
2 cores.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
ACCOUNTS = [str(7000 + i) for i in range(10)]
AGENTS = ["F-CAROLANE", "ELD", "MJT", "F-SOPHIE", "RBL", "GAB", "F-NADIA", "LUC"]
TZ = dt.timezone(dt.timedelta(hours=-4))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_calls(batches: int, size: int, seed: int = 7) -> list[bytes]:
    """Realistic calls: answered, abandoned, automated, held, patched, busy, transactions."""
    rng = random.Random(seed)
    start = dt.datetime(2023, 4, 1, 7, 0, tzinfo=TZ)
    bodies = []
    n = 0
    for _ in range(batches):
        calls = []
        for _ in range(size):
            n += 1
            duration = round(rng.uniform(3, 600), 1)
            call = {
                "call_id": str(15_000_000 + n),
                "account": rng.choice(ACCOUNTS),
                "direction": "in" if rng.random() < 0.9 else "out",
                "kind": "voice" if rng.random() < 0.95 else "transaction",
                "started_at": (start + dt.timedelta(seconds=n * 7)).isoformat(),
                "duration_s": duration,
                "caller_id": f"514555{rng.randrange(10_000):04d}",
                "caller_name": rng.choice(["TREMBLAY J", "GAGNON M", "ROY S", "", "BELL CANADA"]),
                "station": str(rng.randrange(1, 40)),
                "distribution_group": rng.randrange(0, 5),
                "quality": rng.randrange(50, 101),
                "busy": rng.random() < 0.02,
            }
            r = rng.random()
            if r < 0.8:  # reached an agent
                queued = round(rng.uniform(0, min(20, duration / 4)), 1)
                assigned = round(queued + rng.uniform(0, 5), 1)
                answered = round(min(duration, assigned + rng.uniform(0, 30)), 1)
                call.update(
                    queued_s=queued,
                    assigned_s=min(assigned, answered),
                    answered_s=answered,
                    work_s=round(duration - answered + rng.uniform(0, 60), 1),
                    agent=rng.choice(AGENTS),
                    holds_s=[round(rng.uniform(2, 60), 1) for _ in range(rng.choice([0, 0, 1, 2]))],
                    patch_s=round(rng.uniform(10, 120), 1) if rng.random() < 0.05 else 0,
                )
            elif r < 0.9:  # abandoned while waiting
                call.update(queued_s=round(rng.uniform(0, duration), 1))
            calls.append(call)
        bodies.append(json.dumps({"calls": calls}).encode())
    return bodies


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return (result.stdout or "").strip()


def request(conn, method: str, path: str, token: str, body: bytes) -> tuple[int, dict]:
    conn.request(
        method,
        path,
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data or b"{}")


def wait_until_serving(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start in time")


def post_all(port: int, token: str, bodies: list[bytes], clients: int) -> tuple[float, dict]:
    """Post every body over `clients` keep-alive connections; returns seconds and counts."""
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    lock = threading.Lock()
    queue = list(enumerate(bodies))
    failures: list[str] = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while True:
                with lock:
                    if not queue or failures:
                        return
                    index, body = queue.pop(0)
                status, answer = request(conn, "POST", "/api/v1/ingest/calls", token, body)
                with lock:
                    if status != 200:
                        failures.append(f"batch {index}: {status} {str(answer)[:300]}")
                        return
                    for k in totals:
                        totals[k] += answer[k]
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit("\n".join(failures))
    return elapsed, totals


def create_postgres(drop_only: bool = False) -> None:
    import psycopg

    base, name = POSTGRES_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def bench(database: str, bodies: list[bytes], workers: int, clients: int) -> dict:
    data_dir = tempfile.mkdtemp(prefix="portal-bench-")
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": data_dir,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),  # production refuses weak keys
    }
    env.pop("DATABASE_URL", None)
    if database == "postgresql":
        create_postgres()
        env["DATABASE_URL"] = POSTGRES_URL
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        provision = manage(
            env, "create_api_token", "bench-provision", "--scope", "provision", capture=True
        )
        ingest = manage(env, "create_api_token", "bench-ingest", "--scope", "ingest", capture=True)
        port = free_port()
        server = subprocess.Popen(
            [
                GUNICORN,
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--keep-alive",
                "30",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_until_serving(port, server)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for number in ACCOUNTS:
            body = json.dumps({"name": f"BENCH {number}", "billing_number": "9" + number})
            status, answer = request(
                conn, "PUT", f"/api/v1/accounts/{number}", provision, body.encode()
            )
            if status != 200:
                raise SystemExit(f"provisioning failed: {status} {answer}")
        # Warm every worker up (imports, first connection) with a one-call batch it replays.
        warm = json.dumps({"calls": [json.loads(bodies[0])["calls"][0] | {"call_id": "warm"}]})
        for _ in range(workers * 2):
            request(conn, "POST", "/api/v1/ingest/calls", ingest, warm.encode())
        conn.close()

        calls = sum(len(json.loads(b)["calls"]) for b in bodies)
        first, counts = post_all(port, ingest, bodies, clients)
        if counts["created"] != calls:
            raise SystemExit(f"expected {calls} created, got {counts}")
        replay, again = post_all(port, ingest, bodies, clients)
        if again["unchanged"] != calls:
            raise SystemExit(f"expected {calls} unchanged on replay, got {again}")
        return {"calls": calls, "new": calls / first, "replay": calls / replay, "seconds": first}
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
        if database == "postgresql":
            create_postgres(drop_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=30, help="batches per pass (default 30)")
    parser.add_argument("--size", type=int, default=1000, help="calls per batch (default 1000)")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (default 2, one per core)"
    )
    parser.add_argument(
        "--clients", type=int, default=0, help="concurrent HTTP connections (default: workers)"
    )
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    if not 1 <= args.batches <= 1000 or not 1 <= args.size <= 1000:
        parser.error("--batches 1..1000, --size 1..1000")
    clients = args.clients or args.workers

    bodies = make_calls(args.batches, args.size)
    print(
        f"{args.batches} batches of {args.size} calls, gunicorn --workers {args.workers}, "
        f"{clients} keep-alive connection(s), {os.cpu_count()} CPU(s)"
    )
    databases = ["sqlite"] + (["postgresql"] if args.postgres else [])
    for database in databases:
        result = bench(database, bodies, args.workers, clients)
        print(
            f"{database:<10} new calls: {result['new']:>8,.0f} calls/s "
            f"({result['calls']:,} in {result['seconds']:.2f} s)   "
            f"replays (unchanged): {result['replay']:>8,.0f} calls/s"
        )


if __name__ == "__main__":
    main()
