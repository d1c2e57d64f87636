"""miTeam "Inbox / Message", as its manual walks it: filters Account, Sent Today / Yesterday /
Last Week / Last Month, Options Open / Closed / Urgent (all checked by default), the "Search
messages..." keyword, "Download" all or a portion, messages up to 60 days; and the issue's
additions: the result count, typed dates over a preset, Message ID, the new-message count in
the tab's title, the phone layout. Through the form and the menu, by visible labels."""

import csv
import io
import re

import openpyxl
import pytest

from tests.calls.helpers import make_message
from tests.web.inbox_pages import (
    WORDS,
    practice_messages,
    retrieve,
    sign_in_and_open_inbox,
    subjects,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_LOCALE = {"en": "en-US", "fr": "fr-CA"}


@pytest.fixture
def practice(make_account, make_user):
    first = make_account("4000", "TEST")
    second = make_account("4100", "CLINIQUE")
    made = practice_messages(first, second)
    for lang in ("en", "fr"):
        make_user(f"marie-{lang}", first, second, language=lang)
    return made


def period(page, lang, name):
    page.get_by_role("radio", name=WORDS[lang][name], exact=True).check()


def search_form(page, lang):
    return page.get_by_role("search", name=WORDS[lang]["search_form"])


def count_line(page) -> str:
    return page.locator(".result-count").inner_text()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_filters_keyword_and_download_as_the_manual_shows(
    new_page, live_server, practice, lang, shoot, axe
):
    w = WORDS[lang]
    page = new_page(locale=BROWSER_LOCALE[lang])
    sign_in_and_open_inbox(page, live_server, f"marie-{lang}", lang)

    # First visit: every option checked, no period, all 60 days of account 4000.
    for box in ("open", "closed", "urgent"):
        assert page.get_by_role("checkbox", name=w[box], exact=True).is_checked()
    assert page.get_by_role("radio", name=w["dates_below"]).is_checked()
    assert search_form(page, lang).get_by_label(w["account"], exact=True).input_value() == "4000"
    assert subjects(page) == ["RENDEZ-VOUS", "FUITE D'EAU", "LIVRAISON", "FACTURE"]
    assert count_line(page) == w["messages"](4)
    assert page.locator(".result-span").inner_text().startswith(w["taken_from"])
    assert "America/Toronto" in page.locator(".result-span").inner_text()
    shoot(page, f"mi-inbox-{lang}")
    axe(page)

    # Sent: Today, Yesterday, Last Week, Last Month.
    for name, expected in (
        ("today", ["RENDEZ-VOUS"]),
        ("yesterday", ["FUITE D'EAU"]),
        ("week", ["RENDEZ-VOUS", "FUITE D'EAU", "LIVRAISON"]),
        ("month", ["RENDEZ-VOUS", "FUITE D'EAU", "LIVRAISON", "FACTURE"]),
    ):
        period(page, lang, name)
        retrieve(page, lang)
        assert subjects(page) == expected, name
        assert count_line(page) == w["messages"](len(expected))
        assert page.get_by_role("radio", name=w[name], exact=True).is_checked()
    axe(page)

    # Options: without Closed, yesterday's closed message goes.
    period(page, lang, "week")
    page.get_by_role("checkbox", name=w["closed"], exact=True).uncheck()
    retrieve(page, lang)
    assert subjects(page) == ["RENDEZ-VOUS", "LIVRAISON"]
    assert not page.get_by_role("checkbox", name=w["closed"], exact=True).is_checked()
    # Urgent only.
    page.get_by_role("checkbox", name=w["open"], exact=True).uncheck()
    retrieve(page, lang)
    assert subjects(page) == ["RENDEZ-VOUS"]
    for box in ("open", "closed"):
        page.get_by_role("checkbox", name=w[box], exact=True).check()

    # "Search messages..." keyword, accents or not; over all my accounts.
    assert page.get_by_label(w["keyword"]).get_attribute("placeholder") == w["search_hint"]
    page.get_by_label(w["keyword"]).fill("montreal")
    period(page, lang, "month")
    retrieve(page, lang)
    assert subjects(page) == ["LIVRAISON"]
    page.get_by_label(w["keyword"]).fill("")
    search_form(page, lang).get_by_label(w["account"], exact=True).select_option(
        label=w["all_accounts"]
    )
    retrieve(page, lang)
    assert "CLINIQUE RAPPEL" in subjects(page)
    assert count_line(page) == w["messages"](5)
    shoot(page, f"mi-inbox-all-accounts-{lang}")
    axe(page)

    # Download all that match (CSV), then a portion: the checked one (Excel).
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    with open(info.value.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert sorted(r[1] for r in rows[1:]) == [
        "2598662",
        "2598663",
        "2598664",
        "2598665",
        "3100001",
    ]
    page.get_by_role("checkbox", name=re.compile("2598664")).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Excel (.xlsx)").click()
    with open(info.value.path(), "rb") as fh:
        sheet = openpyxl.load_workbook(io.BytesIO(fh.read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert [v[1] for v in values[1:]] == ["2598664"]
    # Nothing older than 60 days, whatever is asked.
    assert "TROP VIEUX" not in page.content()


@pytest.mark.parametrize("javascript", [True, False])
def test_typed_dates_win_over_the_checked_period_and_choosing_a_period_wins(
    browser, new_page, live_server, practice, javascript, shoot, axe
):
    w = WORDS["en"]
    if javascript:
        page = new_page()
    else:
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, java_script_enabled=False
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
    try:
        sign_in_and_open_inbox(page, live_server, "marie-en")
        period(page, "en", "week")
        retrieve(page, "en")
        assert subjects(page) == ["RENDEZ-VOUS", "FUITE D'EAU", "LIVRAISON"]

        # With "Last Week" still checked, dates typed around the bill of 20 days ago win.
        twenty = practice["twenty_days"].taken_at.astimezone(practice["twenty_days"].account.tz)
        page.get_by_label(w["from"], exact=True).fill(twenty.date().isoformat())
        page.get_by_label(w["to"], exact=True).fill(twenty.date().isoformat())
        if javascript:  # the page itself moves the radio to "Dates below"
            assert page.get_by_role("radio", name=w["dates_below"]).is_checked()
        else:
            assert page.get_by_role("radio", name=w["week"]).is_checked()
        retrieve(page, "en")
        assert subjects(page) == ["FACTURE"]
        assert page.get_by_role("radio", name=w["dates_below"]).is_checked()
        day = twenty.date().isoformat()
        assert page.locator(".result-span").inner_text() == (
            f"Taken from {day} 00:00 to {day} 23:59 (America/Toronto time)"
        )
        shoot(page, f"mi-inbox-typed-dates-{'js' if javascript else 'nojs'}")
        if javascript:  # (axe-core itself needs scripts; the markup is the same)
            axe(page)

        # Submitting again as drawn keeps the dates.
        retrieve(page, "en")
        assert subjects(page) == ["FACTURE"]

        # Choosing a period, with the dates still typed, selects that period.
        period(page, "en", "today")
        retrieve(page, "en")
        assert subjects(page) == ["RENDEZ-VOUS"]
        assert page.get_by_label(w["from"], exact=True).input_value() == ""
        assert page.get_by_role("radio", name=w["today"]).is_checked()
    finally:
        if not javascript:
            context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_message_id_finds_that_message_in_all_my_accounts(
    new_page, live_server, practice, lang, axe
):
    w = WORDS[lang]
    page = new_page(locale=BROWSER_LOCALE[lang])
    sign_in_and_open_inbox(page, live_server, f"marie-{lang}", lang)
    period(page, lang, "yesterday")  # whatever else is chosen
    page.get_by_text(w["more"]).click()
    page.get_by_label(w["message_id"], exact=True).fill("3100001")
    retrieve(page, lang)
    assert subjects(page) == ["CLINIQUE RAPPEL"]
    assert count_line(page) == w["messages"](1)
    assert "3100001" in page.locator(".result-span").inner_text()
    assert page.get_by_label(w["message_id"], exact=True).input_value() == "3100001"
    axe(page)
    page.get_by_label(w["message_id"], exact=True).fill("no-such-id")
    retrieve(page, lang)
    assert subjects(page) == []
    assert count_line(page) == w["messages"](0)


def test_the_tab_title_counts_new_messages_until_they_are_seen(
    new_page, live_server, practice, settings, axe
):
    settings.INBOX_POLL_SECONDS = 1
    page = new_page()
    sign_in_and_open_inbox(page, live_server, "marie-en")
    title = page.title()
    assert title.startswith("Inbox / Messages · ")
    account = practice["today"].account
    make_message(account, subject="ARRIVED-ONE", message_id="2600001")
    page.get_by_text("ARRIVED-ONE").wait_for(timeout=8000)
    page.wait_for_function("() => document.title.startsWith('(1) Inbox / Messages · ')")
    make_message(account, subject="ARRIVED-TWO", message_id="2600002")
    page.get_by_text("ARRIVED-TWO").wait_for(timeout=8000)
    page.wait_for_function("() => document.title.startsWith('(2) Inbox / Messages · ')")
    # Some more polls bring nothing new: the count stays.
    page.wait_for_timeout(2500)
    assert page.title() == f"(2) {title}"
    axe(page)
    # The person looks at the list (a click in the page): seen, the count goes.
    page.get_by_role("heading", name="Inbox / Messages").click()
    assert page.title() == title


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_on_a_phone_the_first_message_shows_first(
    new_page, live_server, practice, lang, shoot, axe
):
    w = WORDS[lang]
    page = new_page(phone=True, locale=BROWSER_LOCALE[lang])
    sign_in_and_open_inbox(page, live_server, f"marie-{lang}", lang, phone=True)
    bar = page.get_by_text(w["criteria"])
    assert bar.is_visible()
    assert not page.get_by_role("button", name=w["retrieve"]).is_visible()
    first = page.locator("#message-rows tr").first
    assert first.bounding_box()["y"] < 812
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "phone-inbox-after" if lang == "en" else "phone-inbox-after-fr")
    axe(page)

    # The bar opens the criteria; choose Yesterday; the answer shows first again.
    bar.click()
    page.get_by_role("button", name=w["retrieve"]).wait_for()
    axe(page)
    period(page, lang, "yesterday")
    retrieve(page, lang)
    assert subjects(page) == ["FUITE D'EAU"]
    assert w["yesterday"] in page.locator(".filterbar-summary").inner_text()
    assert not page.get_by_role("button", name=w["retrieve"]).is_visible()
    assert page.locator("#message-rows tr").first.bounding_box()["y"] < 812
    shoot(page, f"phone-inbox-yesterday-{lang}")
    axe(page)

    # A form with an error stays open, the message in the page's language.
    bar.click()
    page.get_by_label(w["from"], exact=True).fill("2026-05-10")
    page.get_by_label(w["to"], exact=True).fill("2026-05-01")
    retrieve(page, lang)
    assert page.get_by_role("button", name=w["retrieve"]).is_visible()
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() in (
        "The end date must not be before the start date.",
        "La date de fin ne peut pas précéder la date de début.",
    )
    axe(page)
