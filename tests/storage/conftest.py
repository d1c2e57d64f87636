"""Storage faults: a real tmpfs that fills up, the files a directory really holds."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest


def files_under(root: Path) -> list[str]:
    """Every file under root, hidden (temporary) ones included, relative, sorted."""
    if not root.exists():
        return []
    return sorted(
        str(Path(dirpath, name).relative_to(root))
        for dirpath, _dirs, names in os.walk(root)
        for name in names
    )


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB file system (tmpfs) mounted for the test; skipped where mounting is not
    permitted (not root, no CAP_SYS_ADMIN, a container without mount rights)."""
    mountpoint = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mountpoint.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mountpoint)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (FileNotFoundError, PermissionError) as exc:
        pytest.skip(f"cannot mount a small tmpfs to fill: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill: {done.stderr.strip() or done.returncode}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=30)


# A real S3-compatible server (moto's) and a bucket per test for the recordings on S3.
from tests.storage.s3_server import bucket, s3_endpoint  # noqa: E402, F401
