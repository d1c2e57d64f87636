"""Issue 14, item 4: `manage.py backup` and `manage.py restore` with the recordings on S3.
Real commands in portal processes of their own, started with S3_BUCKET and the other S3_
variables (as on a production machine), against the moto server of the test run: the
objects of one bucket are copied into the backup and restored into another bucket, and a
fresh portal reads the same recordings back."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.storage.backup_data import RECORDINGS, expected_sha256
from tests.storage.conftest import files_under
from tests.storage.s3_server import new_bucket, s3_environment

ROOT = Path(__file__).resolve().parents[2]
KEY = secrets.token_urlsafe(60)


def portal(data_dir: Path, s3: dict, *args: str, check=True):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "PORTAL_DATA_DIR") and not k.startswith("S3_")
    }
    env.update(
        PORTAL_DATA_DIR=str(data_dir),
        SECRET_KEY=KEY,
        DJANGO_SETTINGS_MODULE="portal.settings",
        **s3,
    )
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


def shell(data_dir: Path, s3: dict, code: str) -> str:
    return portal(data_dir, s3, "shell", "--no-imports", "-c", code).stdout


def contents(data_dir: Path, s3: dict) -> dict:
    return json.loads(shell(data_dir, s3, "from tests.storage.backup_data import read; read()"))


def test_backup_copies_the_objects_and_restore_puts_them_into_another_bucket(s3_endpoint, tmp_path):
    source_bucket, target_bucket = new_bucket(s3_endpoint), new_bucket(s3_endpoint)
    source_s3 = s3_environment(s3_endpoint, source_bucket.name)
    target_s3 = s3_environment(s3_endpoint, target_bucket.name)
    source, fresh, backup = tmp_path / "source", tmp_path / "fresh", tmp_path / "backup"

    portal(source, source_s3, "migrate", "-v", "0")
    shell(source, source_s3, "from tests.storage.backup_data import build; build()")
    original = contents(source, source_s3)
    assert len(source_bucket.keys()) == len(RECORDINGS)
    assert files_under(source / "media") == []  # the recordings are in the bucket only

    done = portal(source, source_s3, "backup", str(backup))
    assert f"{len(RECORDINGS)} file(s)" in done.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    names = sorted(f["name"] for f in manifest["media"]["files"])
    assert names == source_bucket.keys()
    for entry in manifest["media"]["files"]:
        assert (backup / "media" / entry["name"]).read_bytes() == source_bucket.read(entry["name"])

    done = portal(fresh, target_s3, "restore", str(backup))
    assert "the counts match the manifest" in done.stdout
    assert target_bucket.keys() == source_bucket.keys()
    restored = contents(fresh, target_s3)
    assert restored == original
    for call_id, sha in expected_sha256().items():  # the very bytes the platform sent
        assert restored["recordings"][call_id]["sha256"] == sha

    # The target bucket now holds data: a second restore is refused, then forced.
    refused = portal(tmp_path / "other", target_s3, "restore", str(backup), check=False)
    assert refused.returncode != 0 and "The target is not empty" in refused.stderr
    assert "file(s) in the storage" in refused.stderr
    portal(tmp_path / "other", target_s3, "restore", "--force", str(backup))
    assert target_bucket.keys() == source_bucket.keys()
