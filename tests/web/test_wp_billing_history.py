"""WebPortal manual, BILLING HISTORY, in a real browser (French and English, desktop and
phone): "1) enter your account number or billing number. 2) Click on 'Retrieve Billing
History'", then read the statements."""

import datetime as dt

import pytest

from tests.web.wp_flows import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    language_of,
    open_section,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"


def statement(billing_number: str, day: dt.date, prefix: str, charge: str) -> list[dict]:
    """A statement as the manual shows one: services, minutes, SUBTOTAL, NEW CHARGES,
    NEW BALANCE (sent in another order: the page puts them in the manual's)."""
    lines = [
        ("new_balance", "NEW BALANCE 04-134681", "1234.56"),
        ("charge", "Call Center Services", charge),
        ("charge", "0 minutes from 20 February to 19 March", "0.00"),
        ("subtotal", "SUBTOTAL 04-134681", charge),
        ("new_charges", "NEW CHARGES 04-134681", charge),
        ("balance", "Balance brought forward", "1200.00"),
    ]
    return [
        {
            "line_id": f"{prefix}-{i}",
            "billing_number": billing_number,
            "date": day.isoformat(),
            "description": text,
            "amount": amount,
            "kind": kind,
        }
        for i, (kind, text, amount) in enumerate(lines)
    ]


def rows_of(table) -> list[list[str]]:
    return [
        [c.replace(NBSP, " ").strip() for c in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


@pytest.mark.parametrize("phone,locale", BROWSERS, ids=BROWSER_IDS)
def test_retrieve_the_billing_history_by_account_or_billing_number(
    phone, locale, live_server, new_page, make_account, make_user, axe, shoot
):
    from portal.billing.services import ingest_billing_lines

    language = language_of(locale)
    w = WORDS[language]
    account = make_account("4000", "TEST", billing_number="784000", language=language)
    make_account("5000", "OTHER", billing_number="785000")  # not this login's
    make_user("alice", account, language=language, email="alice@example.com")
    ingest_billing_lines(
        statement("784000", dt.date(2026, 10, 1), "oct", "34.56")
        + statement("784000", dt.date(2026, 11, 1), "nov", "1034.50")
        + statement("785000", dt.date(2026, 11, 1), "other", "99.99")
    )
    name = f"wp-billing-history-{'phone' if phone else 'desktop'}-{language}"

    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, language)
    open_section(page, w["billing"], phone)
    page.get_by_role("heading", name=w["billing"], level=1).wait_for()
    axe(page)

    # 1) the account number, 2) Retrieve Billing History.
    page.get_by_label(w["number"]).fill("4000")
    page.get_by_role("button", name=w["retrieve_history"]).click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=2).first.inner_text().replace(NBSP, " ")
    assert heading == w["billing_id"] + "784000"
    tables = page.locator("section table")
    assert tables.count() == 2  # newest statement first
    money = {
        "en": ["$1,200.00", "$1,034.50", "$0.00", "$1,034.50", "$1,034.50", "$1,234.56"],
        "fr": ["1 200,00 $", "1 034,50 $", "0,00 $", "1 034,50 $", "1 034,50 $", "1 234,56 $"],
    }[language]
    day = "11/01/2026" if language == "en" else "01/11/2026"
    assert rows_of(tables.nth(0)) == [
        [day, "Balance brought forward", money[0]],
        [day, "Call Center Services", money[1]],
        [day, "0 minutes from 20 February to 19 March", money[2]],
        [day, "SUBTOTAL 04-134681", money[3]],
        [day, "NEW CHARGES 04-134681", money[4]],
        [day, "NEW BALANCE 04-134681", money[5]],
    ]
    assert "OTHER" not in page.locator("main").inner_text()
    shoot(page, name)
    axe(page)

    # The billing number works the same; another login's number finds nothing.
    page.get_by_label(w["number"]).fill("784000")
    page.get_by_role("button", name=w["retrieve_history"]).click()
    page.wait_for_load_state()
    assert page.locator("section table").count() == 2
    page.get_by_label(w["number"]).fill("785000")
    page.get_by_role("button", name=w["retrieve_history"]).click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text() == w["no_history"]
    assert page.locator("section table").count() == 0
    assert "99.99" not in page.content() and "99,99" not in page.content()
    axe(page)
