"""Item 13 in the browser: a recording whose file is missing. The person opens the call's
Voice dialog and reads that the file is missing; checks it with another call and presses
"Download selected": the zip holds the other recording and MISSING.txt naming the lost one;
the row's download link opens a page that says the file is missing. English and French."""

import datetime as dt
import zipfile

import pytest

from portal.calls.models import Recording
from tests.calls.helpers import add_recording, make_call, wav_bytes
from tests.web.call_log_flow import LOCALES, WORDS, local, open_call_log, rows, section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAYS = {
    "en": {
        "missing": "The recording file of this call is missing",
        "three": "Previous three hours",
        "select": "Select call {id}",
        "zip": "Download selected",
        "download": "Download the audio of call {id}",
        "note": "These recordings are missing from the storage",
        "back": "Back to the call log",
        "title": "Recording missing",
    },
    "fr": {
        "missing": "Le fichier de l'enregistrement de cet appel est introuvable",
        "three": "Trois heures précédentes",
        "select": "Sélectionner l'appel {id}",
        "zip": "Télécharger la sélection",
        "download": "Télécharger l'audio de l'appel {id}",
        "note": "Ces enregistrements sont introuvables dans le stockage",
        "back": "Retour au journal d'appels",
        "title": "Enregistrement introuvable",
    },
}


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_missing_recording_file_is_said_in_the_dialog_the_zip_and_the_link(
    new_page, live_server, make_account, make_user, axe, shoot, lang, phone, tmp_path
):
    account = make_account("4000", "TEST")
    make_user(f"lost-{lang}", account, language=lang)
    lost = add_recording(make_call(account, call_id="71000001", ago=dt.timedelta(minutes=20)))
    kept = add_recording(
        make_call(account, call_id="71000002", ago=dt.timedelta(minutes=90)), wav_bytes(2)
    )
    recording = Recording.objects.get(call=lost)
    recording.file.storage.delete(recording.file.name)
    w, says = WORDS[lang], SAYS[lang]
    page = new_page(phone=phone, locale=LOCALES[lang])
    open_call_log(page, live_server, f"lost-{lang}", lang, phone=phone)
    if phone:  # the criteria are folded into one bar
        page.get_by_text(w["criteria"], exact=True).click()
    page.get_by_label(says["three"], exact=True).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000001", "71000002"]

    # The Voice dialog (on a phone: the card's play link) says the file is missing.
    recent = section(page, lang, "recent")
    if phone:
        recent.get_by_role(
            "link", name=w["play"].format(time=local(account, lost.started_at))
        ).click()
    else:
        recent.get_by_role("link", name=w["voice"], exact=True).first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name=w["info"]).wait_for()
    alert = dialog.get_by_role("alert")
    assert alert.inner_text().startswith(says["missing"])
    assert dialog.locator("audio").count() == 0
    assert dialog.get_by_role("link", name=w["download"]).count() == 0
    shoot(page, f"recording-missing-dialog-{lang}{'-phone' if phone else ''}")
    axe(page)
    dialog.get_by_role("button", name=w["close"]).click()

    # Both checked, "Download selected": the kept recording and MISSING.txt.
    for call_id in ("71000001", "71000002"):
        page.get_by_label(says["select"].format(id=call_id)).check()
    with page.expect_download() as info:
        page.get_by_role("button", name=says["zip"]).click()
    archive = zipfile.ZipFile(info.value.path())
    assert archive.testzip() is None
    names = archive.namelist()
    assert sorted(n.endswith(".wav") for n in names) == [False, True]
    assert archive.read(next(n for n in names if "71000002" in n)) == wav_bytes(2)
    note = archive.read("MISSING.txt").decode("utf-8")
    assert note.startswith(says["note"]) and "71000001" in note and "71000002" not in note
    assert kept.call_id not in note

    # The row's download link of the lost recording: a page that says so, and the way back.
    if not phone:
        page.get_by_role("link", name=says["download"].format(id="71000001")).click()
        page.get_by_role("heading", name=says["title"]).first.wait_for()
        assert says["missing"] in page.get_by_role("alert").inner_text()
        shoot(page, f"recording-missing-page-{lang}")
        axe(page)
        page.get_by_role("link", name=says["back"]).click()
        page.wait_for_url("**/calls/")
