"""In a real browser, with the task queue for real: Billable Calls' "Email Report" answers at
once and the report reaches the real SMTP server by a `celery -A portal worker` process on
Redis (English and French; axe)."""

import datetime as dt
import time

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port
from tests.stats.smtp import Inbox
from tests.web.wp_flows import (
    TORONTO,
    WORDS,
    language_of,
    last_cycle,
    local_today,
    open_section,
    press,
    sign_in,
    workbook_values,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker_mail(task_queue):
    """The worker of this module and the real SMTP server it sends through."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    worker = task_queue.start_worker(EMAIL_URL=f"smtp://127.0.0.1:{controller.port}")
    yield inbox, worker
    controller.stop()


@pytest.mark.parametrize("locale", ["en-US", "fr-CA"])
def test_email_report_is_sent_by_the_worker(
    locale, worker_mail, live_server, new_page, make_account, make_user, axe
):
    from portal.billing.services import ingest_billable

    inbox, worker = worker_mail
    inbox.messages.clear()
    language = language_of(locale)
    w = WORDS[language]
    account = make_account("4000", "TEST", language=language)
    make_user("alice", account, language=language, email="alice@example.com")
    start, end = last_cycle(local_today())
    at = dt.datetime.combine(end, dt.time(21, 30), tzinfo=TORONTO)
    ingest_billable(
        [
            {
                "transaction_id": "T1",
                "account": "4000",
                "at": at.isoformat(),
                "description": "Call",
                "number": "5145550123",
                "caller_name": "Luc",
                "agent": "CL2",
                "statistic_s": 90,
            }
        ]
    )

    page = new_page(locale=locale)
    sign_in(page, live_server, language)
    open_section(page, w["billable"], phone=False)
    page.get_by_label(w["from"], exact=True).fill(start.isoformat())
    page.get_by_label(w["to"], exact=True).fill(end.isoformat())
    page.get_by_role("button", name=w["retrieve_calls"]).click()
    page.wait_for_load_state()
    assert page.get_by_label(w["email_to"]).input_value() == "alice@example.com"
    press(page.get_by_role("button", name=w["email"]), False, navigates=True)
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text=w["sent"]).inner_text() == w["sent"]
    axe(page)

    deadline = time.monotonic() + 30
    while not inbox.messages:
        assert time.monotonic() < deadline, "the worker did not send the report"
        time.sleep(0.1)
    [message] = inbox.messages
    assert message["To"] == "alice@example.com"
    [(name, content)] = inbox.attachments(message)
    cells = [c for row in workbook_values(content) for c in row]
    assert f"{end} 21:30:00" in [str(c) for c in cells], cells
    # The worker, not this process, sent it.
    assert b"portal.tasks.send_report" in worker.log.read_bytes()
