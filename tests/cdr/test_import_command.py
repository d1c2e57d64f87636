"""manage.py import_cdr: files of any size, streamed in atomic batches, a progress line on
stderr, a summary, and a failing exit status when a row was bad."""

import datetime as dt
import io
import json
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.calls import cdr
from portal.calls.models import Call
from tests.cdr.generate import freeswitch_lines, master_csv
from tests.cdr.helpers import FIXTURES, fixture

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cdr", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_asterisk_and_freeswitch_files_with_a_summary_and_progress(clinics):
    out, err = run("--format", "asterisk-csv", FIXTURES / "Master.csv")
    assert "7 row(s) read: 7 created, 0 updated, 0 unchanged; 0 problem(s)" in out
    assert "Master.csv: [########################] 100.0%  7 rows" in err
    out, _ = run(
        "--format",
        "freeswitch-json",
        FIXTURES / "freeswitch-list.json",
        FIXTURES / "freeswitch" / "a1b2c3d4-0001-4a5b-9c8d-000000000001.cdr.json",
    )
    # The single document is also the list's first: unchanged the second time.
    assert "6 row(s) read: 5 created, 0 updated, 1 unchanged" in out
    assert Call.objects.count() == 12
    out, _ = run("--format", "asterisk-csv", "--no-progress", FIXTURES / "Master.csv")
    assert "7 unchanged" in out


def test_the_tz_option(clinics):
    run("--format", "asterisk-csv", "--tz", "UTC", FIXTURES / "Master.csv")
    call = Call.objects.get(call_id="1792069200.1")
    assert call.started_at.isoformat() == "2026-10-15T09:00:00+00:00"
    with pytest.raises(CommandError, match="Unknown time zone: Nowhere/Town"):
        run("--format", "asterisk-csv", "--tz", "Nowhere/Town", FIXTURES / "Master.csv")


def test_a_bad_row_refuses_only_its_batch_and_the_status_says_so(clinics, tmp_path):
    bad = fixture("Master-bad.csv").splitlines()[1]  # account 9999
    path = tmp_path / "Master.csv"
    path.write_text(fixture("Master.csv") + bad + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_cdr", "--format", "asterisk-csv", "--batch", "3", str(path), stdout=out
        )
    assert exc.value.returncode == 1
    text = out.getvalue()
    assert f"{path}:8: account: Unknown account: 9999" in text
    # Rows 1–6 in two good batches; row 7 shared the bad row's batch.
    assert "8 row(s) read: 6 created, 0 updated, 0 unchanged; 1 problem(s) in bad rows, " in text
    assert "1 row(s) not stored (their batch had a bad row)." in text
    assert Call.objects.count() == 6
    assert not Call.objects.filter(call_id="1793514000.13").exists()


def test_a_broken_json_file_is_reported_at_its_line(clinics, tmp_path):
    path = tmp_path / "cdr.json"
    path.write_text(fixture("freeswitch-list.json")[:-40], encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_cdr", "--format", "freeswitch-json", "--batch", "2", str(path), stdout=out
        )
    assert f"{path}:6: row: Not valid JSON" in out.getvalue()
    assert Call.objects.count() == 4  # the two batches before the break


def test_help_and_exit_status_as_a_process(clinics, tmp_path):
    """The real command line: --help, and status 1 with a bad row."""
    python = sys.executable
    helped = subprocess.run(
        [python, "manage.py", "import_cdr", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert helped.returncode == 0 and "asterisk-csv" in helped.stdout
    missing = subprocess.run(
        [python, "manage.py", "import_cdr", "--format", "asterisk-csv", str(tmp_path / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "No such file" in missing.stderr


def test_200000_rows_in_constant_memory(clinics, tmp_path, monkeypatch):
    """A 200,000-row Master.csv (54 MB) in batches of 1000. tracemalloc watches two windows
    of 20 batches, one early (batches 11-30) and one at the end (181-200): within each,
    the memory still held after a batch does not grow with the rows read (a leak of 13 bytes
    a row would show), and both windows peak alike. (Tracing the whole run takes six times
    as long: 280 s against 45.)"""
    path = master_csv(tmp_path / "Master.csv", 200_000, dt.datetime(2026, 9, 1))
    assert path.stat().st_size > 50 * 1024 * 1024
    windows = {"early": range(11, 31), "late": range(181, 201)}
    held: dict[str, list[int]] = {name: [] for name in windows}
    peaks: dict[str, int] = {}
    done = 0
    store = cdr.ingest_cdr

    def measured(*args, **kwargs):
        nonlocal done
        batch = done + 1
        for window in windows.values():
            if batch == window.start:
                tracemalloc.start()
        counts = store(*args, **kwargs)
        done = batch
        for name, window in windows.items():
            if batch in window:
                held[name].append(tracemalloc.get_traced_memory()[0])
            if batch == window[-1]:
                peaks[name] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        return counts

    monkeypatch.setattr(cdr, "ingest_cdr", measured)
    out, err = run("--format", "asterisk-csv", path)
    assert "200000 row(s) read: 200000 created" in out
    assert Call.objects.count() == 200_000
    assert done == 200 and "200,000 rows" in err
    for name, values in held.items():
        assert len(values) == 20
        # The first half of a window settles what stays: the last batch's rows and the caches
        # that turn over into new (traced) objects, such as psycopg's statement cache on
        # PostgreSQL (about 400 KB, the same in both windows). Then nothing more is held.
        growth = max(values[10:]) - values[10]
        assert growth < 256 * 1024, (name, values)
    assert held["late"][-1] - held["early"][-1] < 256 * 1024, held
    assert peaks["late"] < peaks["early"] * 1.25 + 256 * 1024, peaks
    assert peaks["late"] < 16 * 1024 * 1024, peaks


def test_freeswitch_documents_one_a_line(clinics, tmp_path):
    template = json.loads(fixture("freeswitch/a1b2c3d4-0001-4a5b-9c8d-000000000001.cdr.json"))
    path = freeswitch_lines(tmp_path / "cdr.jsonl", template, 2500, 1792069200)
    out, _ = run("--format", "freeswitch-json", path)
    assert "2500 row(s) read: 2500 created" in out
    assert Call.objects.filter(agent__code="1001@default").count() == 2500
    shutil.rmtree(tmp_path)
