"""In a real browser: "Open in Excel" on the Call Log and on Billable Calls gives a workbook
whose totals are the ones the page shows, with no cell stored as a formula, in English on a
desktop and in French on a phone."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.billing.services import ingest_billable
from tests.calls.helpers import make_call
from tests.web.call_log_flow import LOCALES, LOGIN, PASSWORD, WORDS, open_call_log

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NASTY = ['=HYPERLINK("http://x","y")', "+1-514", "@SUM(A1)"]
EXCEL = {"en": "Open in Excel", "fr": "Ouvrir dans Excel"}
TOTAL = {"en": "Total Duration", "fr": "Durée totale"}
CASES = [("en", False), ("fr", True)]


def number(text: str) -> float:
    """A figure as the page writes it (1,234.5 or 1 234,5) as a number."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    return float(text.replace(",", ".") if "." not in text else text.replace(",", ""))


def workbook(download):
    with open(download.value.path(), "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row), [c.value for c in row]
    return wb


@pytest.mark.parametrize(("lang", "phone"), CASES)
def test_the_call_log_file_has_the_total_duration_the_page_shows(
    new_page, live_server, make_account, make_user, axe, shoot, lang, phone
):
    account = make_account("4000", "TEST")
    make_user(f"xl-{lang}", account, language=lang)
    for i, name in enumerate(NASTY):
        make_call(
            account,
            ago=dt.timedelta(minutes=10 + 5 * i),
            caller_name=name,
            duration_s=[291, 95.4, 3725][i],
        )
    page = new_page(phone=phone, locale=LOCALES[lang])
    open_call_log(page, live_server, f"xl-{lang}", lang, phone=phone)
    # The page's own defaults ("Previous hour" is checked): press the search button (on a
    # phone the criteria are folded into one bar, opened first).
    if phone:
        page.get_by_text(WORDS[lang]["criteria"], exact=True).click()
    page.get_by_role("button", name=WORDS[lang]["search"]).click()
    page.wait_for_load_state()
    grand = page.locator(".grand-total")
    grand.wait_for()
    assert TOTAL[lang] in grand.inner_text()
    shown = number(grand.locator("strong").inner_text())
    assert shown == 68.5  # 4.9 + 1.6 + 62.1 minutes
    axe(page)
    shoot(page, f"excel-call-log-{lang}")
    with page.expect_download() as download:
        page.get_by_role("link", name=EXCEL[lang]).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    ws = workbook(download).active
    [total] = [r for r in ws.iter_rows(values_only=True) if r[0] == TOTAL[lang]]
    assert total[2] == shown
    calls = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[9]]
    assert sorted(r[8] for r in calls) == sorted(NASTY)
    assert [r[1] for r in calls] == [
        dt.timedelta(seconds=s) for s in (291, 95, 3725)
    ]  # newest first, as the page lists them
    started = calls[0][0]
    assert isinstance(started, dt.datetime) and started.tzinfo is None


@pytest.mark.parametrize(("lang", "phone"), CASES)
def test_the_billable_file_has_the_totals_the_page_shows(
    new_page, live_server, make_account, make_user, axe, shoot, lang, phone
):
    account = make_account("4000", "TEST")
    make_user(f"bx-{lang}", account, language=lang)
    today = timezone.now().astimezone(account.tz)
    at = today.replace(hour=0, minute=5, second=0, microsecond=0)
    ingest_billable(
        [
            {
                "transaction_id": f"T-{i}",
                "account": "4000",
                "at": (at + dt.timedelta(minutes=i)).isoformat(),
                "description": "Message",
                "number": NASTY[i],
                "caller_name": NASTY[(i + 1) % 3],
                "agent": "CL2",
                "statistic_s": s,
            }
            for i, s in enumerate([90, 195, 121])
        ]
    )
    page = new_page(phone=phone, locale=LOCALES[lang])
    page.goto(f"{live_server.url}/login/")
    user_name, password, enter = LOGIN[lang]
    page.get_by_label(user_name, exact=True).fill(f"bx-{lang}")
    page.get_by_label(password, exact=True).fill(PASSWORD)
    page.get_by_role("button", name=enter, exact=True).click()
    page.wait_for_url("**/a/*/")
    if phone:
        page.get_by_role("button", name="Menu").click()
    menu = {"en": "Billable Calls", "fr": "Appels facturables"}[lang]
    page.get_by_role("navigation").get_by_role("link", name=menu).click()
    page.wait_for_url("**/billable/**")
    retrieve = {"en": "Retrieve Calls", "fr": "Afficher les appels"}[lang]
    page.get_by_role("button", name=retrieve).click()
    page.wait_for_load_state()
    totals = page.locator("#billable-totals")
    shown = [
        number(totals.locator(f'[data-total="{key}"]').inner_text())
        for key in ("calls", "stats", "average")
    ]
    assert shown == [3, 6.77, 2.26]
    axe(page)
    shoot(page, f"excel-billable-{lang}")
    with page.expect_download() as download:
        page.get_by_role("link", name=EXCEL[lang]).click()
    ws = workbook(download).active
    rows = list(ws.iter_rows(values_only=True))
    assert [r[1] for r in rows[-3:]] == shown
    calls = [r for r in rows if isinstance(r[0], dt.datetime)]
    assert sorted(r[2] for r in calls) == sorted(NASTY)
    assert sorted(r[5] for r in calls) == [dt.timedelta(seconds=s) for s in (90, 121, 195)]
