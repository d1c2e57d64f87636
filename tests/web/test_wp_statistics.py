"""WebPortal manual, STATISTICS, in a real browser (French and English, desktop and phone):
type the Start and End dates, choose a time of day and a day of the week ("Monday from
8:00am to 12:00pm"), "Retrieve Stats", read the statistics rows, then "Open in Excel" and
"Email Report" and find the same figures in the file."""

import datetime as dt
import re

import pytest

from tests.stats.smtp import smtp_inbox  # noqa: F401, F811
from tests.web.wp_flows import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    as_text,
    downloaded,
    language_of,
    local_today,
    open_section,
    plain,
    press,
    sign_in,
    workbook_values,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_monday() -> dt.date:
    today = local_today()
    return today - dt.timedelta(days=today.weekday() or 7)


def calls_around(monday: dt.date) -> list[dict]:
    """Three answered calls on Monday between 8:00 and 12:00 (one at 8:30, two at 9:15,
    one of them waiting 40 s); and calls the filters leave out: Monday at 7:50 and 13:00,
    Tuesday at 9:15."""
    from tests.stats.examples import answered

    def at(day, hour, minute):
        return dt.datetime.combine(day, dt.time(hour, minute))

    tuesday = monday + dt.timedelta(days=1)
    return [
        answered(5.0, at=at(monday, 8, 30)),
        answered(5.0, at=at(monday, 9, 15)),
        answered(40.0, at=at(monday, 9, 15)),
        answered(5.0, at=at(monday, 7, 50)),
        answered(5.0, at=at(monday, 13, 0)),
        answered(5.0, at=at(tuesday, 9, 15)),
    ]


@pytest.mark.parametrize("phone,locale", BROWSERS, ids=BROWSER_IDS)
def test_retrieve_the_stats_of_monday_mornings_open_in_excel_and_email(
    phone,
    locale,
    live_server,
    new_page,
    make_account,
    make_user,
    smtp_inbox,  # noqa: F811
    axe,
    shoot,
):
    from portal.calls.services import ingest_calls

    language = language_of(locale)
    w = WORDS[language]
    account = make_account("4000", "TEST", language=language)
    make_user("alice", account, language=language, email="alice@example.com")
    monday = last_monday()
    ingest_calls(calls_around(monday))
    name = f"wp-statistics-{'phone' if phone else 'desktop'}-{language}"

    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, language)
    open_section(page, w["stats"], phone)
    page.get_by_role("heading", name=w["stats"], level=1).wait_for()
    axe(page)

    # 1) the dates, 2) Monday from 8:00 to 12:00, 3) Retrieve Stats.
    page.get_by_label(w["from"], exact=True).fill(monday.isoformat())
    page.get_by_label(w["to"], exact=True).fill((monday + dt.timedelta(days=1)).isoformat())
    page.get_by_label(w["after"]).fill("08:00")
    page.get_by_label(w["before"]).fill("12:00")
    page.get_by_label(w["weekday"]).select_option(label=w["monday"])
    press(page.get_by_role("button", name=w["retrieve_stats"]), phone, navigates=True)
    page.wait_for_load_state()

    def figure(label):
        table = page.get_by_role("table", name=w["stats"], exact=True)
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=label, exact=True)
        )
        return [plain(c) for c in row.locator("td.num").all_inner_texts()]

    assert figure(w["total_incoming"]) == ["3", "100.0 %" if language == "en" else "100,0 %"]
    assert figure(w["within"])[0] == "2"
    # The chart's legend reads the same way: the reader's decimal mark and colon.
    chart = page.get_by_role(
        "img",
        name=re.compile(
            "Share answered within 30 s"
            if language == "en"
            else "Part des appels répondus dans les 30 secondes"
        ),
    )
    legend = chart.locator("text").all_text_contents()
    if language == "en":
        assert legend == ["Within 30 s: 2 (66.7\u00a0%)", "After 30 s: 1 (33.3\u00a0%)"], legend
    else:
        assert legend == [
            "Dans les 30 s\u00a0: 2 (66,7\u00a0%)",
            "Après 30 s\u00a0: 1 (33,3\u00a0%)",
        ], legend
    header = plain(page.locator(".report-header").inner_text())
    assert w["monday"] in header
    press(page.get_by_text(w["tables"]), phone)
    hours = page.get_by_role("table", name=w["per_hour"])
    busy = {
        h: t
        for h, t, _a in (
            [c.strip() for c in row.split("\t")]
            for row in hours.locator("tbody tr").all_inner_texts()
        )
        if t != "0"
    }
    assert busy == {"08:00": "1", "09:00": "2"}, busy
    shoot(page, name)
    axe(page)

    # Open in Excel: the same rows.
    check_workbook(workbook_values(downloaded(page, w["excel"], phone)), w)

    # Email Report, to the login's address that the page offers.
    assert page.get_by_label(w["email_to"]).input_value() == "alice@example.com"
    press(page.get_by_role("button", name=w["email"]), phone, navigates=True)
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text=w["sent"]).inner_text() == w["sent"]
    assert len(smtp_inbox.messages) == 1
    body = plain(smtp_inbox.messages[0].get_body().get_content())
    colon = ": " if language == "en" else " : "  # French: a no-break space before the colon
    percent = "100.0 %" if language == "en" else "100,0 %"
    assert f"{w['total_incoming']}{colon}3 {percent}" in body and w["monday"] in body, body
    (attachment,) = smtp_inbox.attachments(smtp_inbox.messages[0])
    check_workbook(workbook_values(attachment[1]), w)


def check_workbook(values: list[list], w: dict) -> None:
    rows = {plain(as_text(r[0])): r[1:] for r in values if r and r[0] is not None}
    assert rows[w["total_incoming"]][0] == 3
    assert float(rows[w["total_incoming"]][1]) == 100.0
