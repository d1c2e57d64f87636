"""The miTeam manual's "Call Log", gesture by gesture: enter a Start Date and an End Date,
"Search for Calls", the calls of the last 7 days under "Call Log Search Results" and those of
8 to 60 days in the "Archive"; "Details" opens the call's information, "Voice" the player,
which plays and downloads; a caller ID typed alone finds that caller's calls of days ago.
In English and French, on a desktop, a phone, and without JavaScript."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.web.call_log_flow import (
    LOCALES,
    WORDS,
    call_log_data,
    local,
    open_call_log,
    rows,
    section,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def typed_days(account):
    """A Start Date 25 days back and an End Date that leaves out today's calls (and the
    call of two and a half hours ago, even just after midnight)."""
    now = timezone.now()
    end = (now - dt.timedelta(hours=3)).astimezone(account.tz).date() - dt.timedelta(days=1)
    return now.astimezone(account.tz).date() - dt.timedelta(days=25), end


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_typed_dates_both_sections_details_and_voice(
    new_page, live_server, make_account, make_user, axe, shoot, lang
):
    account = make_account("4000", "TEST")
    make_user(f"mi-{lang}", account, language=lang)
    call_log_data(account)
    w = WORDS[lang]
    page = new_page(locale=LOCALES[lang])
    open_call_log(page, live_server, f"mi-{lang}", lang)
    assert page.get_by_label(w["hour"]).is_checked()
    axe(page)

    start, end = typed_days(account)
    page.get_by_label(w["start_date"]).fill(start.isoformat())
    page.get_by_label(w["end_date"]).fill(end.isoformat())
    # Typing a date checks "Specific dates/times" (the server would decide the same).
    assert page.get_by_label(w["dates"]).is_checked()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()

    searched = w["from"].format(start=f"{start} 00:00", end=f"{end} 23:59")
    assert page.get_by_role("status").filter(has_text=searched).is_visible()
    assert rows(section(page, lang, "recent")) == ["71000003", "71000004"]
    assert rows(section(page, lang, "archive")) == ["71000005"]
    assert page.get_by_label(w["start_date"]).input_value() == start.isoformat()
    assert page.get_by_label(w["dates"]).is_checked()
    shoot(page, f"mi-call-log-dates-{lang}")
    axe(page)

    # "Details": a transaction without conversation and the message it dispatched.
    section(page, lang, "recent").get_by_role("link", name=w["details"], exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name=w["details"]).wait_for()
    assert "71000004" in dialog.inner_text()
    assert dialog.get_by_role("link", name=re.compile(f"{w['message']} 81000004")).is_visible()
    axe(page)
    dialog.get_by_role("button", name=w["close"]).click()
    assert not dialog.is_visible()

    # "Voice": the Call Information player plays; the audio file downloads.
    section(page, lang, "recent").get_by_role("link", name=w["voice"], exact=True).click()
    dialog.get_by_role("heading", name=w["info"]).wait_for()
    dialog.get_by_role("button", name="Play" if lang == "en" else "Écouter").click()
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime > 0.3")
    assert dialog.get_by_role("button", name=w["pause"]).is_visible()
    shoot(page, f"mi-call-log-voice-{lang}")
    axe(page)
    with page.expect_download() as info:
        dialog.get_by_role("link", name=w["download"]).click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read(4) == b"RIFF"
    dialog.get_by_role("button", name=w["close"]).click()
    wait_until(page, "document.querySelector('#call-dialog audio').paused")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_caller_id_typed_alone_finds_the_callers_calls_of_days_ago(
    new_page, live_server, make_account, make_user, axe, lang
):
    account = make_account("4000", "TEST")
    make_user(f"caller-{lang}", account, language=lang)
    call_log_data(account)
    w = WORDS[lang]
    page = new_page(locale=LOCALES[lang])
    open_call_log(page, live_server, f"caller-{lang}", lang)

    page.get_by_label(w["caller"]).fill("(514) 555-0001")
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()

    assert rows(section(page, lang, "recent")) == ["71000003"]
    assert rows(section(page, lang, "archive")) == ["71000005"]
    # The whole period kept was searched, and the page says so.
    now = timezone.now().astimezone(account.tz)
    oldest = (now - dt.timedelta(days=60)).date()
    said = page.get_by_role("status").filter(has_text=w["from"].split("{")[0]).inner_text()
    pattern = w["from"].format(start=f"{oldest} ..:..", end=f"{now.date()} ..:..")
    assert re.fullmatch(pattern, said), said
    assert page.get_by_label(w["hour"]).is_checked()
    axe(page)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_preset_picked_after_typing_dates_is_what_is_searched(
    new_page, live_server, make_account, make_user, axe, lang
):
    """Choosing a preset is what selects a preset: dates typed first (which check "Specific
    dates/times"), then the page's own "Previous hour" clicked back: the last hour is searched."""
    account = make_account("4000", "TEST")
    make_user(f"pick-{lang}", account, language=lang)
    call_log_data(account)
    w = WORDS[lang]
    page = new_page(locale=LOCALES[lang])
    open_call_log(page, live_server, f"pick-{lang}", lang)
    start, end = typed_days(account)
    page.get_by_label(w["start_date"]).fill(start.isoformat())
    page.get_by_label(w["end_date"]).fill(end.isoformat())
    assert page.get_by_label(w["dates"]).is_checked()
    page.get_by_label(w["hour"]).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000001"]
    assert rows(section(page, lang, "archive")) == []
    assert page.get_by_label(w["hour"]).is_checked()
    axe(page)


def test_without_javascript_typed_dates_win_over_the_pre_checked_preset(
    browser, live_server, make_account, make_user
):
    """No script checks "Specific dates/times" here: the page's own defaults are sent,
    "Previous hour" included, and the typed dates still win."""
    account = make_account("4000", "TEST")
    make_user("nojs", account, language="en")
    calls = call_log_data(account)
    w = WORDS["en"]
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    try:
        page = context.new_page()
        open_call_log(page, live_server, "nojs", "en")
        assert rows(section(page, "en", "recent")) == ["71000001"]  # the previous hour

        start, end = typed_days(account)
        page.get_by_label(w["start_date"]).fill(start.isoformat())
        page.get_by_label(w["end_date"]).fill(end.isoformat())
        assert page.get_by_label(w["hour"]).is_checked()
        page.get_by_role("button", name=w["search"]).click()
        page.wait_for_load_state()
        assert rows(section(page, "en", "recent")) == ["71000003", "71000004"]
        assert rows(section(page, "en", "archive")) == ["71000005"]
        assert page.get_by_label(w["dates"]).is_checked()

        # Choosing a preset is what selects a preset (the dates stay typed, and lose).
        page.get_by_label(w["three"]).check()
        page.get_by_role("button", name=w["search"]).click()
        page.wait_for_load_state()
        assert rows(section(page, "en", "recent")) == ["71000001", "71000002"]
        assert page.get_by_label(w["start_date"]).input_value() == ""
        start_at = local(account, calls["now_at"] - dt.timedelta(hours=3))[:10]
        said = page.get_by_role("status").filter(has_text="Calls from").inner_text()
        assert said.startswith(f"Calls from {start_at}")

        # A caller ID typed alone, the radio left on the page's default: the whole period.
        page.get_by_label(w["hour"]).check()
        page.get_by_role("button", name=w["search"]).click()
        page.wait_for_load_state()
        page.get_by_label(w["caller"]).fill("514-555-0001")
        page.get_by_role("button", name=w["search"]).click()
        page.wait_for_load_state()
        assert rows(section(page, "en", "recent")) == ["71000003"]
        assert rows(section(page, "en", "archive")) == ["71000005"]
        # (No axe here: it is a script, and this page runs none; the same page states are
        # checked with scripts on in the other tests.)
    finally:
        context.close()


def fully_shown(cell, text: str) -> bool:
    """Whether `text` inside `cell` is drawn whole: neither clipped by the cell's box nor
    cut off by an ellipsis (the text's own box lies inside the cell's)."""
    return cell.evaluate(
        """(td, text) => {
          const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const at = n.data.indexOf(text);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(n, at);
            range.setEnd(n, at + text.length);
            const r = range.getBoundingClientRect(), box = td.getBoundingClientRect();
            const clipped = n.parentElement.scrollWidth > n.parentElement.clientWidth + 1;
            return r.width > 0 && r.right <= box.right + 0.5 && !clipped;
          }
          return false;
        }""",
        text,
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_on_a_phone_the_first_call_shows_and_its_card_plays(
    new_page, live_server, make_account, make_user, axe, shoot, lang
):
    account = make_account("4000", "TEST")
    make_user(f"phone-{lang}", account, language=lang)
    calls = call_log_data(account)
    w = WORDS[lang]
    page = new_page(phone=True, locale=LOCALES[lang])
    open_call_log(page, live_server, f"phone-{lang}", lang, phone=True)

    # The criteria are folded into one bar; the first call is on the first screen.
    bar = page.get_by_text(w["criteria"], exact=True)
    assert bar.is_visible() and not page.get_by_label(w["start_date"]).is_visible()
    first = section(page, lang, "recent").locator("tbody tr").first
    assert first.bounding_box()["y"] < 812
    assert rows(section(page, lang, "recent")) == ["71000001"]
    axe(page)

    bar.click()
    start, end = typed_days(account)
    page.get_by_label(w["start_date"]).fill(start.isoformat())
    page.get_by_label(w["end_date"]).fill(end.isoformat())
    axe(page)
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert not page.get_by_label(w["start_date"]).is_visible()
    summary = page.locator(".filterbar-summary").inner_text()
    assert w["from"].format(start=f"{start} 00:00", end=f"{end} 23:59") in summary
    recent = section(page, lang, "recent")
    assert rows(recent) == ["71000003", "71000004"]
    card = recent.locator("tbody tr").first
    box = card.bounding_box()
    shoot(page, "phone-call-log-after" if lang == "en" else "phone-call-log-after-fr")
    assert box["y"] < 812 and box["height"] < 120, box  # compact: two lines
    # Each card's caller ID is read whole, not cut by its name or a long agent's initials.
    for number in ("5145550001", "5145559999"):
        assert fully_shown(recent.locator("td.c-caller", has_text=number), number), number
    axe(page)

    # The card's play button opens the player and plays.
    when = local(account, calls["recorded"].started_at)
    card.get_by_role("link", name=w["play"].format(time=when)).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name=w["info"]).wait_for()
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime > 0.3")
    shoot(page, f"phone-call-log-playing-{lang}")
    axe(page)
