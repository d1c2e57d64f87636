"""Issue 14, item 4: recordings on S3-compatible storage, against a real local S3 server
(moto's, started by the test run: tests/storage/s3_server.py) with the portal's storage
settings as S3_BUCKET makes them. Store through the API (an object in the bucket, nothing on
disk; a failure answers 507 and leaves nothing), play with a Range (206, the right bytes, from
one ranged GET), zip several, purge by retention (the objects go), the orphans check walks the
bucket, a missing object answers 410 as on disk."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from portal.calls import recording_files
from portal.calls.models import Recording
from portal.storage import read_chunks, walk
from tests.api.helpers import CALLS, a_call, recording_url
from tests.calls.helpers import add_recording, make_call, wav_bytes
from tests.storage.conftest import files_under
from tests.storage.s3_server import Bucket, CuttingProxy, storage_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def ingest(make_token):
    return make_token("ingest", name="platform")


@pytest.fixture
def call(api, ingest, account):
    assert api("post", CALLS, ingest, json={"calls": [a_call("15319140")]}).status_code == 200
    return "15319140"


def put(api, token, call_id, body):
    return api("put", recording_url(call_id), token, data=body, content_type="audio/wav")


class GetObjects:
    """The GetObject requests the portal's S3 client sends (boto3's own event hooks)."""

    def __init__(self):
        self.params: list[dict] = []
        client = default_storage.connection.meta.client
        client.meta.events.register("provide-client-params.s3.GetObject", self.seen)

    def seen(self, params, **kw):
        self.params.append(dict(params))


# --- Store ----------------------------------------------------------------------------------


def test_a_recording_ingested_through_the_api_is_an_object_in_the_bucket(
    api, ingest, call, bucket, settings
):
    audio = wav_bytes(seconds=2)
    r = put(api, ingest, call, audio)
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 1
    recording = Recording.objects.get(call__call_id=call)
    assert recording.file.name.startswith("recordings/4000/15319140-")
    assert bucket.keys() == [recording.file.name]
    assert bucket.read(recording.file.name) == audio
    assert recording.sha256 == hashlib.sha256(audio).hexdigest() and recording.size == len(audio)
    assert files_under(settings.MEDIA_ROOT) == []  # nothing on this machine's disk

    # The same bytes again: unchanged; other bytes: the new object, the old one deleted.
    assert put(api, ingest, call, audio).json()["unchanged"] == 1
    assert put(api, ingest, call, wav_bytes(seconds=3)).json()["updated"] == 1
    replaced = Recording.objects.get(call__call_id=call)
    assert replaced.file.name != recording.file.name
    assert bucket.keys() == [replaced.file.name]
    assert bucket.read(replaced.file.name) == wav_bytes(seconds=3)


def test_a_taken_name_is_never_overwritten(bucket, account):
    """As on disk: a second file under a name already in the bucket gets another name."""
    from django.core.files.base import ContentFile

    first = default_storage.save("recordings/4000/x.wav", ContentFile(b"RIFF-one"))
    second = default_storage.save("recordings/4000/x.wav", ContentFile(b"RIFF-two"))
    assert first == "recordings/4000/x.wav" and second != first
    assert bucket.read(first) == b"RIFF-one" and bucket.read(second) == b"RIFF-two"


def test_a_bucket_that_is_not_there_answers_507_and_keeps_nothing_then_a_retry_stores_it(
    api, ingest, call, s3_endpoint, settings
):
    missing = Bucket(s3_endpoint, "recordings-not-created-yet")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_options(s3_endpoint, missing.name),
    }
    audio = wav_bytes(seconds=1)
    for _attempt in range(2):
        r = put(api, ingest, call, audio)
        assert r.status_code == 507, r.content
        assert r.json() == {
            "detail": "The recording could not be stored (the object storage answered "
            "NoSuchBucket); nothing was stored. Try again later."
        }
        assert not Recording.objects.exists()
    missing.create()
    r = put(api, ingest, call, audio)
    assert r.status_code == 200 and r.json()["created"] == 1
    recording = Recording.objects.get(call__call_id=call)
    assert missing.keys() == [recording.file.name]
    assert missing.read(recording.file.name) == audio
    assert missing.uploads_in_progress() == []


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_storage_answers_507_and_the_old_recording_stays_whole(
    api, ingest, call, bucket, settings
):
    old = wav_bytes(seconds=1)
    assert put(api, ingest, call, old).status_code == 200
    before = Recording.objects.get(call__call_id=call)
    reachable = settings.STORAGES["default"]
    down = storage_options(f"http://127.0.0.1:{free_port()}", bucket.name)
    down["OPTIONS"]["client_config"] = __import__("botocore.config").config.Config(
        retries={"max_attempts": 1}, connect_timeout=2
    )
    settings.STORAGES = {**settings.STORAGES, "default": down}
    r = put(api, ingest, call, wav_bytes(seconds=2))
    assert r.status_code == 507, r.content
    assert r.json()["detail"] == (
        "The recording could not be stored (the object storage failed); nothing was stored. "
        "Try again later."
    )
    settings.STORAGES = {**settings.STORAGES, "default": reachable}
    after = Recording.objects.get(call__call_id=call)
    assert (after.file.name, after.sha256, after.size) == (
        before.file.name,
        before.sha256,
        before.size,
    )
    assert bucket.keys() == [before.file.name] and bucket.read(before.file.name) == old


def test_a_network_failing_mid_upload_answers_507_and_leaves_no_object_nor_upload(
    api, ingest, call, bucket, s3_endpoint, settings
):
    """A multipart upload broken in the middle of its part (a real TCP relay that cuts the
    connection): 507, no row, no object, and the multipart upload aborted (nothing billed
    nor left in the bucket); through the storage again, it is stored whole."""
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    audio = wav_bytes(seconds=100)  # 1.6 MB, sent as a multipart upload
    proxy = CuttingProxy(s3_endpoint, limit=256 * 1024)
    cut = storage_options(proxy.url, bucket.name)
    cut["OPTIONS"]["transfer_config"] = TransferConfig(multipart_threshold=1024 * 1024)
    cut["OPTIONS"]["client_config"] = Config(retries={"max_attempts": 2})
    reachable = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": cut}
    calls = []
    default_storage.connection.meta.client.meta.events.register(
        "after-call.s3", lambda model, **kw: calls.append(model.name)
    )
    try:
        r = put(api, ingest, call, audio)
    finally:
        proxy.close()
    assert proxy.cut >= 1  # the upload really was broken off
    assert "CreateMultipartUpload" in calls and calls[-1] == "AbortMultipartUpload", calls
    assert r.status_code == 507, r.content
    assert "nothing was stored. Try again later." in r.json()["detail"]
    assert not Recording.objects.exists()
    assert bucket.keys() == [] and bucket.uploads_in_progress() == []
    assert files_under(settings.MEDIA_ROOT) == []

    settings.STORAGES = {**settings.STORAGES, "default": reachable}
    r = put(api, ingest, call, audio)
    assert r.status_code == 200 and r.json()["created"] == 1
    recording = Recording.objects.get(call__call_id=call)
    assert bucket.keys() == [recording.file.name] and bucket.read(recording.file.name) == audio


# --- Serve ----------------------------------------------------------------------------------


@pytest.fixture
def stored(account, bucket):
    call = add_recording(make_call(account, call_id="15319140"), wav_bytes(seconds=10))
    return Recording.objects.get(call=call)


def test_the_player_gets_206_and_the_right_bytes_from_one_ranged_get(
    member_client, account, stored, bucket
):
    audio = bucket.read(stored.file.name)
    assert audio == wav_bytes(seconds=10)
    url = reverse("call_recording", args=[account.number, stored.call.call_id])
    gets = GetObjects()
    r = member_client.get(url, HTTP_RANGE="bytes=1000-69999")
    assert r.status_code == 206 and r.streaming
    assert r["Content-Range"] == f"bytes 1000-69999/{len(audio)}"
    assert r["Content-Length"] == "69000" and r["Accept-Ranges"] == "bytes"
    assert r["Content-Type"] == "audio/wav"
    assert b"".join(r.streaming_content) == audio[1000:70000]
    # One GET of just those bytes, not the whole object.
    assert [p.get("Range") for p in gets.params] == ["bytes=1000-69999"]

    # The end of the file (a suffix range), the whole file, and past the end.
    r = member_client.get(url, HTTP_RANGE="bytes=-500")
    assert r.status_code == 206 and b"".join(r.streaming_content) == audio[-500:]
    r = member_client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == audio
    r = member_client.get(url, HTTP_RANGE=f"bytes={len(audio)}-")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(audio)}"
    assert gets.params[1]["Range"] == f"bytes={len(audio) - 500}-{len(audio) - 1}"
    assert len(gets.params) == 3  # the whole file in one GET too; none for the 416


def test_the_recording_on_s3_is_the_accounts_alone(outsider_client, client, account, stored):
    url = reverse("call_recording", args=[account.number, stored.call.call_id])
    assert outsider_client.get(url, HTTP_RANGE="bytes=0-99").status_code == 404
    signed_out = client.get(url, HTTP_RANGE="bytes=0-99")
    assert signed_out.status_code in (302, 401) and not getattr(signed_out, "streaming", False)


def test_the_api_serves_the_recording_with_a_range(api, make_token, account, stored, bucket):
    token = make_token("client", accounts=[account])
    url = f"/api/v1/accounts/{account.number}/calls/{stored.call.call_id}/recording"
    r = api("get", url, token, HTTP_RANGE="bytes=44-143")
    assert r.status_code == 206
    assert b"".join(r.streaming_content) == bucket.read(stored.file.name)[44:144]


def test_read_chunks_streams_an_object_in_pieces(stored, bucket):
    audio = bucket.read(stored.file.name)
    pieces = list(read_chunks(default_storage, stored.file.name, 10, 200_000, chunk=65536))
    assert b"".join(pieces) == audio[10:]  # asked past the end: to the end
    assert [len(p) for p in pieces[:-1]] == [65536] * (len(pieces) - 1)
    with pytest.raises(FileNotFoundError):
        read_chunks(default_storage, "recordings/4000/not-there.wav")


# --- Zip ------------------------------------------------------------------------------------


def test_download_selected_zips_several_recordings_from_the_bucket(member_client, account, bucket):
    calls = [add_recording(make_call(account), wav_bytes(seconds=s)) for s in (1, 2, 3)]
    gets = GetObjects()
    r = member_client.post(
        reverse("calls_download", args=[account.number]), {"ids": [c.call_id for c in calls]}
    )
    assert r.status_code == 200 and r.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 3 and "MISSING.txt" not in names
    for seconds, c in zip((1, 2, 3), calls, strict=True):
        assert archive.read(next(n for n in names if c.call_id in n)) == wav_bytes(seconds)
    assert len(gets.params) == 3 and not any("Range" in p for p in gets.params)


def test_a_zip_notes_an_object_missing_from_the_bucket(member_client, account, bucket):
    kept = add_recording(make_call(account), wav_bytes(seconds=1))
    gone = add_recording(make_call(account), wav_bytes(seconds=2))
    bucket.delete(Recording.objects.get(call=gone).file.name)
    r = member_client.post(
        reverse("calls_download", args=[account.number]), {"ids": [kept.call_id, gone.call_id]}
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert sorted(n.endswith(".wav") for n in archive.namelist()) == [False, True]
    assert f"call {gone.call_id}" in archive.read("MISSING.txt").decode()


# --- Missing --------------------------------------------------------------------------------


def test_a_missing_object_answers_410_as_on_disk(
    member_client, api, make_token, account, stored, bucket
):
    bucket.delete(stored.file.name)
    call_id = stored.call.call_id
    for query in ("", "?download=1"):
        r = member_client.get(reverse("call_recording", args=[account.number, call_id]) + query)
        assert r.status_code == 410
        assert "The recording file of this call is missing" in r.content.decode()
    voice = member_client.get(reverse("call_voice", args=[account.number, call_id]))
    assert "The recording file of this call is missing" in voice.content.decode()
    assert "<audio" not in voice.content.decode()
    token = make_token("client", accounts=[account])
    r = api("get", f"/api/v1/accounts/{account.number}/calls/{call_id}/recording", token)
    assert r.status_code == 410
    assert r.json() == {"detail": "The recording file of this call is missing from the storage."}


# --- Purge and orphans ----------------------------------------------------------------------


def test_the_retention_purge_deletes_the_objects(account, bucket):
    old = [
        add_recording(make_call(account, ago=dt.timedelta(days=61 + i)), wav_bytes(1))
        for i in range(3)
    ]
    recent = add_recording(make_call(account, ago=dt.timedelta(days=5)), wav_bytes(2))
    assert len(bucket.keys()) == 4
    out = io.StringIO()
    call_command("purge_expired", "--batch-size", "2", stdout=out)
    assert "3 calls, 3 recordings" in out.getvalue()
    assert bucket.keys() == [Recording.objects.get(call=recent).file.name]
    assert not Recording.objects.filter(call__call_id__in=[c.call_id for c in old]).exists()


def orphans_command(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("recordings_orphans", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_the_orphans_check_walks_the_bucket(account, bucket, monkeypatch):
    kept = Recording.objects.get(call=add_recording(make_call(account), wav_bytes(1)))
    lost = Recording.objects.get(call=add_recording(make_call(account, call_id="15319140")))
    bucket.delete(lost.file.name)
    orphan = "recordings/4000/99999999-0123456789ab.wav"
    bucket.put(orphan, b"RIFF-orphan")  # an object no recording names
    assert sorted(walk(default_storage, "recordings")) == sorted([kept.file.name, orphan])

    # Just written: too recent to judge (it may be a recording being stored right now).
    status, out = orphans_command()
    assert status == 1 and "1 file(s) too recent to judge" in out
    assert "orphan file:" not in out and f"missing file: {lost.file.name}" in out

    # An hour later (the grace period over): reported, and removed only with --delete.
    monkeypatch.setattr(recording_files, "GRACE", dt.timedelta(0))
    status, out = orphans_command()
    assert status == 1 and f"orphan file: {orphan}" in out
    assert "1 orphan file(s), 0 interrupted save(s), 1 recording(s) without a file." in out
    assert orphan in bucket.keys()
    status, out = orphans_command("--delete")
    assert "1 file(s) removed." in out
    assert bucket.keys() == [kept.file.name]
    assert Recording.objects.count() == 2  # rows are never removed
