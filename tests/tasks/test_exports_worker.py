"""Long exports made by a real worker (`celery -A portal worker` on Redis, sharing the test
database and the storage): a Call Log workbook above the threshold and a zip of many
recordings. The page answers at once with the progress bar; the worker builds the file,
telling its progress as it goes; then the page offers the download, whose file is whole."""

import datetime as dt
import io
import time
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.calls.services import ingest_calls
from portal.exports.models import ExportJob
from tests.calls.helpers import add_recording, make_call

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 60
ROWS = 6000  # above the default threshold (PORTAL_EXPORT_INLINE_ROWS = 5000)


@pytest.fixture(scope="module")
def worker(task_queue):
    return task_queue.start_worker(PORTAL_EXPORT_PROGRESS_EVERY="100")


@pytest.fixture
def shared_media(settings, task_queue):
    """This process reads and writes the worker's storage."""
    settings.MEDIA_ROOT = task_queue.data_dir / "media"
    return settings.MEDIA_ROOT


def follow(client, url: str) -> tuple[ExportJob, list[int]]:
    """Poll the job's page as htmx does until it offers the download; the percentages seen."""
    seen = []
    deadline = time.monotonic() + WAIT
    while True:
        # The job is read before its page: a page not ready yet means the job read before it
        # was not done either (the worker may finish in between).
        job = ExportJob.objects.get()
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        if "Your export is ready" in fragment:
            return ExportJob.objects.get(), seen
        assert job.status in ("queued", "running"), (job.status, job.error)
        assert '<progress id="export-progress"' in fragment
        seen.append(job.percent)
        assert time.monotonic() < deadline, f"not ready within {WAIT} s: {job.status} {seen[-5:]}"
        time.sleep(0.05)


def test_a_big_call_log_workbook_is_built_by_the_worker(
    worker, shared_media, member_client, account
):
    now = timezone.now()
    for first in range(0, ROWS, 1000):
        ingest_calls(
            [
                {
                    "call_id": f"big-{i}",
                    "account": account.number,
                    "started_at": (now - dt.timedelta(seconds=5 + i * 0.5)).isoformat(),
                    "duration_s": 60 + i % 300,
                    "agent": "F-CAROLANE",
                    "caller_id": "5149150123",
                }
                for i in range(first, first + 1000)
            ]
        )
    response = member_client.get(reverse("calls_excel", args=[account.number]), {"preset": "hour"})
    job = ExportJob.objects.get()
    url = reverse("export_job", args=[account.number, job.pk])
    assert response.status_code == 302 and response["Location"] == url
    assert job.total == ROWS and job.status in ("queued", "running")
    page = member_client.get(url).content.decode()
    assert "Preparing your export…" in page and '<noscript><meta http-equiv="refresh"' in page
    job, seen = follow(member_client, url)
    assert seen == sorted(seen) and any(0 < p < 100 for p in seen), seen
    assert (job.status, job.count, job.done) == ("done", ROWS, ROWS)
    assert f"{job.pk}" in job.file_name and (shared_media / job.file_name).exists()
    assert b"portal.exports.build_export" in worker.log.read_bytes()
    download = member_client.get(reverse("export_download", args=[account.number, job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    ids = [r[9] for r in ws.iter_rows(min_row=2, values_only=True) if len(r) > 9 and r[9]]
    assert len(ids) == ROWS and set(ids) == {f"big-{i}" for i in range(ROWS)}


def test_a_zip_of_many_recordings_is_built_by_the_worker(
    worker, shared_media, member_client, account
):
    calls = [add_recording(make_call(account, ago=dt.timedelta(minutes=5 + i))) for i in range(25)]
    response = member_client.post(
        reverse("calls_download", args=[account.number]), {"ids": [c.call_id for c in calls]}
    )
    job = ExportJob.objects.get()
    url = reverse("export_job", args=[account.number, job.pk])
    assert response["Location"] == url and job.total == 25
    job, _seen = follow(member_client, url)
    assert (job.kind, job.count) == ("recordings.zip", 25)
    download = member_client.get(reverse("export_download", args=[account.number, job.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert sorted(names) == sorted(
        f"{c.started_at.astimezone(account.tz):%Y-%m-%d_%H%M%S}_{c.call_id}.wav" for c in calls
    )
