"""Item 13: a recording whose file is missing. The dialog says so (translated), the recording
URL answers 410 with a page that says so, the API answers 410 in the contract's error shape,
and a zip of several recordings leaves it out with MISSING.txt inside, never breaking off."""

import io
import zipfile

import pytest
from django.urls import reverse

from portal.accounts.models import AuditLog
from portal.calls.models import Recording
from portal.calls.services import zip_recordings
from tests.calls.helpers import add_recording, make_call, wav_bytes

pytestmark = pytest.mark.django_db

MISSING_EN = "The recording file of this call is missing"
MISSING_FR = "enregistrement de cet appel est introuvable"


def lose(call):
    """The recording's row stays; its file goes (a disk restored without it, a bad hand)."""
    recording = Recording.objects.get(call=call)
    recording.file.storage.delete(recording.file.name)
    return recording


@pytest.fixture
def lost(account):
    call = add_recording(make_call(account, call_id="15319140"), wav_bytes(1))
    lose(call)
    return call


def test_the_voice_dialog_says_the_file_is_missing_and_offers_no_player(
    member_client, member, account, lost
):
    url = reverse("call_voice", args=[account.number, lost.call_id])
    r = member_client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert MISSING_EN in html and "<audio" not in html and "Download the audio file" not in html
    member.language = "fr"
    member.save()
    html = member_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert MISSING_FR in html


def test_the_recording_url_answers_410_with_a_page_that_says_so(
    member_client, member, account, lost
):
    for query in ("", "?download=1"):
        r = member_client.get(
            reverse("call_recording", args=[account.number, lost.call_id]) + query
        )
        assert r.status_code == 410
        html = r.content.decode()
        assert MISSING_EN in html and "Back to the call log" in html and lost.call_id in html
    # Nothing was played or downloaded.
    assert not AuditLog.objects.filter(action__in=["recording.play", "recording.download"]).exists()


def test_a_missing_recording_is_still_a_404_for_others(outsider_client, client, account, lost):
    for name in ("call_voice", "call_recording"):
        url = reverse(name, args=[account.number, lost.call_id])
        assert outsider_client.get(url).status_code == 404
        signed_out = client.get(url)
        assert (
            signed_out.status_code in (302, 401) and MISSING_EN not in signed_out.content.decode()
        )


def test_the_api_answers_410_in_the_error_shape(api, make_token, account, other_account, lost):
    token = make_token("client", accounts=[account])
    url = f"/api/v1/accounts/{account.number}/calls/{lost.call_id}/recording"
    r = api("get", url, token)
    assert r.status_code == 410
    assert r.json() == {"detail": "The recording file of this call is missing from the storage."}
    # Another account's token: the same 404 as a missing call, not a word about the file.
    theirs = make_token("client", accounts=[other_account])
    assert api("get", url, theirs).status_code in (403, 404)
    assert api("get", url).status_code == 401


def test_a_zip_skips_the_missing_recording_and_names_it_in_missing_txt(member_client, account):
    kept = add_recording(make_call(account), wav_bytes(1))
    also_kept = add_recording(make_call(account), wav_bytes(2))
    gone = add_recording(make_call(account), wav_bytes(1))
    lose(gone)
    r = member_client.post(
        reverse("calls_download", args=[account.number]),
        {"ids": [kept.call_id, gone.call_id, also_kept.call_id]},
    )
    assert r.status_code == 200 and r.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 3 and "MISSING.txt" in names
    assert archive.read(next(n for n in names if kept.call_id in n)) == wav_bytes(1)
    assert archive.read(next(n for n in names if also_kept.call_id in n)) == wav_bytes(2)
    assert not any(gone.call_id in n for n in names if n != "MISSING.txt")
    note = archive.read("MISSING.txt").decode("utf-8")
    assert "missing from the storage" in note and f"call {gone.call_id}" in note
    assert kept.call_id not in note
    logged = AuditLog.objects.get(action="recordings.download")
    assert gone.call_id not in str(logged.detail)


def test_a_zip_of_only_missing_recordings_is_refused_with_a_message(member_client, account, lost):
    r = member_client.post(
        reverse("calls_download", args=[account.number]), {"ids": [lost.call_id]}, follow=True
    )
    assert "The recording file of the checked call is missing" in r.content.decode()
    assert r["Content-Type"].startswith("text/html")


def test_a_file_lost_while_the_zip_streams_is_noted_not_a_broken_zip(account, settings):
    """Checked before the download, then gone (or unreadable) while it streams: the zip still
    ends properly, and MISSING.txt names it."""
    first = Recording.objects.get(call=add_recording(make_call(account), wav_bytes(1)))
    second = Recording.objects.get(call=add_recording(make_call(account), wav_bytes(2)))
    pieces = zip_recordings([first, second])
    data = [next(pieces)]  # the first recording has begun
    second.file.storage.delete(second.file.name)
    data += list(pieces)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(data)))
    assert archive.testzip() is None
    assert len(archive.namelist()) == 2
    assert second.call.call_id in archive.read("MISSING.txt").decode()
