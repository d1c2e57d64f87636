"""Item 15: `manage.py backup DEST` and `manage.py restore SRC`, the database and the
recordings together, on SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore).
Everything runs through the real commands in portal processes of their own: data made through
the ingest services in one PORTAL_DATA_DIR, backed up, restored into a fresh one (another
database on PostgreSQL), and read back: the same messages, calls and recording bytes."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.storage.backup_data import RECORDINGS, expected_sha256
from tests.storage.conftest import files_under

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
KEY = secrets.token_urlsafe(60)


def portal(data_dir: Path, *args: str, database_url: str | None = None, check=True):
    """`manage.py ARGS` in a process of its own, on its own data directory (and database)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PORTAL_DATA_DIR")}
    env.update(
        PORTAL_DATA_DIR=str(data_dir), SECRET_KEY=KEY, DJANGO_SETTINGS_MODULE="portal.settings"
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def shell(data_dir: Path, code: str, **kw) -> str:
    return portal(data_dir, "shell", "--no-imports", "-c", code, **kw).stdout


def build(data_dir: Path, **kw) -> dict:
    portal(data_dir, "migrate", "-v", "0", **kw)
    shell(data_dir, "from tests.storage.backup_data import build; build()", **kw)
    return contents(data_dir, **kw)


def contents(data_dir: Path, **kw) -> dict:
    return json.loads(shell(data_dir, "from tests.storage.backup_data import read; read()", **kw))


def check_the_same(original: dict, restored: dict) -> None:
    assert restored == original
    assert len(restored["messages"]) == 6 and len(restored["calls"]) == 6
    assert sorted(restored["recordings"]) == sorted(RECORDINGS)
    for call_id, sha in expected_sha256().items():  # the very bytes the platform sent
        assert restored["recordings"][call_id]["sha256"] == sha
        assert restored["recordings"][call_id]["row_sha256"] == sha


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """A portal with data, and its backup (made while another connection holds an open write
    transaction: the online backup neither waits for it nor copies its uncommitted rows)."""
    base = tmp_path_factory.mktemp("sqlite-backup")
    source = base / "source"
    original = build(source)
    writer = sqlite3.connect(source / "portal.sqlite3", timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM inbox_message")  # not committed while the backup runs
    try:
        done = portal(source, "backup", str(base / "backup"))
    finally:
        writer.rollback()
        writer.close()
    return {
        "base": base,
        "source": source,
        "backup": base / "backup",
        "original": original,
        "out": done.stdout,
    }


def test_sqlite_backup_holds_the_database_the_recordings_and_a_manifest(sqlite_backup):
    backup = sqlite_backup["backup"]
    assert "Backed up to" in sqlite_backup["out"] and "3 file(s)" in sqlite_backup["out"]
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite" and manifest["format"] == 1
    assert manifest["database"]["tables"]["inbox_message"] == 6
    assert manifest["database"]["tables"]["calls_call"] == 6
    assert manifest["database"]["tables"]["calls_recording"] == 3
    assert manifest["media"]["count"] == 3
    names = {f["name"]: f for f in manifest["media"]["files"]}
    for recording in sqlite_backup["original"]["recordings"].values():
        entry = names[recording["name"]]
        assert (entry["size"], entry["sha256"]) == (recording["size"], recording["sha256"])
    assert sorted(files_under(backup)) == sorted(
        ["manifest.json", "database.sqlite3"] + [f"media/{n}" for n in names]
    )
    assert not list(sqlite_backup["base"].glob(".*partial*"))  # no half-written backup left


def test_sqlite_restore_into_a_fresh_data_dir_reads_the_same_data_back(sqlite_backup, tmp_path):
    fresh = tmp_path / "fresh"
    done = portal(fresh, "restore", str(sqlite_backup["backup"]))
    assert "the counts match the manifest" in done.stdout
    check_the_same(sqlite_backup["original"], contents(fresh))
    portal(fresh, "migrate", "--check", "-v", "0")  # the schema came back whole


def test_restore_refuses_a_target_that_holds_data_unless_forced(sqlite_backup, tmp_path):
    target = tmp_path / "busy"
    portal(target, "migrate", "-v", "0")
    assert (
        portal(target, "restore", str(sqlite_backup["backup"])).returncode == 0
    )  # only a schema: empty
    shell(
        target,
        "from portal.accounts.models import Account; Account.objects.create(number='9999', name='X')",
    )
    refused = portal(target, "restore", str(sqlite_backup["backup"]), check=False)
    assert refused.returncode != 0
    assert "The target is not empty" in refused.stderr and "--force" in refused.stderr
    assert "9999" in shell(
        target,
        "from portal.accounts.models import Account; print(list(Account.objects.values_list('number', flat=True)))",
    )
    portal(target, "restore", "--force", str(sqlite_backup["backup"]))
    check_the_same(sqlite_backup["original"], contents(target))


def test_restore_refuses_a_backup_that_does_not_match_its_manifest(sqlite_backup, tmp_path):
    import shutil

    spoiled = tmp_path / "spoiled"
    shutil.copytree(sqlite_backup["backup"], spoiled)
    victim = next((spoiled / "media").rglob("*.wav"))
    data = bytearray(victim.read_bytes())
    data[100] ^= 0xFF
    victim.write_bytes(bytes(data))
    fresh = tmp_path / "fresh"
    refused = portal(fresh, "restore", str(spoiled), check=False)
    assert refused.returncode != 0
    assert "does not match its manifest" in refused.stderr and victim.name in refused.stderr
    assert files_under(fresh / "media") == []  # nothing restored
    tables = shell(
        fresh, "from portal.backup import database_counts; print(sum(database_counts().values()))"
    )
    assert tables.strip() == "0"


def test_backup_refuses_a_destination_that_is_not_empty(sqlite_backup):
    refused = portal(sqlite_backup["source"], "backup", str(sqlite_backup["backup"]), check=False)
    assert refused.returncode != 0 and "is not an empty directory" in refused.stderr


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_reachable() -> str | None:
    import shutil

    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        return "the PostgreSQL client programs (pg_dump, pg_restore) are not installed"
    try:
        import psycopg

        psycopg.connect(f"{PG}/postgres", connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test against
        return f"PostgreSQL is not reachable at {PG}: {exc}"
    return None


@pytest.fixture
def pg_databases():
    """Two new, empty databases (source and restore target), dropped afterwards."""
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    suffix = secrets.token_hex(4)
    names = [f"portal_backup_src_{suffix}", f"portal_restore_{suffix}"]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [f"{PG}/{name}" for name in names]
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_backup_and_restore_into_another_database(pg_databases, tmp_path):
    source_url, target_url = pg_databases
    source, fresh = tmp_path / "source", tmp_path / "fresh"
    original = build(source, database_url=source_url)
    done = portal(source, "backup", str(tmp_path / "backup"), database_url=source_url)
    assert "postgresql database" in done.stdout
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql" and manifest["database"]["name"] == "database.pgdump"
    assert manifest["database"]["tables"]["calls_recording"] == 3
    assert (tmp_path / "backup" / "database.pgdump").read_bytes()[:5] == b"PGDMP"  # pg_dump -Fc
    portal(fresh, "restore", str(tmp_path / "backup"), database_url=target_url)
    check_the_same(original, contents(fresh, database_url=target_url))
    # Into the busy source: refused, then forced.
    refused = portal(
        source, "restore", str(tmp_path / "backup"), database_url=source_url, check=False
    )
    assert refused.returncode != 0 and "The target is not empty" in refused.stderr
    portal(source, "restore", "--force", str(tmp_path / "backup"), database_url=source_url)
    check_the_same(original, contents(source, database_url=source_url))


def test_a_sqlite_backup_is_not_restored_into_postgresql(sqlite_backup, pg_databases, tmp_path):
    refused = portal(
        tmp_path / "x",
        "restore",
        str(sqlite_backup["backup"]),
        database_url=pg_databases[1],
        check=False,
    )
    assert (
        refused.returncode != 0
        and "sqlite database; DATABASE_URL names postgresql" in refused.stderr
    )
