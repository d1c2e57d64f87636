"""Item 13: a full disk while storing a recording. The file is written to a temporary name
and linked into place; on failure nothing is left (no file, no row) and the API answers 507
with a `detail`; a retry once there is room stores exactly one file."""

import hashlib

import pytest

from portal.calls.models import Recording
from tests.api.helpers import CALLS, a_call, recording_url
from tests.calls.helpers import wav_bytes
from tests.storage.conftest import files_under

pytestmark = pytest.mark.django_db

FULL = {"BACKEND": "tests.storage.full_disk.FullDiskStorage"}


@pytest.fixture
def ingest(make_token):
    return make_token("ingest", name="platform")


@pytest.fixture
def call(api, ingest, account):
    assert api("post", CALLS, ingest, json={"calls": [a_call("15319140")]}).status_code == 200
    return "15319140"


def put(api, token, call_id, body):
    return api("put", recording_url(call_id), token, data=body, content_type="audio/wav")


def test_a_full_disk_answers_507_and_leaves_nothing_then_a_retry_stores_one_file(
    api, ingest, call, settings
):
    media = settings.MEDIA_ROOT
    audio = wav_bytes(seconds=1)
    settings.STORAGES = {**settings.STORAGES, "default": FULL}
    for _attempt in range(3):  # each retry on the full disk leaves nothing more
        r = put(api, ingest, call, audio)
        assert r.status_code == 507, r.content
        assert r.json() == {
            "detail": "Not enough storage space for the recording; nothing was stored. "
            "Try again later."
        }
        assert files_under(media) == []
        assert not Recording.objects.exists()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "portal.storage.AtomicFileSystemStorage"},
    }
    r = put(api, ingest, call, audio)
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 1
    recording = Recording.objects.get(call__call_id=call)
    assert files_under(media) == [recording.file.name]
    assert (media / recording.file.name).read_bytes() == audio


def test_replacing_a_recording_on_a_full_disk_keeps_the_old_one_whole(api, ingest, call, settings):
    media = settings.MEDIA_ROOT
    old = wav_bytes(seconds=1)
    assert put(api, ingest, call, old).status_code == 200
    before = Recording.objects.get(call__call_id=call)
    settings.STORAGES = {**settings.STORAGES, "default": FULL}
    r = put(api, ingest, call, wav_bytes(seconds=2))
    assert r.status_code == 507 and "nothing was stored" in r.json()["detail"]
    after = Recording.objects.get(call__call_id=call)
    assert (after.file.name, after.sha256, after.size) == (
        before.file.name,
        before.sha256,
        before.size,
    )
    assert files_under(media) == [before.file.name]
    assert hashlib.sha256((media / before.file.name).read_bytes()).hexdigest() == before.sha256


def test_a_really_full_tmpfs_answers_507_and_a_retry_after_freeing_it_succeeds(
    api, ingest, call, settings, small_disk
):
    """A real 1 MiB tmpfs as MEDIA_ROOT, nearly filled: the 320 kB recording does not fit."""
    settings.MEDIA_ROOT = small_disk
    filler = small_disk / "filler"
    with open(filler, "wb") as fh:
        fh.write(b"\0" * (900 * 1024))
    audio = wav_bytes(seconds=20)  # 320 kB
    for _attempt in range(2):
        r = put(api, ingest, call, audio)
        assert r.status_code == 507, r.content
        assert r.json()["detail"].startswith("Not enough storage space for the recording")
        assert files_under(small_disk) == ["filler"]  # no partial file, no temporary file
        assert not Recording.objects.exists()
    filler.unlink()
    r = put(api, ingest, call, audio)
    assert r.status_code == 200, r.content
    recording = Recording.objects.get(call__call_id=call)
    assert files_under(small_disk) == [recording.file.name]
    assert (small_disk / recording.file.name).read_bytes() == audio
    assert recording.sha256 == hashlib.sha256(audio).hexdigest()
