"""WebPortal manual, BILLABLE CALLS, in a real browser (French and English, desktop and
phone): type the Start and End dates of a billing cycle (20th → 19th), "Retrieve Calls",
read the seven calls and "Total Calls: 7 Total Stats: 13.75 Average Stat/Call: 1.96", then
"Open in Excel" and "Email Report" and find the same figures and times in the file."""

import datetime as dt

import pytest

from tests.stats.smtp import smtp_inbox  # noqa: F401, F811
from tests.web.wp_flows import (
    BROWSER_IDS,
    BROWSERS,
    TORONTO,
    WORDS,
    as_text,
    downloaded,
    language_of,
    last_cycle,
    local_today,
    open_section,
    press,
    sign_in,
    workbook_values,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The manual's example: agents and billed times; the last call is the cycle's last evening.
SEED = [("CL2", 90), ("SY1", 195), ("JL1", 120), ("CL1", 45), ("ST1", 90), ("MJ1", 135)]
SEED += [("JE1", 150)]


def billable_calls(end: dt.date) -> list[tuple[dt.datetime, str, int]]:
    """The seven calls of the manual in the cycle's last five days, the last at 21:30 on
    the 19th (already the 20th in UTC); and one at 00:15 on the 20th, in the next cycle."""
    calls = []
    for i, (agent, seconds) in enumerate(SEED):
        day = end - dt.timedelta(days=4 - min(i, 4))
        at = dt.time(21, 30) if i == len(SEED) - 1 else dt.time(9 + i, 5)
        calls.append((dt.datetime.combine(day, at, tzinfo=TORONTO), agent, seconds))
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 15), tzinfo=TORONTO)
    calls.append((after, "ZZ9", 600))
    return calls


@pytest.mark.parametrize("phone,locale", BROWSERS, ids=BROWSER_IDS)
def test_retrieve_the_billable_calls_of_a_cycle_open_in_excel_and_email(
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
    from portal.billing.services import ingest_billable

    language = language_of(locale)
    w = WORDS[language]
    account = make_account("4000", "TEST", language=language)
    make_user("alice", account, language=language, email="alice@example.com")
    start, end = last_cycle(local_today())
    calls = billable_calls(end)
    ingest_billable(
        [
            {
                "transaction_id": f"T{i}",
                "account": "4000",
                "at": at.isoformat(),
                "description": "Call",
                "number": "5145550123",
                "caller_name": "Luc",
                "agent": agent,
                "statistic_s": seconds,
            }
            for i, (at, agent, seconds) in enumerate(calls)
        ]
    )
    name = f"wp-billable-{'phone' if phone else 'desktop'}-{language}"

    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, language)
    open_section(page, w["billable"], phone)
    page.get_by_role("heading", name=w["billable"], level=1).wait_for()
    axe(page)

    # 1) the Start Date then the End Date, 2) Retrieve Calls.
    page.get_by_label(w["from"], exact=True).fill(start.isoformat())
    page.get_by_label(w["to"], exact=True).fill(end.isoformat())
    page.get_by_role("button", name=w["retrieve_calls"]).click()
    page.wait_for_load_state()
    rows = page.locator("section table tbody tr")
    assert rows.count() == 7
    agents = [row.locator("td").nth(4).inner_text() for row in rows.all()]
    stats = [row.locator("td").nth(5).inner_text() for row in rows.all()]
    assert agents == [a for a, _s in SEED]
    assert stats == ["01:30", "03:15", "02:00", "00:45", "01:30", "02:15", "02:30"]
    last = rows.nth(6).locator("td").first.inner_text()
    if language == "en":
        assert last == f"{end:%m/%d/%Y} 9:30 p.m."
    else:
        assert last == f"{end:%d/%m/%Y} 21:30"
    totals = page.locator("#billable-totals").inner_text().replace("\u00a0", " ")
    figures = ("7", "13.75", "1.96") if language == "en" else ("7", "13,75", "1,96")
    for label, figure in zip(
        (w["total_calls"], w["total_stats"], w["average"]), figures, strict=True
    ):
        assert f"{label} {figure}" in totals, totals
    shoot(page, name)
    axe(page)

    # Open in Excel: the same calls, times and totals.
    values = workbook_values(downloaded(page, w["excel"], phone))
    check_workbook(values, end, w)

    # Email Report: to the address the page offers (the login's), with the same file.
    assert page.get_by_label(w["email_to"]).input_value() == "alice@example.com"
    press(page.get_by_role("button", name=w["email"]), phone, navigates=True)
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text=w["sent"]).inner_text() == w["sent"]
    axe(page)
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "alice@example.com"
    body = message.get_body().get_content().replace("\u00a0", " ")
    total_stats = "13.75" if language == "en" else "13,75"
    assert f"{w['total_calls']} 7" in body and f"{w['total_stats']} {total_stats}" in body
    (attachment,) = smtp_inbox.attachments(message)
    check_workbook(workbook_values(attachment[1]), end, w)


def check_workbook(values: list[list], end: dt.date, w: dict) -> None:
    agents = {a for a, _s in SEED}
    calls = [r for r in values if len(r) > 4 and r[4] in agents]
    assert [r[4] for r in calls] == [a for a, _s in SEED]
    assert [as_text(r[5]) for r in calls] == [
        "01:30",
        "03:15",
        "02:00",
        "00:45",
        "01:30",
        "02:15",
        "02:30",
    ]
    assert as_text(calls[-1][0]) == f"{end:%Y-%m-%d} 21:30"
    assert not any("ZZ9" in as_text(c) for r in values for c in r)  # next cycle's call
    labelled = {
        as_text(r[0]).replace("\u00a0", " "): r[1]
        for r in values
        if r and r[0] is not None and len(r) > 1
    }
    assert labelled[w["total_calls"]] == 7
    assert float(labelled[w["total_stats"]]) == 13.75
    assert float(labelled[w["average"]]) == 1.96
