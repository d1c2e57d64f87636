"""Item 13: `manage.py recordings_orphans [--delete]`, the nightly check of the recordings'
storage: files no recording names, recordings whose file is missing; only --delete removes,
and only orphan files (never a recording's, never one younger than an hour)."""

import io
import os
import time
from contextlib import redirect_stdout

import pytest
from django.core.management import call_command

from portal.calls.models import Recording
from tests.calls.helpers import add_recording, make_call, wav_bytes
from tests.storage.conftest import files_under

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    status = 0
    with redirect_stdout(out):
        try:
            call_command("recordings_orphans", *args, stdout=out)
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue()


def aged(path, hours=2):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


@pytest.fixture
def storage_state(account, settings):
    media = settings.MEDIA_ROOT
    kept = Recording.objects.get(call=add_recording(make_call(account), wav_bytes(1)))
    lost = Recording.objects.get(call=add_recording(make_call(account, call_id="15319140")))
    lost.file.storage.delete(lost.file.name)
    folder = media / "recordings" / account.number
    orphan = folder / "99999999-0123456789ab.wav"
    orphan.write_bytes(b"RIFF-orphan")
    leftover = folder / ".15319141-0123456789ab.wav.1a2b3c4d5e6f.part"
    leftover.write_bytes(b"RIFF-half")
    young = folder / "88888888-0123456789ab.wav"  # a recording being stored right now
    young.write_bytes(b"RIFF-young")
    aged(orphan)
    aged(leftover)
    aged(media / kept.file.name)
    return {
        "media": media,
        "kept": kept,
        "lost": lost,
        "orphan": orphan,
        "leftover": leftover,
        "young": young,
    }


def test_it_reports_orphans_and_missing_files_and_removes_nothing(storage_state):
    s = storage_state
    before = files_under(s["media"])
    status, out = run()
    assert status == 1
    assert f"orphan file: recordings/4000/{s['orphan'].name}" in out
    assert f"interrupted save: recordings/4000/{s['leftover'].name}" in out
    assert f"missing file: {s['lost'].file.name} (account 4000, call 15319140," in out
    assert "1 orphan file(s), 1 interrupted save(s), 1 recording(s) without a file" in out
    assert "1 file(s) too recent to judge" in out
    assert s["kept"].file.name not in out and s["young"].name not in out
    assert "--delete" in out
    assert files_under(s["media"]) == before


def test_delete_removes_only_the_old_orphan_files(storage_state):
    s = storage_state
    status, out = run("--delete")
    assert "2 file(s) removed." in out
    assert status == 1  # a recording still has no file: that needs a person
    remaining = files_under(s["media"])
    assert remaining == sorted([s["kept"].file.name, f"recordings/4000/{s['young'].name}"])
    assert Recording.objects.count() == 2  # rows are never removed
    status, out = run()
    assert "0 orphan file(s), 0 interrupted save(s), 1 recording(s) without a file" in out


def test_a_clean_storage_exits_0(account):
    add_recording(make_call(account))
    status, out = run()
    assert status == 0
    assert "0 orphan file(s), 0 interrupted save(s), 0 recording(s) without a file." in out
