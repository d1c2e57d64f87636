"""In a real browser, the task run by the suite's worker before the page answers
(tests/taskqueue.py; in-process without Redis): above the threshold (lowered for the test) the
export's page shows Download at once. The Messages'
Excel button (its download script follows the answer to the export's page), and the Call
Log's "Open in Excel" with JavaScript off; English on a desktop, French on a phone, axe."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from portal.exports.models import ExportJob
from tests.calls.helpers import make_call, make_message
from tests.web.call_log_flow import LOCALES, LOGIN, PASSWORD
from tests.web.call_log_flow import WORDS as CALLS
from tests.web.inbox_pages import WORDS as INBOX
from tests.web.inbox_pages import retrieve, sign_in_and_open_inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAY = {
    "en": {"ready": "Your export is ready", "download": "Download", "excel": "Open in Excel"},
    "fr": {
        "ready": "Votre export est prêt",
        "download": "Télécharger",
        "excel": "Ouvrir dans Excel",
    },
}


@pytest.fixture
def low_threshold(settings):
    settings.PORTAL_EXPORT_INLINE_ROWS = 3


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("fr", True)])
def test_the_messages_excel_button_leads_to_the_ready_export(
    lang, phone, low_threshold, live_server, new_page, make_account, make_user, axe, shoot
):
    account = make_account("4000", "TEST")
    make_user(f"inbox-{lang}", account, language=lang)
    made = [make_message(account, subject=f"SUJET {i}") for i in range(5)]
    page = new_page(phone=phone, locale=LOCALES[lang])
    sign_in_and_open_inbox(page, live_server, f"inbox-{lang}", lang, phone=phone)
    if phone:  # the criteria are folded on a phone
        page.get_by_text(INBOX[lang]["criteria"], exact=True).click()
    retrieve(page, lang)
    page.get_by_role("button", name="Excel (.xlsx)").click()
    page.wait_for_url("**/exports/*/")
    assert page.get_by_role("status").filter(has_text=SAY[lang]["ready"]).is_visible()
    assert page.get_by_role("link", name=f"← {INBOX[lang]['back']}").is_visible()
    axe(page)
    shoot(page, f"export-messages-ready-{lang}")
    with page.expect_download() as info:
        page.get_by_role("link", name=SAY[lang]["download"], exact=True).click()
    with open(info.value.path(), "rb") as fh:
        rows = list(
            openpyxl.load_workbook(io.BytesIO(fh.read())).active.iter_rows(values_only=True)
        )
    assert sorted(r[1] for r in rows[1:]) == sorted(m.message_id for m in made)
    assert ExportJob.objects.get().language == lang


def test_without_javascript_the_call_log_export_is_ready_at_once(
    low_threshold, live_server, browser, make_account, make_user
):
    account = make_account("4000", "TEST")
    make_user("nojs", account, language="en")
    for i in range(4):
        make_call(account, ago=dt.timedelta(minutes=5 + i))
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        user_name, password, enter = LOGIN["en"]
        page.get_by_label(user_name, exact=True).fill("nojs")
        page.get_by_label(password, exact=True).fill(PASSWORD)
        page.get_by_role("button", name=enter, exact=True).click()
        page.get_by_role("navigation").get_by_role("link", name=CALLS["en"]["menu"]).click()
        page.get_by_role("button", name=CALLS["en"]["search"]).click()
        page.get_by_role("link", name=SAY["en"]["excel"]).click()
        page.wait_for_url("**/exports/*/")
        assert page.get_by_text(SAY["en"]["ready"]).is_visible()
        with page.expect_download() as info:
            page.get_by_role("link", name="Download", exact=True).click()
        with open(info.value.path(), "rb") as fh:
            ws = openpyxl.load_workbook(io.BytesIO(fh.read())).active
        assert (
            len([r for r in ws.iter_rows(min_row=2, values_only=True) if len(r) > 9 and r[9]]) == 4
        )
    finally:
        context.close()


def test_a_csv_of_checked_messages_below_the_threshold_still_downloads_at_once(
    low_threshold, live_server, new_page, make_account, make_user
):
    account = make_account("4000", "TEST")
    make_user("few", account, language="en")
    made = [make_message(account) for _ in range(2)]
    page = new_page()
    sign_in_and_open_inbox(page, live_server, "few", "en")
    retrieve(page, "en")
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    with open(info.value.path(), encoding="utf-8-sig") as fh:
        assert sorted(r[1] for r in list(csv.reader(fh))[1:]) == sorted(m.message_id for m in made)
    assert not ExportJob.objects.exists()
