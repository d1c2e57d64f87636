"""Staff change an account's time zone in the back office: the client's statistics follow
(the calls' local date and hour are worked out again, as the API's change does)."""

import datetime as dt

import pytest

from tests.twofactor import staff_sign_in
from tests.web.wp_flows import TORONTO, WORDS, local_today, open_section, plain, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


def busy_hours(page) -> dict[str, str]:
    w = WORDS["en"]
    page.get_by_text(w["tables"]).click()
    table = page.get_by_role("table", name=w["per_hour"])
    rows = [
        [plain(c).strip() for c in r.split("\t")]
        for r in table.locator("tbody tr").all_inner_texts()
    ]
    return {hour: total for hour, total, _answered in rows if total != "0"}


def retrieve_stats(page, day: dt.date) -> None:
    w = WORDS["en"]
    page.get_by_label(w["from"], exact=True).fill(day.isoformat())
    page.get_by_label(w["to"], exact=True).fill(day.isoformat())
    page.get_by_role("button", name=w["retrieve_stats"]).click()
    page.wait_for_load_state()


def test_a_new_time_zone_in_the_back_office_moves_the_statistics(
    new_page, live_server, make_account, make_user, axe, shoot
):
    from portal.calls.services import ingest_calls
    from tests.stats.examples import answered

    account = make_account("4000", "TEST")
    make_user("alice", account, email="alice@example.com")
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    day = local_today() - dt.timedelta(days=3)
    evening = dt.datetime.combine(day, dt.time(21, 30))
    ingest_calls([answered(5.0, at=evening)])

    client = new_page()
    sign_in(client, live_server, "en")
    open_section(client, WORDS["en"]["stats"], phone=False)
    retrieve_stats(client, day)
    assert busy_hours(client) == {"21:00": "1"}

    staff = new_page()
    staff.goto(f"{live_server.url}/admin/")
    staff_sign_in(staff, staffer)  # password, then the code (tests/twofactor.py)
    staff.get_by_role("link", name="Client accounts", exact=True).click()
    staff.get_by_role("link", name="4000", exact=True).click()
    zone = staff.get_by_label("Time zone")
    assert zone.input_value() == "America/Toronto"
    zone.fill("America/Vancouver")
    staff.get_by_role("button", name="Save", exact=True).click()
    staff.locator(".messagelist .success").wait_for()
    shoot(staff, "back-office-time-zone")

    # The same call, 21:30 in Toronto, is 18:30 in Vancouver: the client's statistics say so.
    client.reload()
    client.wait_for_load_state()
    assert busy_hours(client) == {"18:00": "1"}
    shoot(client, "statistics-after-time-zone-change")
    axe(client, "main section")
    account.refresh_from_db()
    assert account.timezone == "America/Vancouver"
    assert evening.replace(tzinfo=TORONTO).astimezone(account.tz).hour == 18
