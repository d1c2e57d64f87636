"""The Messages section in Chromium, in English and in French."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from portal.inbox.models import Message
from tests.calls.browser import sign_in
from tests.calls.helpers import make_message

LABELS = {
    "en": {
        "retrieve": "Retrieve Messages",
        "history": "Delivery history",
        "close": "Close the message",
        "closed": "Closed by",
    },
    "fr": {
        "retrieve": "Afficher les messages",
        "history": "Envoi de l'Histoire",
        "close": "Fermer le message",
        "closed": "Fermé par",
    },
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_filter_search_open_close_and_download_messages(
    page, live_server, make_account, make_user, shoot, lang, settings
):
    settings.INBOX_POLL_SECONDS = 1
    account = make_account("4000", "TEST")
    user = make_user(f"client-{lang}", account, language=lang)
    make_message(
        account,
        subject="RENDEZ-VOUS",
        fields=[["Modèle", "XR-200"], ["Tel", "(514) 521-0000"]],
        urgent=True,
        message_id="2598662",
    )
    make_message(
        account,
        subject='=HYPERLINK("x")',
        fields=[["Serie", "10906256AJ"]],
        ago=dt.timedelta(days=3),
        message_id="2598663",
    )
    sign_in(page, live_server, user)
    words = LABELS[lang]

    page.goto(f"{live_server.url}/a/4000/messages/")
    assert page.locator("#message-rows tr").count() == 2
    shoot(page, f"inbox-list-{lang}")

    # Keyword without accents, and the quick period "Today".
    page.fill("input[name=q]", "modele")
    page.get_by_role("button", name=words["retrieve"]).click()
    page.wait_for_load_state()
    assert page.locator("#message-rows tr").count() == 1
    page.fill("input[name=q]", "")
    page.check("input[name=period][value=today]")
    page.get_by_role("button", name=words["retrieve"]).click()
    page.wait_for_load_state()
    assert page.locator("#message-rows tr").count() == 1
    shoot(page, f"inbox-today-{lang}")

    # A new message appears without a reload.
    make_message(account, subject="ARRIVED-LIVE", message_id="2598664")
    page.wait_for_selector("text=ARRIVED-LIVE", timeout=8000)

    # Open one: its history, in the account's zone; close it.
    page.click("text=RENDEZ-VOUS")
    page.wait_for_selector(f"text={words['history']}")
    assert page.locator(".events li").count() == 4
    shoot(page, f"inbox-message-{lang}")
    page.get_by_role("button", name=words["close"]).click()
    page.wait_for_selector(f"text={words['closed']}")
    assert Message.objects.get(message_id="2598662").status == Message.CLOSED
    shoot(page, f"inbox-message-closed-{lang}")

    # Download all matching as CSV, then the checked one as Excel; read them back.
    page.goto(f"{live_server.url}/a/4000/messages/")
    with page.expect_download() as info:
        page.click("button[value=csv]")
    assert info.value.suggested_filename.endswith(".csv")
    with open(info.value.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 4
    assert '\'=HYPERLINK("x")' in [r[3] for r in rows]
    page.wait_for_selector(".progress:not([hidden])")
    shoot(page, f"inbox-download-{lang}")
    page.check("input[name=ids][value='2598663']")
    with page.expect_download() as info:
        page.click("button[value=xlsx]")
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as fh:
        sheet = openpyxl.load_workbook(io.BytesIO(fh.read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][1] == "2598663"
