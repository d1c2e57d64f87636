"""Issue 14, item 4 in the browser: recordings on S3 (the moto server of the test run). The
person searches the Call Log, opens a call's Voice dialog, presses Play and "Forward 10
seconds" twice (its time moves past 20 s), then moves the Position slider far ahead with the
keyboard (past 200 s): the player's audio comes from the bucket through the portal in 206
partial answers (whether Chromium asks again from further in depends on what it has buffered:
the exact ranged bytes are checked in test_s3_recordings); "Download the audio file" gives the object's bytes;
"Download selected" zips two recordings read from the bucket. English and French, axe."""

import datetime as dt
import zipfile

import pytest

from portal.calls.models import Recording
from tests.calls.helpers import add_recording, make_call, wav_bytes
from tests.web.call_log_flow import LOCALES, WORDS, open_call_log, section, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAYS = {
    "en": {
        "play": "Play",
        "forward": "Forward 10 seconds",
        "position": "Position",
        "select": "Select call {id}",
        "zip": "Download selected",
    },
    "fr": {
        "play": "Écouter",
        "forward": "Avancer de 10 secondes",
        "position": "Position",
        "select": "Sélectionner l'appel {id}",
        "zip": "Télécharger la sélection",
    },
}
AUDIO = "document.querySelector('dialog audio, [role=dialog] audio')"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_recording_on_s3_plays_seeks_and_downloads_in_the_page(
    new_page, live_server, make_account, make_user, axe, shoot, bucket, lang
):
    account = make_account("4000", "TEST")
    make_user(f"s3-{lang}", account, language=lang)
    voice = add_recording(
        make_call(account, call_id="73000001", ago=dt.timedelta(minutes=20)), wav_bytes(300)
    )
    other = add_recording(
        make_call(account, call_id="73000002", ago=dt.timedelta(minutes=80)), wav_bytes(2)
    )
    key = Recording.objects.get(call=voice).file.name
    assert bucket.keys() == sorted([key, Recording.objects.get(call=other).file.name])
    audio = bucket.read(key)
    w, says = WORDS[lang], SAYS[lang]

    page = new_page(locale=LOCALES[lang])
    answers = []
    page.on(
        "response",
        lambda r: (
            answers.append((r.status, r.headers.get("content-range")))
            if "/calls/73000001/recording" in r.url
            else None
        ),
    )
    open_call_log(page, live_server, f"s3-{lang}", lang)
    page.get_by_label(w["three"], exact=True).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()

    section(page, lang, "recent").get_by_role("link", name=w["voice"], exact=True).first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name=w["info"]).wait_for()
    dialog.get_by_role("button", name=says["play"], exact=True).click()
    wait_until(page, f"{AUDIO}.currentTime > 0.3")
    forward = dialog.get_by_role("button", name=says["forward"])
    forward.click()
    forward.click()
    wait_until(page, f"{AUDIO}.currentTime >= 20")
    wait_until(page, f"{AUDIO}.duration > 299 && {AUDIO}.duration < 301")
    slider = dialog.get_by_label(says["position"])
    for _ in range(8):  # each PageUp: a tenth of the recording further
        slider.press("PageUp")
    wait_until(page, f"{AUDIO}.currentTime >= 200")
    shoot(page, f"s3-recording-voice-{lang}")
    axe(page)
    partial = [(s, cr) for s, cr in answers if s == 206]
    assert partial, answers  # the player's requests were answered in parts, from the bucket
    assert all(cr.startswith("bytes ") and cr.endswith(f"/{len(audio)}") for _s, cr in partial)

    with page.expect_download() as info:
        dialog.get_by_role("link", name=w["download"]).click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read() == audio
    dialog.get_by_role("button", name=w["close"]).click()

    for call_id in ("73000001", "73000002"):
        page.get_by_label(says["select"].format(id=call_id)).check()
    with page.expect_download() as info:
        page.get_by_role("button", name=says["zip"]).click()
    archive = zipfile.ZipFile(info.value.path())
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 2 and "MISSING.txt" not in names
    assert archive.read(next(n for n in names if "73000001" in n)) == audio
    assert archive.read(next(n for n in names if "73000002" in n)) == wav_bytes(2)
