"""The portal's own settings (not a test's override) store recordings through
portal.storage.AtomicFileSystemStorage when no S3_BUCKET is set: the full-disk tests set that
storage themselves, so without this test the settings could go back to Django's plain
FileSystemStorage (partial files on a full disk) and every other test would still pass."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT_STORAGE = (
    "import django; django.setup(); "
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__module__ + '.' + type(s).__name__)"
)


def test_recordings_are_written_atomically_by_default(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_DEV": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", PRINT_STORAGE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "portal.storage.AtomicFileSystemStorage"
