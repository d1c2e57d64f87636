"""Backup and restore of the whole portal: the database and the recordings together
(`manage.py backup DEST`, `manage.py restore SRC`).

A backup is one directory:

    DEST/manifest.json        what is in it: format, engine, time, every table's row count,
                              and each file's size and SHA-256
    DEST/database.sqlite3     SQLite: a copy made by SQLite's online backup API, consistent
                              while the portal runs and writes
    DEST/database.pgdump      PostgreSQL: pg_dump -Fc, of the same snapshot the counts read
    DEST/media/...            every file of the default storage (the recordings)

It is written under a temporary name beside DEST and renamed at the end: a directory called
DEST is always a whole backup. The database is copied first, then the files: a recording stored
in between is only an extra file (an orphan, which `recordings_orphans` reports); a recording
`purge_expired` removed in between is a row without its file (reported too).

Restore checks the whole manifest (every size and hash) before it touches anything, refuses a
target that holds data unless --force, restores the database, then the files, then counts the
tables again against the manifest.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from portal.storage import is_temporary, read_chunks, walk

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
# Tables `migrate` fills by itself: a database holding only these is empty.
SCHEMA_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1024 * 1024


class BackupError(CommandError):
    pass


def sha256_of(fh) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while data := fh.read(CHUNK):
        digest.update(data)
        size += len(data)
    return size, digest.hexdigest()


def _file_entry(path: Path) -> dict:
    with open(path, "rb") as fh:
        size, sha = sha256_of(fh)
    return {"name": path.name, "size": size, "sha256": sha}


def engine() -> str:
    name = settings.DATABASES["default"]["ENGINE"]
    if name.endswith("sqlite3"):
        return "sqlite"
    if name.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups know SQLite and PostgreSQL, not {name}.")


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for (t,) in tables}


def _sqlite_backup(work: Path) -> dict:
    source = _sqlite_path()
    if not os.path.exists(source):
        raise BackupError(f"There is no database at {source}.")
    target = work / SQLITE_FILE
    src = sqlite3.connect(source, timeout=20)
    dst = sqlite3.connect(target)
    try:
        # One step (pages=-1): a consistent snapshot, while the portal goes on writing (WAL).
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        counts = _sqlite_counts(dst)
    finally:
        dst.close()
        src.close()
    return {**_file_entry(target), "tables": counts}


def _sqlite_restore(dump: Path) -> None:
    target = _sqlite_path()
    connections["default"].close()
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target, timeout=20)
    try:
        src.backup(dst)  # replaces the whole target, in one transaction
        dst.execute("PRAGMA journal_mode=WAL")  # as the portal opens it
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):  # fmt: skip
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _pg_connect():
    import psycopg

    db = settings.DATABASES["default"]
    params = {"dbname": db["NAME"], "user": db.get("USER") or None,
              "password": db.get("PASSWORD") or None, "host": db.get("HOST") or None,
              "port": db.get("PORT") or None}  # fmt: skip
    if db.get("OPTIONS", {}).get("sslmode"):
        params["sslmode"] = db["OPTIONS"]["sslmode"]
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None})


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _run(args: list[str], what: str) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (the PostgreSQL client programs).")
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()}")


def _pg_backup(work: Path) -> dict:
    target = work / PG_FILE
    with _pg_connect() as conn:
        with conn.cursor() as cursor:
            # The counts and the dump read one snapshot (pg_dump --snapshot).
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            _run(["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target)],
                 "pg_dump")  # fmt: skip
            conn.rollback()
    return {**_file_entry(target), "tables": counts}


def _pg_restore(dump: Path, clean: bool) -> None:
    connections["default"].close()
    args = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error"]  # fmt: skip
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, "-d", settings.DATABASES["default"]["NAME"], str(dump)], "pg_restore")


def database_counts() -> dict[str, int]:
    """Every table's row count in the configured database ({} when it does not exist yet)."""
    if engine() == "sqlite":
        if not os.path.exists(_sqlite_path()):
            return {}
        db = sqlite3.connect(_sqlite_path(), timeout=20)
        try:
            return _sqlite_counts(db)
        finally:
            db.close()
    with _pg_connect() as conn, conn.cursor() as cursor:
        return _pg_counts(cursor)


# --- Files ----------------------------------------------------------------------------------


def _backup_media(work: Path, storage) -> list[dict]:
    files = []
    for name in walk(storage):
        if is_temporary(name):
            continue
        target = work / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with closing(read_chunks(storage, name, chunk=CHUNK)) as src, open(target, "wb") as out:
            for data in src:
                digest.update(data)
                size += len(data)
                out.write(data)
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return files


def _restore_media(src: Path, files: list[dict], storage) -> None:
    for entry in files:
        name = entry["name"]
        if storage.exists(name):
            storage.delete(name)
        with open(src / MEDIA / name, "rb") as fh:
            saved = storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(f"The storage kept {name} as {saved}.")


# --- The two commands -----------------------------------------------------------------------


def backup(dest, storage=None) -> dict:
    """Writes a backup into the new directory `dest` and returns its manifest."""
    storage = storage or default_storage
    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty directory: choose a new one.")
    kind = engine()
    work = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        started = timezone.now()
        database = _sqlite_backup(work) if kind == "sqlite" else _pg_backup(work)
        files = _backup_media(work, storage)
        manifest = {
            "format": FORMAT,
            "engine": kind,
            "created_at": started.isoformat(),
            "database": database,
            "media": {
                "count": len(files),
                "bytes": sum(f["size"] for f in files),
                "files": files,
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        work.rename(dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def read_manifest(src: Path) -> dict:
    """The backup's manifest, after checking every file it names (size and SHA-256)."""
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} is not a backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        database, files = manifest["database"], manifest["media"]["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of format {manifest.get('format')}, not {FORMAT}.")
    problems = []
    for name, entry in [(database["name"], database)] + [
        (f"{MEDIA}/{f['name']}", f) for f in files
    ]:
        target = (src / name).resolve()
        if not target.is_relative_to(src.resolve()):
            problems.append(f"{name}: outside the backup")
            continue
        if not target.is_file():
            problems.append(f"{name}: missing")
            continue
        with open(target, "rb") as fh:
            size, sha = sha256_of(fh)
        if (size, sha) != (entry["size"], entry["sha256"]):
            problems.append(f"{name}: {size} bytes, SHA-256 {sha[:12]}…, the manifest says "
                            f"{entry['size']} bytes, {entry['sha256'][:12]}…")  # fmt: skip
    if problems:
        raise BackupError("The backup does not match its manifest:\n" + "\n".join(problems))
    if manifest["media"].get("count") != len(files):
        raise BackupError("The backup's manifest does not count its own files.")
    return manifest


def holds_data(storage=None) -> list[str]:
    """What the configured database and storage already hold (empty: nothing)."""
    storage = storage or default_storage
    found = [
        f"table {table}: {n} row(s)"
        for table, n in database_counts().items()
        if n and table not in SCHEMA_TABLES
    ]
    files = [name for name in walk(storage) if not is_temporary(name)]
    if files:
        found.append(f"{len(files)} file(s) in the storage, e.g. {files[0]}")
    return found


def restore(src, force: bool = False, storage=None) -> dict:
    """Restores the backup in `src` into the configured database and storage."""
    storage = storage or default_storage
    src = Path(src).resolve()
    manifest = read_manifest(src)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; DATABASE_URL names {kind}."
        )
    there = holds_data(storage)
    if there and not force:
        raise BackupError(
            "The target is not empty ("
            + "; ".join(there[:3])
            + "). Restore into an empty database and PORTAL_DATA_DIR, or add --force to "
            "overwrite it."
        )
    dump = src / manifest["database"]["name"]
    if kind == "sqlite":
        _sqlite_restore(dump)
    else:
        _pg_restore(dump, clean=bool(database_counts()))  # tables there: dropped first
    _restore_media(src, manifest["media"]["files"], storage)
    counts = database_counts()
    wrong = [
        f"{table}: {counts.get(table)} row(s), the manifest says {n}"
        for table, n in manifest["database"]["tables"].items()
        if counts.get(table) != n
    ]
    if wrong:
        raise BackupError("The restored database differs from the backup:\n" + "\n".join(wrong))
    return manifest
