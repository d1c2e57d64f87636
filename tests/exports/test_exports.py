"""Long exports in the background (portal.exports): above the threshold "Open in Excel" and
"Download selected" start a job; the suite's worker (tests/taskqueue.py) runs it before the
request answers, as in-process tasks do without REDIS_URL, so the job page shows Download at once. Its progress, its download (the login's
own, audited as the export), its failure on a full disk, and the nightly purge."""

import datetime as dt
import errno
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import tasks
from portal.accounts.models import AuditLog
from portal.exports import services
from portal.exports.models import ExportJob
from portal.storage import AtomicFileSystemStorage
from tests.calls.helpers import add_recording, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(settings):
    settings.PORTAL_EXPORT_INLINE_ROWS = 3
    settings.PORTAL_EXPORT_INLINE_RECORDINGS = 2
    settings.PORTAL_EXPORT_PROGRESS_EVERY = 2
    return settings


def calls(account, n):
    return [make_call(account, ago=dt.timedelta(minutes=5 + i)) for i in range(n)]


def excel(client, account):
    return client.get(reverse("calls_excel", args=[account.number]))


def data_rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    return [r for r in rows[1:] if r[0] is not None and r[0] != "Total Duration"]


def test_at_the_threshold_the_file_comes_at_once(member_client, account, small_threshold):
    calls(account, 3)
    response = excel(member_client, account)
    assert response.status_code == 200
    assert response["Content-Type"] == services.XLSX
    assert len(data_rows(b"".join(response.streaming_content))) == 3
    assert not ExportJob.objects.exists()


def test_above_it_a_job_is_made_and_in_process_it_is_ready_at_once(
    member_client, member, account, small_threshold
):
    calls(account, 4)
    response = excel(member_client, account)
    job = ExportJob.objects.get()
    url = reverse("export_job", args=[account.number, job.pk])
    assert response.status_code == 302 and response["Location"] == url
    assert (job.user, job.account, job.kind, job.status) == (member, account, "calls.xlsx", "done")
    assert (job.done, job.total, job.count) == (4, 4, 4)
    page = member_client.get(url).content.decode()
    assert "Your export is ready" in page and "<progress" not in page
    assert "4 calls, " in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to refresh
    assert "Your recent exports" in page
    # Nothing is audited until the file is read; then once, as the inline export.
    assert not AuditLog.objects.filter(action="calls.export").exists()
    download = member_client.get(reverse("export_download", args=[account.number, job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == services.XLSX
    assert download["Content-Disposition"].startswith('attachment; filename="call-log-4000-')
    content = b"".join(download.streaming_content)
    assert len(content) == int(download["Content-Length"]) == job.size
    assert len(data_rows(content)) == 4
    entry = AuditLog.objects.get(action="calls.export")
    assert entry.account == account and entry.user == member
    assert entry.detail["export"] == str(job.pk) and entry.detail["count"] == 4


def test_the_workbook_is_in_the_language_of_the_page_that_asked(
    member_client, account, small_threshold
):
    calls(account, 4)
    member_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    member_client.get(reverse("calls_excel", args=[account.number]), HTTP_ACCEPT_LANGUAGE="fr")
    job = ExportJob.objects.get()
    assert job.language == "fr"
    content = b"".join(
        member_client.get(
            reverse("export_download", args=[account.number, job.pk])
        ).streaming_content
    )
    header = next(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert header[0] == "Début"


def _running(member, account, done=40, total=100):
    return ExportJob.objects.create(
        account=account,
        user=member,
        kind="calls.xlsx",
        status=ExportJob.RUNNING,
        done=done,
        total=total,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )


def test_a_running_job_shows_its_progress_refreshed_with_or_without_javascript(
    member_client, member, account
):
    job = _running(member, account)
    url = reverse("export_job", args=[account.number, job.pk])
    page = member_client.get(url).content.decode()
    assert '<label for="export-progress">Preparing your export…</label>' in page
    assert '<progress id="export-progress" max="100" value="40">' in page
    assert "40%" in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'hx-trigger="every 1s"' in page
    # htmx asks for the fragment alone, every second, until the job is finished.
    fragment = member_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    ExportJob.objects.filter(pk=job.pk).update(status="done", file_name="x", count=100)
    fragment = member_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "Download" in fragment
    # The recent exports' list comes with it, out of band: its line says Download too.
    assert '<section id="export-list" class="card export-list" hx-swap-oob="true">' in fragment
    assert fragment.count("Download") == 2
    # Not finished: there is nothing to download.
    ExportJob.objects.filter(pk=job.pk).update(status="running")
    assert (
        member_client.get(reverse("export_download", args=[account.number, job.pk])).status_code
        == 404
    )


def test_the_progress_in_french(member_client, member, account):
    job = _running(member, account, done=1, total=3)
    member_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = member_client.get(
        reverse("export_job", args=[account.number, job.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Préparation de votre export…" in page
    assert "33\u00a0%" in page


def test_progress_is_written_every_few_rows(member, account):
    job = _running(member, account, done=0, total=5)
    progress = services.Progress(job, every=2)
    seen = []
    for _item in progress.wrap(range(5)):
        seen.append(ExportJob.objects.get(pk=job.pk).done)
    assert seen == [0, 0, 2, 2, 4]
    assert ExportJob.objects.get(pk=job.pk).done == 5
    job.refresh_from_db()
    assert job.percent == 99  # 100 only once the file is stored


def test_a_job_is_its_login_s_own(client, make_user, member, account, outsider_client, anon_client):
    job = _running(member, account)
    ExportJob.objects.filter(pk=job.pk).update(status="done", file_name="exports/x.xlsx")
    colleague = make_user("colleague", account)
    client.force_login(colleague)
    for name in ("export_job", "export_download"):
        url = reverse(name, args=[account.number, job.pk])
        assert client.get(url).status_code == 404  # a colleague in the same account
        assert outsider_client.get(url).status_code == 404  # a member of another account
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    listed = client.get(reverse("exports", args=[account.number])).content.decode()
    assert "You have no recent exports." in listed and str(job.pk) not in listed
    assert client.get(reverse("export_job", args=[account.number, "not-a-uuid"])).status_code == 404


def test_an_expired_job_is_gone(member_client, member, account):
    job = _running(member, account)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert (
        member_client.get(reverse("export_job", args=[account.number, job.pk])).status_code == 404
    )


def test_the_recent_exports_list_names_each_with_its_status(member_client, member, account):
    _running(member, account)
    page = member_client.get(reverse("exports", args=[account.number])).content.decode()
    assert "Call log, Excel workbook" in page and "Preparing: 40%" in page


def _full_disk(monkeypatch):
    def write(self, fh, chunk):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(AtomicFileSystemStorage, "_write", write)


def test_a_full_disk_fails_the_job_with_a_clear_message_and_keeps_nothing(
    member_client, account, small_threshold, monkeypatch
):
    calls(account, 4)
    _full_disk(monkeypatch)
    response = excel(member_client, account)
    job = ExportJob.objects.get()
    assert (job.status, job.error, job.file_name) == ("failed", "space", "")
    page = member_client.get(response["Location"]).content.decode()
    assert "There is not enough storage space for the export: nothing was kept." in page
    exports_dir = Path(small_threshold.MEDIA_ROOT) / "exports"
    assert not exports_dir.exists() or not [p for p in exports_dir.rglob("*") if p.is_file()]
    assert (
        member_client.get(reverse("export_download", args=[account.number, job.pk])).status_code
        == 404
    )


def test_any_other_failure_says_so(member_client, member, account, monkeypatch):
    def broken(job, out, progress):
        raise RuntimeError("boom")

    monkeypatch.setattr("portal.calls.exports.build_call_log", broken)
    job = services.start(member, account, "calls.xlsx", {"query": ""}, total=10)
    assert (job.status, job.error) == ("failed", "error")
    page = member_client.get(reverse("export_job", args=[account.number, job.pk])).content.decode()
    assert "The export could not be made: nothing was kept." in page


def test_a_redelivered_task_leaves_a_finished_job_alone(member, account, small_threshold):
    calls(account, 4)
    job = services.start(member, account, "calls.xlsx", {"query": ""}, total=4)
    assert job.status == "done"
    assert services.build(str(job.pk)) == "done"
    assert ExportJob.objects.get(pk=job.pk).file_name == job.file_name


def test_many_checked_recordings_are_zipped_in_the_background(
    member_client, member, account, small_threshold
):
    made = [add_recording(c) for c in calls(account, 3)]
    response = member_client.post(
        reverse("calls_download", args=[account.number]), {"ids": [c.call_id for c in made]}
    )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[account.number, job.pk])
    assert (job.kind, job.status, job.count, job.total) == ("recordings.zip", "done", 3, 3)
    download = member_client.get(reverse("export_download", args=[account.number, job.pk]))
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as zf:
        names = zf.namelist()
    assert sorted(n.split("_")[-1] for n in names) == sorted(f"{c.call_id}.wav" for c in made)
    entry = AuditLog.objects.get(action="recordings.download")
    assert sorted(entry.detail["calls"]) == sorted(c.call_id for c in made)


def test_two_checked_recordings_still_come_at_once(member_client, account, small_threshold):
    made = [add_recording(c) for c in calls(account, 2)]
    response = member_client.post(
        reverse("calls_download", args=[account.number]), {"ids": [c.call_id for c in made]}
    )
    assert response["Content-Type"] == "application/zip" and not ExportJob.objects.exists()


def test_the_nightly_purge_deletes_expired_exports_with_their_files(
    member, account, small_threshold
):
    calls(account, 4)
    old = services.start(member, account, "calls.xlsx", {"query": ""}, total=4)
    kept = services.start(member, account, "calls.xlsx", {"query": ""}, total=4)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    media = Path(small_threshold.MEDIA_ROOT)
    assert (media / old.file_name).exists()
    assert tasks.purge_expired() == {"messages": 0, "calls": 0, "recordings": 0, "exports": 1}
    assert not (media / old.file_name).exists() and (media / kept.file_name).exists()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [kept.pk]


def _inbox_export(client, account, fmt, ids=()):
    return client.post(reverse("inbox_export", args=[account.number]), {"format": fmt, "ids": ids})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_many_messages_are_exported_in_the_background(
    member_client, member, account, small_threshold, fmt
):
    from tests.calls.helpers import make_message

    made = [make_message(account, subject=f"SUBJECT {i}") for i in range(4)]
    response = _inbox_export(member_client, account, fmt)
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[account.number, job.pk])
    assert (job.kind, job.status, job.count) == (f"messages.{fmt}", "done", 4)
    page = member_client.get(response["Location"]).content.decode()
    assert "4 messages, " in page and "Back to the messages" in page
    download = member_client.get(reverse("export_download", args=[account.number, job.pk]))
    content = b"".join(download.streaming_content)
    if fmt == "csv":
        assert download["Content-Type"] == "text/csv; charset=utf-8"
        import csv

        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert sorted(r[1] for r in rows[1:]) == sorted(m.message_id for m in made)
    else:
        ws = load_workbook(io.BytesIO(content)).active
        assert sorted(r[1] for r in ws.iter_rows(min_row=2, values_only=True)) == sorted(
            m.message_id for m in made
        )
    entry = AuditLog.objects.get(action="messages.export")
    assert entry.detail["format"] == fmt and entry.detail["count"] == 4


def test_checked_messages_below_the_threshold_come_at_once(member_client, account, small_threshold):
    from tests.calls.helpers import make_message

    made = [make_message(account) for _ in range(5)]
    response = _inbox_export(member_client, account, "csv", ids=[m.message_id for m in made[:2]])
    assert response.status_code == 200 and not ExportJob.objects.exists()


def test_many_billable_calls_are_exported_in_the_background(
    member_client, member, account, small_threshold
):
    from portal.billing.services import ingest_billable

    at = timezone.now().astimezone(account.tz).replace(hour=0, minute=5, second=0, microsecond=0)
    ingest_billable(
        [
            {
                "transaction_id": f"T-{i}",
                "account": account.number,
                "at": (at + dt.timedelta(minutes=i)).isoformat(),
                "description": "Message",
                "number": "5145550123",
                "caller_name": "Luc",
                "agent": "CL2",
                "statistic_s": 60 + i,
            }
            for i in range(4)
        ]
    )
    response = member_client.get(reverse("billable_export", args=[account.number]))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[account.number, job.pk])
    assert (job.kind, job.status, job.count) == ("billable.xlsx", "done", 4)
    assert "Back to the billable calls" in member_client.get(response["Location"]).content.decode()
    download = member_client.get(reverse("export_download", args=[account.number, job.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="billable-4000-')
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert len([r for r in ws.iter_rows(values_only=True) if isinstance(r[0], dt.datetime)]) == 4
    entry = AuditLog.objects.get(action="billable.export")
    assert entry.detail["count"] == 4 and entry.detail["export"] == str(job.pk)
    assert entry.detail["start"] == job.criteria["period"][0]


def test_the_purge_command_deletes_expired_exports_too(member, account, small_threshold):
    from django.core.management import call_command

    calls(account, 4)
    old = services.start(member, account, "calls.xlsx", {"query": ""}, total=4)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "Removed 1 expired exports." in out.getvalue()
    assert not ExportJob.objects.exists()
    assert not (Path(small_threshold.MEDIA_ROOT) / old.file_name).exists()
