"""After the idle logoff, in a real browser: open pages go to sign-in (the live inbox's poll,
closing a message, a download) and signing in leads back to the page; a minute before the
logoff (here: a few seconds) a dialog offers to stay signed in."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.inbox_pages import WORDS, practice_messages, sign_in_and_open_inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
SIGN_IN = re.compile(r"/login/\?next=")


@pytest.fixture
def clinic(make_account, make_user):
    account = make_account("4000", "TEST")
    user = make_user("marie", account)
    return account, user


def expire_every_session():
    """The session ends for real: its row goes, as when it expires."""
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def sign_in_again(page, lang="en"):
    w = WORDS[lang]
    page.get_by_label(w["user"]).fill("marie")
    page.get_by_label(w["password"]).fill(PASSWORD)
    page.get_by_role("button", name=w["enter"]).click()


@pytest.mark.parametrize("lang, locale", [("en", "en-US"), ("fr", "fr-CA")])
def test_the_live_inbox_goes_to_sign_in_and_back_to_the_full_page(
    new_page, live_server, clinic, settings, axe, shoot, lang, locale
):
    settings.INBOX_POLL_SECONDS = 1
    account, _user = clinic
    practice_messages(account)
    page = new_page(locale=locale)
    sign_in_and_open_inbox(page, live_server, "marie", lang)
    page.get_by_role("button", name=WORDS[lang]["retrieve"]).click()
    page.wait_for_load_state()
    inbox_url = page.url
    assert "?" in inbox_url
    expire_every_session()
    # The next poll gets "signed out": the whole page goes to sign-in, not into the list.
    page.wait_for_url(SIGN_IN)
    assert next_of(page.url) == inbox_url.removeprefix(live_server.url)
    page.get_by_label(WORDS[lang]["user"]).wait_for()
    axe(page)
    shoot(page, f"expired-poll-sign-in-{lang}")
    sign_in_again(page, lang)
    page.wait_for_url(inbox_url)
    # A full page, the search as it was: the menu, the title, the list.
    page.get_by_role("navigation", name=re.compile("Sections")).wait_for()
    assert page.locator("#message-rows").count() == 1
    assert page.locator("#message-rows .login-card").count() == 0
    axe(page)


@pytest.mark.parametrize("lang, locale", [("en", "en-US"), ("fr", "fr-CA")])
def test_closing_a_message_after_expiry_is_not_lost(
    new_page, live_server, clinic, axe, shoot, lang, locale
):
    account, _user = clinic
    made = practice_messages(account)
    page = new_page(locale=locale)
    sign_in_and_open_inbox(page, live_server, "marie", lang)
    page.get_by_role("link", name="LIVRAISON").click()
    page.wait_for_url("**/messages/2598664/*")
    message_url = page.url
    expire_every_session()
    close = {"en": "Close the message", "fr": "Fermer le message"}[lang]
    page.get_by_role("button", name=close).click()
    # Sign-in, then back on the message (not a 405), where the close can be made.
    page.wait_for_url(SIGN_IN)
    assert next_of(page.url) == message_url.removeprefix(live_server.url)
    sign_in_again(page, lang)
    page.wait_for_url(message_url)
    made["three_days"].refresh_from_db()
    assert made["three_days"].status == "open"  # nothing was closed while signed out
    page.get_by_role("button", name=close).click()
    page.get_by_role("status").filter(
        has_text={"en": "The message is closed.", "fr": "Le message est fermé."}[lang]
    ).wait_for()
    made["three_days"].refresh_from_db()
    assert made["three_days"].status == "closed"
    axe(page)
    shoot(page, f"expired-close-then-closed-{lang}")


def test_a_download_after_expiry_shows_sign_in_and_saves_no_file(
    new_page, live_server, clinic, axe, shoot
):
    account, _user = clinic
    practice_messages(account)
    page = new_page()
    sign_in_and_open_inbox(page, live_server, "marie")
    inbox_url = page.url
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    expire_every_session()
    page.get_by_role("button", name="CSV").click()
    page.wait_for_url(SIGN_IN)
    assert next_of(page.url) == inbox_url.removeprefix(live_server.url)
    page.get_by_role("heading", name="Please sign in").wait_for()
    assert downloads == []
    axe(page)
    sign_in_again(page)
    page.wait_for_url(inbox_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    assert info.value.suggested_filename.endswith(".csv")


def test_an_audio_download_link_after_expiry_shows_sign_in_and_saves_no_file(
    new_page, live_server, clinic, axe
):
    import datetime as dt

    from tests.calls.helpers import add_recording, make_call, wav_bytes
    from tests.web.call_log_flow import WORDS as CALL_WORDS
    from tests.web.call_log_flow import open_call_log

    account, _user = clinic
    add_recording(
        make_call(account, call_id="71000009", ago=dt.timedelta(minutes=10)), wav_bytes(2)
    )
    w = CALL_WORDS["en"]
    page = new_page()
    open_call_log(page, live_server, "marie", "en")
    calls_url = page.url
    page.get_by_role("link", name=w["voice"], exact=True).first.click()
    dialog = page.get_by_role("dialog")
    link = dialog.get_by_role("link", name=w["download"])
    link.wait_for()
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    expire_every_session()
    link.click()
    page.wait_for_url(SIGN_IN)
    assert next_of(page.url) == calls_url.removeprefix(live_server.url)
    page.get_by_role("heading", name="Please sign in").wait_for()
    assert downloads == []
    axe(page)
    sign_in_again(page)
    page.wait_for_url(calls_url)
    page.get_by_role("link", name=w["voice"], exact=True).first.click()
    with page.expect_download() as info:
        dialog.get_by_role("link", name=w["download"]).click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read(4) == b"RIFF"


def test_an_open_in_excel_link_after_expiry_shows_sign_in_then_the_report_page(
    new_page, live_server, clinic, axe
):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in_again(page)
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Billable Calls", exact=True
    ).click()
    page.get_by_role("button", name="Retrieve Calls").click()
    page.wait_for_load_state()
    report_url = page.url
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    expire_every_session()
    page.get_by_role("link", name="Open in Excel").click()
    page.wait_for_url(SIGN_IN)
    page.get_by_role("heading", name="Please sign in").wait_for()
    assert next_of(page.url) == report_url.removeprefix(live_server.url)
    assert downloads == []
    axe(page)
    sign_in_again(page)
    page.wait_for_url(report_url)
    with page.expect_download() as info:
        page.get_by_role("link", name="Open in Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx")


WARNING = {
    "en": ("Are you still there?", "Stay signed in"),
    "fr": ("Êtes-vous toujours là ?", "Rester connecté"),
}


@pytest.mark.parametrize(
    "phone, locale, lang",
    [(False, "en-US", "en"), (True, "fr-CA", "fr")],
    ids=["desktop-en", "phone-fr"],
)
def test_a_warning_before_the_idle_logoff_keeps_the_session_or_signs_out(
    new_page, live_server, clinic, settings, axe, shoot, phone, locale, lang
):
    settings.SESSION_COOKIE_AGE = 10
    settings.SESSION_WARNING_SECONDS = 6
    title, stay = WARNING[lang]
    page = new_page(phone=phone, locale=locale)
    page.goto(f"{live_server.url}/login/")
    sign_in_again(page, lang)
    page.wait_for_url("**/a/4000/")
    dialog = page.get_by_role("alertdialog", name=title)
    assert not dialog.is_visible()
    dialog.wait_for(state="visible", timeout=8_000)  # 6 s before the logoff
    axe(page)
    shoot(page, f"idle-warning-{lang}{'-phone' if phone else ''}")

    # Stay signed in: the session starts again; past the first deadline, still signed in.
    dialog.get_by_role("button", name=stay).click()
    dialog.wait_for(state="hidden")
    page.wait_for_timeout(6_500)  # about 10.5 s since signing in
    assert page.url.endswith("/a/4000/")
    left = page.evaluate(
        "fetch('/session/', {headers: {'X-Portal-Background': '1'}}).then((r) => r.json())"
    )["seconds_left"]
    assert 0 < left <= 4
    dialog.wait_for(state="visible")  # the warning of the new deadline

    # No answer this time: at the deadline the page goes to sign-in, then back here.
    page.wait_for_url(SIGN_IN, timeout=10_000)
    assert next_of(page.url) == "/a/4000/"
    said = "You were signed out after" if lang == "en" else "Vous avez été déconnecté après"
    assert said in page.get_by_role("status").inner_text()
    axe(page)
    sign_in_again(page, lang)
    page.wait_for_url("**/a/4000/")
