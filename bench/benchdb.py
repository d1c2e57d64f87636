"""The database a bench runs on: made fresh before it, dropped after it (PostgreSQL).

DATABASE_URL names it (each script sets its own default); BENCH_KEEP=1 keeps a PostgreSQL
database after the run for a look at it; BENCH_FRESH=0 reuses an existing SQLite file.
"""

import os
from pathlib import Path


def prepare_database() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:"):
        path = Path(url.split("sqlite:///", 1)[1])
        if os.environ.get("BENCH_FRESH", "1") == "1":
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    elif url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres") and os.environ.get("BENCH_KEEP") != "1":
        import psycopg
        from django.db import connections

        connections.close_all()
        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def analyze() -> None:
    """After a bulk load: fresh planner statistics on both databases, and on PostgreSQL the
    VACUUM that index-only scans need (autovacuum does both in production, some time later)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
