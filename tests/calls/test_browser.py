"""The Call Log in Chromium, in English and in French: search, play and seek, zip, e-mail."""

import datetime as dt
import io
import time
import zipfile

import pytest

from portal.accounts.models import AuditLog
from tests.calls.browser import sign_in
from tests.calls.helpers import add_recording, make_call, wav_bytes

LABELS = {
    "en": {
        "search": "Search for Calls",
        "advanced": "View Advanced Search Options",
        "agent": "Agent Initials",
        "voice": "Voice",
        "zip": "Download selected",
        "email": "Email report",
        "send": "Send",
        "sent": "The report was sent",
        "three": "Previous three hours",
    },
    "fr": {
        "search": "Récupérer les Appels",
        "advanced": "Autres paramètres de recherche",
        "agent": "Initiales de l'Agent",
        "voice": "Voix",
        "zip": "Télécharger la sélection",
        "email": "Envoyer le rapport par e-mail",
        "send": "Envoyer",
        "sent": "Le rapport a été envoyé",
        "three": "Trois heures précédentes",
    },
}


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Poll a JavaScript expression (wait_for_function would need 'unsafe-eval' under our CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_search_play_seek_download_and_email(
    page, live_server, make_account, make_user, shoot, lang, smtp_server
):
    account = make_account("4000", "TEST")
    user = make_user(f"calls-{lang}", account, language=lang)
    voice = add_recording(
        make_call(
            account, call_id="15319140", duration_s=37, agent="ELD", ago=dt.timedelta(minutes=40)
        ),
        wav_bytes(30),
    )
    other = add_recording(
        make_call(
            account, call_id="15319141", duration_s=55, agent="DOM", ago=dt.timedelta(hours=2)
        ),
        wav_bytes(2),
    )
    make_call(
        account,
        call_id="15320440",
        kind="transaction",
        agent="B-LUCAS",
        ago=dt.timedelta(minutes=30),
    )
    make_call(account, call_id="15300000", agent="KAL", ago=dt.timedelta(days=12))
    sign_in(page, live_server, user)
    w = LABELS[lang]

    page.goto(f"{live_server.url}/a/4000/calls/")
    page.get_by_label(w["three"]).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    for call_id in ("15319140", "15319141", "15320440"):
        assert page.locator(f"td:text-is('{call_id}')").count() == 1
    shoot(page, f"calls-preset-{lang}")

    # Advanced options: agent initials.
    page.get_by_text(w["advanced"]).click()
    page.get_by_label(w["agent"]).fill("eld")
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert page.locator("td:text-is('15319140')").count() == 1
    assert page.locator("td:text-is('15319141')").count() == 0
    shoot(page, f"calls-advanced-{lang}")

    # Voice: the Call Information dialog; play, then seek; the player's time moves.
    page.get_by_role("link", name=w["voice"]).first.click()
    dialog = page.locator("#call-dialog")
    dialog.locator("[data-play]").wait_for()
    dialog.locator("[data-play]").click()
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime > 0.3")
    dialog.locator("[data-forward]").click()
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime >= 10")
    page.evaluate("""() => { const s = document.querySelector('#call-dialog [data-seek]');
        s.value = 20; s.dispatchEvent(new Event('change')); }""")
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime >= 20")
    dialog.locator("[data-speed]").select_option("1.5")
    assert page.evaluate("document.querySelector('#call-dialog audio').playbackRate") == 1.5
    shoot(page, f"calls-voice-{lang}")
    dialog.locator("[data-close-dialog]").click()
    assert AuditLog.objects.filter(action="recording.play", object_id=voice.call_id).exists()

    # Download selected: the checked recordings as a zip.
    page.goto(f"{live_server.url}/a/4000/calls/?preset=3hours")
    page.check(f"input[name=ids][value='{voice.call_id}']")
    page.check(f"input[name=ids][value='{other.call_id}']")
    with page.expect_download() as info:
        page.get_by_role("button", name=w["zip"]).click()
    with open(info.value.path(), "rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert len(names) == 2

    # Email the report; it arrives at the SMTP server.
    page.get_by_label(w["email"]).fill("boss@client.ca")
    page.get_by_role("button", name=w["send"], exact=True).click()
    page.wait_for_selector(f"text={w['sent']}")
    assert len(smtp_server) == 1 and smtp_server[0]["To"] == "boss@client.ca"
    shoot(page, f"calls-emailed-{lang}")

    # The archive: 8 to 60 days.
    start = (dt.datetime.now(account.tz) - dt.timedelta(days=30)).date().isoformat()
    page.goto(f"{live_server.url}/a/4000/calls/?start_date={start}")
    assert page.locator("section.results").nth(1).locator("td:text-is('15300000')").count() == 1
    shoot(page, f"calls-archive-{lang}")
