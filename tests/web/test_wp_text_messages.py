"""WebPortal "TEXT MESSAGES", as its manual walks it: 1) enter the date range, 2) refine the
search with any additional criteria, 3) "Retrieve Messages" ("Afficher les messages"); the
message shows "Message ID:", "Taken:", its text and the dispatch history ("Envoi de
l'Histoire": "email initiated to …", "Delivered", "Taken"). English and French, desktop and
phone, through the form and the menu, by visible labels."""

import re

import pytest

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
    account = make_account("4000", "TEST")
    made = practice_messages(account)
    for lang in ("en", "fr"):
        make_user(f"luc-{lang}", account, language=lang)
    return made


def search_form(page, lang):
    return page.get_by_role("search", name=WORDS[lang]["search_form"])


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_date_range_criteria_retrieve_and_read_the_message(
    new_page, live_server, practice, lang, phone, shoot, axe
):
    w = WORDS[lang]
    suffix = f"{lang}-{'phone' if phone else 'desktop'}"
    page = new_page(phone=phone, locale=BROWSER_LOCALE[lang])
    sign_in_and_open_inbox(page, live_server, f"luc-{lang}", lang, phone=phone)
    if phone:  # the criteria are folded into one bar: open it
        page.get_by_text(w["criteria"]).click()
    form = search_form(page, lang)
    axe(page)

    # 1) The date range: three days ago to today, in the account's zone.
    tz = practice["today"].account.tz
    first_day = practice["three_days"].taken_at.astimezone(tz).date().isoformat()
    today = practice["today"].taken_at.astimezone(tz).date().isoformat()
    form.get_by_label(w["from"], exact=True).fill(first_day)
    form.get_by_label(w["to"], exact=True).fill(today)
    retrieve(page, lang)
    assert subjects(page) == ["RENDEZ-VOUS", "FUITE D'EAU", "LIVRAISON"]
    span = page.locator(".result-span").inner_text()
    if lang == "en":
        assert span == f"Taken from {first_day} 00:00 to {today} 23:59 (America/Toronto time)"
    else:
        assert (
            span == f"Pris du {first_day} 00:00 au {today} 23:59 (fuseau horaire America/Toronto)"
        )
    assert page.locator(".result-count").inner_text() == w["messages"](3)
    if phone:
        assert page.locator("#message-rows tr").first.bounding_box()["y"] < 812
        assert first_day in page.locator(".filterbar-summary").inner_text()
        page.get_by_text(w["criteria"]).click()
    shoot(page, f"wp-text-messages-range-{suffix}")
    axe(page)

    # 2) Refine with another criterion: the call number, among "Other search parameters".
    page.get_by_text(w["more"]).click()
    form.get_by_label(w["call_number"], exact=True).fill("77001")
    # 3) Retrieve Messages.
    retrieve(page, lang)
    assert subjects(page) == ["RENDEZ-VOUS"]
    assert page.locator(".result-count").inner_text() == w["messages"](1)
    # The range is still the one typed.
    if phone:
        page.get_by_text(w["criteria"]).click()
    assert form.get_by_label(w["from"], exact=True).input_value() == first_day
    assert form.get_by_label(w["call_number"], exact=True).input_value() == "77001"
    axe(page)

    # The row's preview of the form, with the page's own typography ("Modèle : XR-200").
    colon = "\u00a0:" if lang == "fr" else ":"
    preview = page.locator("#msg-2598662 .preview").text_content().strip()
    assert preview == f"Modèle{colon} XR-200 · Serie{colon} 10906256AJ", preview

    # The message: Message ID, Taken, its text, the dispatch history in the seed's words.
    page.get_by_role("link", name="RENDEZ-VOUS").click()
    page.wait_for_url(re.compile(r".*/messages/2598662/.*"))
    head = page.locator(".message-head").inner_text()
    taken = practice["today"].taken_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    assert re.search(rf"{w['id_label']}\s+2598662", head), head
    assert re.search(rf"{w['taken_label']}\s+{taken}", head), head
    text = page.locator("article").inner_text()
    for part in ("RENDEZ-VOUS", "Modèle", "XR-200", "Serie", "10906256AJ", "Rappeler avant midi."):
        assert part in text
    # The form's labels with the page's own typography ("Modèle :" in French).
    fields = page.locator(".form-fields dt").all_text_contents()
    assert fields == [f"Modèle{colon}", f"Serie{colon}"], fields
    page.get_by_role("heading", name=w["history"]).wait_for()
    lines = [re.sub(r"^\S+ \S+ ", "", li) for li in page.locator(".events li").all_inner_texts()]
    completed = w["initiated"].replace("initiated", "completed").replace("initié", "complété")
    assert lines == [w["initiated"], completed, w["delivered"], w["taken"]]
    shoot(page, f"wp-text-message-{suffix}")
    axe(page)

    # Back to the messages: the list as it was searched.
    page.get_by_role("link", name=w["back"]).click()
    page.wait_for_url("**/messages/?*")
    assert subjects(page) == ["RENDEZ-VOUS"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_range_that_ends_before_it_starts_is_refused_in_words(
    new_page, live_server, practice, lang, axe
):
    w = WORDS[lang]
    page = new_page(locale=BROWSER_LOCALE[lang])
    sign_in_and_open_inbox(page, live_server, f"luc-{lang}", lang)
    form = search_form(page, lang)
    form.get_by_label(w["from"], exact=True).fill("2026-03-23")
    form.get_by_label(w["to"], exact=True).fill("2026-03-22")
    retrieve(page, lang)
    assert page.get_by_role("alert").inner_text().strip() == (
        "The end date must not be before the start date."
        if lang == "en"
        else "La date de fin ne peut pas précéder la date de début."
    )
    assert subjects(page) == []
    assert form.get_by_label(w["from"], exact=True).input_value() == "2026-03-23"
    axe(page)
