"""In a real browser, with the task queue for real: a Call Log search typed by its labels,
"Open in Excel" above the threshold (lowered for the test) lands on the export's page with
its progress bar, which turns into "Download" once the `celery -A portal worker` process on
Redis has built the workbook; the file has the searched calls and none other. English on a
desktop, French on a phone; axe on both states."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.calls.services import ingest_calls
from tests.web.call_log_flow import LOCALES, WORDS, open_call_log

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 4000
SAY = {
    "en": {
        "excel": "Open in Excel",
        "preparing": "Preparing your export…",
        "ready": "Your export is ready",
        "download": "Download",
        "recent": "Your recent exports",
        "start": "Start",
    },
    "fr": {
        "excel": "Ouvrir dans Excel",
        "preparing": "Préparation de votre export…",
        "ready": "Votre export est prêt",
        "download": "Télécharger",
        "recent": "Vos exports récents",
        "start": "Début",
    },
}


@pytest.fixture(scope="module")
def worker(task_queue):
    return task_queue.start_worker(PORTAL_EXPORT_PROGRESS_EVERY="100")


@pytest.fixture
def shared_media(settings, task_queue):
    """The live server reads the worker's storage."""
    settings.MEDIA_ROOT = task_queue.data_dir / "media"
    settings.PORTAL_EXPORT_INLINE_ROWS = 1000


def calls(account, caller: str, n: int, first: int) -> None:
    now = timezone.now()
    for start in range(first, first + n, 1000):
        ingest_calls(
            [
                {
                    "call_id": f"{caller[-4:]}-{i}",
                    "account": account.number,
                    "started_at": (now - dt.timedelta(minutes=5, seconds=i * 3)).isoformat(),
                    "duration_s": 30 + i % 400,
                    "agent": "F-CAROLANE",
                    "caller_id": caller,
                }
                for i in range(start, min(start + 1000, first + n))
            ]
        )


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("fr", True)])
def test_a_big_call_log_workbook_is_prepared_then_downloaded(
    lang, phone, worker, shared_media, live_server, new_page, make_account, make_user, axe, shoot
):
    account = make_account("4000", "TEST")
    make_user(f"big-{lang}", account, language=lang)
    calls(account, "5149150123", ROWS, 0)
    calls(account, "4385550000", 50, ROWS)  # another caller: not searched
    w, say = WORDS[lang], SAY[lang]
    page = new_page(phone=phone, locale=LOCALES[lang])
    open_call_log(page, live_server, f"big-{lang}", lang, phone=phone)
    if phone:
        page.get_by_text(w["criteria"], exact=True).click()
    page.get_by_label(w["caller"]).fill("(514) 915-0123")
    page.get_by_role("button", name=w["search"]).click()
    page.wait_for_load_state()

    page.get_by_role("link", name=say["excel"]).click()
    page.wait_for_url("**/exports/*/")
    bar = page.get_by_label(say["preparing"])
    assert bar.evaluate("e => e.tagName") == "PROGRESS"
    assert 0 <= float(bar.get_attribute("value")) < 100
    axe(page)
    shoot(page, f"export-preparing-{lang}")

    # htmx asks every second; the bar becomes the download.
    download_link = page.get_by_role("link", name=say["download"], exact=True)
    download_link.wait_for(timeout=60_000)
    assert page.get_by_role("status").filter(has_text=say["ready"]).is_visible()
    assert page.get_by_role("heading", name=say["recent"]).is_visible()
    axe(page)
    shoot(page, f"export-ready-{lang}")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("call-log-4000-")
    with open(download.value.path(), "rb") as fh:
        ws = load_workbook(io.BytesIO(fh.read()), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == say["start"]
    searched = [r for r in rows[1:] if len(r) > 9 and r[9]]
    assert len(searched) == ROWS
    assert {r[7] for r in searched} == {"5149150123"}


def test_without_javascript_the_page_refreshes_itself_until_the_download(
    worker, shared_media, live_server, browser, make_account, make_user
):
    account = make_account("4000", "TEST")
    make_user("nojs", account, language="en")
    calls(account, "5149150123", ROWS, 0)
    w, say = WORDS["en"], SAY["en"]
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        open_call_log(page, live_server, "nojs", "en")
        page.get_by_label(w["caller"]).fill("514 915 0123")
        page.get_by_role("button", name=w["search"]).click()
        page.get_by_role("link", name=say["excel"]).click()
        page.wait_for_url("**/exports/*/")
        assert page.get_by_label(say["preparing"]).evaluate("e => e.tagName") == "PROGRESS"
        # No script runs: the <noscript> refresh reloads the page until the file is there.
        download_link = page.get_by_role("link", name=say["download"], exact=True)
        download_link.wait_for(timeout=60_000)
        with page.expect_download() as download:
            download_link.click()
        with open(download.value.path(), "rb") as fh:
            ws = load_workbook(io.BytesIO(fh.read()), read_only=True).active
        assert (
            len([r for r in ws.iter_rows(min_row=2, values_only=True) if len(r) > 9 and r[9]])
            == ROWS
        )
    finally:
        context.close()
