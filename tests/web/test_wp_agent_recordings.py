"""The WebPortal manual's "AGENT RECORDINGS", gesture by gesture: the time-span radios (the
pre-checked "Previous hour" sent as it is), specific dates and times, the account number
filled in already, refining with the advanced criteria, the search button ("Retrieve Calls"
in the manual; the page's label is "Search for Calls", in French "Récupérer les Appels"),
the Total Duration, clicking a call's Date/Time to listen, "Email report". English and
French, desktop and phone, axe on each state."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.calls.conftest import smtp_server  # noqa: F401 (a fixture)
from tests.calls.helpers import add_recording, wav_bytes
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


def total(page, lang: str, minutes: str) -> str:
    """ "Total Duration: 1.5 min", as the page writes it in `lang`."""
    number = minutes if lang == "en" else minutes.replace(".", ",")
    return f"{WORDS[lang]['total']} {number} min"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_presets_dates_advanced_listen_and_email(
    new_page,
    live_server,
    make_account,
    make_user,
    axe,
    shoot,
    lang,
    smtp_server,  # noqa: F811
):
    account = make_account("4000", "TEST")
    make_user(f"wp-{lang}", account, language=lang)
    calls = call_log_data(account)
    add_recording(calls["now"], wav_bytes(20))
    w = WORDS[lang]
    page = new_page(locale=LOCALES[lang])
    open_call_log(page, live_server, f"wp-{lang}", lang)
    axe(page)

    # The pre-checked "Previous hour", sent as it is.
    assert page.get_by_label(w["hour"], exact=True).is_checked()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000001"]
    assert rows(section(page, lang, "archive")) == []
    said = page.get_by_role("status").filter(has_text=w["from"].split("{")[0]).inner_text()
    hour_ago = local(account, timezone.now() - dt.timedelta(hours=1))[:10]
    assert said.startswith(w["from"].split("{")[0] + hour_ago), said
    assert page.locator(".grand-total").inner_text() == total(page, lang, "1.5")
    axe(page)

    # Click the Date/Time to listen.
    when = local(account, calls["now"].started_at)
    page.get_by_role("link", name=w["play"].format(time=when)).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name=w["info"]).wait_for()
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime > 0.3")
    assert when in dialog.inner_text()
    shoot(page, f"wp-listen-{lang}")
    axe(page)
    dialog.get_by_role("button", name=w["close"]).click()

    # Another preset.
    page.get_by_label(w["three"], exact=True).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000001", "71000002"]
    assert page.locator(".grand-total").inner_text() == total(page, lang, "2.5")

    # Specific dates and times: the call of two and a half hours ago only.
    start = (timezone.now() - dt.timedelta(hours=3)).astimezone(account.tz)
    end = (timezone.now() - dt.timedelta(hours=1)).astimezone(account.tz)
    page.get_by_label(w["dates"], exact=True).check()
    page.get_by_label(w["start_date"]).fill(start.date().isoformat())
    page.get_by_label(w["start_time"]).fill(start.strftime("%H:%M"))
    page.get_by_label(w["end_date"]).fill(end.date().isoformat())
    page.get_by_label(w["end_time"]).fill(end.strftime("%H:%M"))
    axe(page)
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000002"]
    searched = w["from"].format(
        start=start.strftime("%Y-%m-%d %H:%M"), end=end.strftime("%Y-%m-%d %H:%M")
    )
    assert page.get_by_role("status").filter(has_text=searched).is_visible()
    assert page.locator(".grand-total").inner_text() == total(page, lang, "1.0")

    # The account number is filled in already; refine with the agent's initials.
    page.get_by_text(w["advanced"]).click()
    assert page.get_by_label(w["account"]).input_value() == "4000"
    page.get_by_label(w["agent"]).fill("dom")
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == []  # DOM took the call of 20 minutes ago
    page.get_by_label(w["three"], exact=True).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000001"]
    assert page.get_by_label(w["agent"]).input_value() == "dom"
    shoot(page, f"wp-refined-{lang}")
    axe(page)

    # Email report: the same results, as a spreadsheet, to the address typed.
    page.get_by_label(w["email"]).fill("boss@client.ca")
    page.get_by_role("button", name=w["send"], exact=True).click()
    page.get_by_text(re.compile(f"{w['sent']} boss@client.ca")).wait_for()
    assert len(smtp_server) == 1 and smtp_server[0]["To"] == "boss@client.ca"
    assert rows(section(page, lang, "recent")) == ["71000001"]
    axe(page)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_on_a_phone_the_radios_open_from_the_bar(
    new_page, live_server, make_account, make_user, axe, shoot, lang
):
    account = make_account("4000", "TEST")
    make_user(f"wp-phone-{lang}", account, language=lang)
    call_log_data(account)
    w = WORDS[lang]
    page = new_page(phone=True, locale=LOCALES[lang])
    open_call_log(page, live_server, f"wp-phone-{lang}", lang, phone=True)
    assert not page.get_by_label(w["three"], exact=True).is_visible()
    assert section(page, lang, "recent").locator("tbody tr").first.bounding_box()["y"] < 812
    axe(page)

    page.get_by_text(w["criteria"], exact=True).click()
    assert page.get_by_label(w["hour"], exact=True).is_checked()
    axe(page)
    page.get_by_label(w["three"], exact=True).check()
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()
    assert rows(section(page, lang, "recent")) == ["71000001", "71000002"]
    assert section(page, lang, "recent").locator("tbody tr").first.bounding_box()["y"] < 812
    assert page.locator(".grand-total").inner_text() == total(page, lang, "2.5")
    shoot(page, f"wp-phone-{lang}")
    axe(page)
