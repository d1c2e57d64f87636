"""PUT /api/v1/ingest/calls/{call_id}/recording: raw audio, checked by its header bytes,
streamed to storage."""

import hashlib

import pytest

from portal.accounts.models import AuditLog
from portal.calls.models import Recording
from tests.api.helpers import (
    CALLS,
    a_call,
    mp3_bytes,
    mp3_frame_bytes,
    ogg_bytes,
    recording_url,
    wav_bytes,
    webm_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(api, ingest, account):
    assert api("post", CALLS, ingest, json={"calls": [a_call("15319140")]}).status_code == 200
    return "15319140"


def put(api, token, call_id, body, content_type):
    return api("put", recording_url(call_id), token, data=body, content_type=content_type)


@pytest.mark.parametrize(
    "content_type, audio, extension",
    [
        ("audio/wav", wav_bytes(), "wav"),
        ("audio/mpeg", mp3_bytes(), "mp3"),
        ("audio/mpeg", mp3_frame_bytes(), "mp3"),
        ("audio/ogg", ogg_bytes(), "ogg"),
        ("audio/webm", webm_bytes(), "webm"),
    ],
)
def test_each_format_is_stored_with_its_size_and_hash(
    api, ingest, call, content_type, audio, extension
):
    r = put(api, ingest, call, audio, content_type)
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 1
    assert r.json()["sha256"] == hashlib.sha256(audio).hexdigest()
    recording = Recording.objects.get(call__call_id=call)
    assert recording.content_type == content_type
    assert recording.size == len(audio)
    assert recording.file.name.endswith("." + extension)
    with recording.file.open("rb") as fh:
        assert fh.read() == audio


def test_a_wav_recording_knows_its_duration(api, ingest, call):
    put(api, ingest, call, wav_bytes(seconds=2), "audio/wav")
    assert Recording.objects.get().duration_s == pytest.approx(2.0)


def test_the_same_bytes_again_are_unchanged_and_new_bytes_replace_the_file(api, ingest, call):
    first = wav_bytes(seconds=1)
    assert put(api, ingest, call, first, "audio/wav").json()["created"] == 1
    old_name = Recording.objects.get().file.name
    again = put(api, ingest, call, first, "audio/wav")
    assert again.status_code == 200
    assert again.json()["unchanged"] == 1
    assert Recording.objects.count() == 1

    replaced = put(api, ingest, call, ogg_bytes(), "audio/ogg")
    assert replaced.json()["updated"] == 1
    recording = Recording.objects.get()
    assert recording.content_type == "audio/ogg"
    assert not recording.file.storage.exists(old_name)
    # One audit entry per request, the account the call belongs to.
    entries = AuditLog.objects.filter(action="api.ingest.recording")
    assert entries.count() == 3
    assert {e.account.number for e in entries} == {"4000"}
    # The contract's actor for an API write: "api:<token name>".
    assert {e.actor for e in entries} == {"api:platform"}


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("audio/wav", mp3_bytes()),  # an MP3 labelled as WAV
        ("audio/mpeg", b"<html>not audio</html>"),
        ("audio/ogg", webm_bytes()),
        ("audio/webm", wav_bytes()),
        ("audio/flac", b"fLaC" + b"\x00" * 40),  # not one of the contract's types
        ("application/octet-stream", wav_bytes()),
        ("audio/wav", b""),
    ],
)
def test_a_body_that_is_not_its_declared_format_is_415(api, ingest, call, content_type, body):
    r = put(api, ingest, call, body, content_type)
    assert r.status_code == 415, r.content
    assert r.json()["detail"]
    assert not Recording.objects.exists()


def test_a_content_type_with_parameters_is_accepted(api, ingest, call):
    r = put(api, ingest, call, ogg_bytes(), "audio/ogg; codecs=opus")
    assert r.status_code == 200
    assert Recording.objects.get().content_type == "audio/ogg"


def test_unknown_call_is_404(api, ingest, account):
    r = put(api, ingest, "404404", wav_bytes(), "audio/wav")
    assert r.status_code == 404
    assert "404404" in r.json()["detail"]


def test_past_the_size_limit_is_413_and_nothing_is_kept(api, ingest, call, settings, tmp_path):
    settings.PORTAL = {**settings.PORTAL, "RECORDING_MAX_BYTES": 4000}
    r = put(api, ingest, call, wav_bytes(seconds=1), "audio/wav")  # 16 kB
    assert r.status_code == 413
    assert "4000" in r.json()["detail"]
    assert not Recording.objects.exists()
    assert put(api, ingest, call, wav_bytes(seconds=0.1), "audio/wav").status_code == 200


def test_recordings_are_streamed_not_read_into_request_body(api, ingest, call, settings):
    """A recording larger than Django's in-memory body limit still goes through: nothing
    reads request.body (which would raise RequestDataTooBig) on the way to storage."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    audio = wav_bytes(seconds=3)  # 48 kB
    r = put(api, ingest, call, audio, "audio/wav")
    assert r.status_code == 200, r.content
    assert Recording.objects.get().size == len(audio)


def test_only_ingest_tokens_may_send_recordings(api, make_token, call, account):
    for scope, accounts in [("provision", []), ("client", [account]), ("oncall:read", [])]:
        token = make_token(scope, accounts)
        assert put(api, token, call, wav_bytes(), "audio/wav").status_code == 403
    assert put(api, None, call, wav_bytes(), "audio/wav").status_code == 401
    assert not Recording.objects.exists()
