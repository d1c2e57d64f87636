"""DST in forms, in a real browser (America/Toronto).

The Override dialog on the night the clocks go back (2027-11-07): 1:30 typed is asked about
("first 1:30 (EDT)" / "second 1:30 (EST)"), the chosen one is saved, and the rows of that day
show their offsets. English and French, desktop and phone, and once without JavaScript.
The back office's main flow: staff type 07:30 for a Toronto account and the shift starts at
07:30 Toronto time (read back in the list, with the zone).
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.oncall import services
from portal.oncall.models import Assignment, Shift
from tests.oncall.helpers import STAFF, contact
from tests.twofactor import staff_sign_in
from tests.web.oncall_steps import (
    CASES,
    PASSWORD,
    TORONTO,
    W,
    check,
    mode,
    open_filters,
    open_on_call,
    pick,
    press,
    row_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "search": "Search",
        "start_label": "11/06 7:30 pm",
        "end_label": "11/07 7:30 am EST",
        "repeated": "1:30 occurs twice on November 7 (the clocks go back an hour): choose which.",
        "first": "first 1:30 (EDT)",
        "second": "second 1:30 (EST)",
        "saved": "Luc Lambert covers 11/07 1:30 am EST – 11/07 7:30 am EST.",
        "override_row": "Override: Luc Lambert, 11/07 1:30 am EST – 11/07 7:30 am EST",
    },
    "fr": {
        "search": "Rechercher",
        "start_label": "06/11 19h30",
        "end_label": "07/11 7h30 EST",
        "repeated": "1h30 revient deux fois le 7 novembre (les horloges reculent d’une heure)"
        "\u00a0: choisissez laquelle.",
        "first": "1h30, la première fois (EDT)",
        "second": "1h30, la seconde fois (EST)",
        "saved": "Luc Lambert remplace du 07/11 1h30 EST au 07/11 7h30 EST.",
        "override_row": "Remplacement\u00a0: Luc Lambert, 07/11 1h30 EST – 07/11 7h30 EST",
    },
}
START = dt.datetime(2027, 11, 6, 19, 30, tzinfo=TORONTO)
END = dt.datetime(2027, 11, 7, 7, 30, tzinfo=TORONTO)  # 25 hours after a 7:30 the day before


def the_night_of_the_change(make_account, make_user, lang):
    account = make_account("4000", "TEST", language=lang)
    make_user(f"client-{lang}", account)
    anthony = contact(account, "anthony", "Anthony Giosi")
    contact(account, "luc", "Luc Lambert")
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    shift, _ = services.upsert_shift(schedule, "fall", start=START, end=END, actor=STAFF)
    services.assign(shift, anthony, actor=STAFF)
    return shift


def show_the_night(pg, lang, phone):
    w, d = W[lang], WORDS[lang]
    open_filters(pg, w, phone)
    pg.get_by_label(w["search_date"]).fill("2027-11-06")
    pg.get_by_role("button", name=d["search"], exact=True).click()
    expect(row_of(pg, w, d["start_label"])).to_be_visible()
    # The day of the change: the row's end says which 7:30 (EST, after the change).
    expect(row_of(pg, w, d["start_label"])).to_contain_text(d["end_label"])


@pytest.mark.parametrize(("lang", "phone"), CASES)
def test_the_override_dialog_asks_which_1_30(
    lang, phone, make_account, make_user, new_page, live_server, shoot, axe
):
    w, d = W[lang], WORDS[lang]
    shift = the_night_of_the_change(make_account, make_user, lang)
    name = f"oncall-dst-override-{lang}-{mode(phone)}"
    pg = open_on_call(new_page, live_server, lang, phone)
    show_the_night(pg, lang, phone)
    check(axe, pg, phone)

    pick(pg, w, d["start_label"])
    dialog = press(pg, w, "override")
    dialog.get_by_label(w["start_time"]).fill("2027-11-07T01:30")
    dialog.get_by_label(w["end_time"]).fill("2027-11-07T07:30")
    dialog.get_by_label(w["covering"]).select_option(label="Luc Lambert")
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    # 1:30 that night happens twice: the dialog says so and asks which; nothing is saved.
    expect(dialog.get_by_role("alert")).to_have_text(d["repeated"])
    expect(dialog.get_by_label(d["first"])).to_be_visible()
    expect(dialog.get_by_label(d["second"])).to_be_visible()
    assert dialog.get_by_label(w["start_time"]).input_value() == "2027-11-07T01:30"
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()
    shoot(pg, f"{name}-1-which")
    check(axe, pg, phone)

    dialog.get_by_label(d["second"]).check()
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    expect(pg.get_by_text(d["saved"])).to_be_visible()
    override = Assignment.objects.get(kind=Assignment.OVERRIDE)
    assert override.start == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)  # 1:30 EST
    assert override.shift_id == shift.pk
    expect(row_of(pg, w, d["start_label"])).to_contain_text(d["override_row"])
    shoot(pg, f"{name}-2-saved")
    check(axe, pg, phone)


def test_the_override_dialog_asks_which_1_30_without_javascript(
    browser, make_account, make_user, live_server, shoot
):
    lang, w, d = "en", W["en"], WORDS["en"]
    the_night_of_the_change(make_account, make_user, lang)
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="en-US", java_script_enabled=False
    )
    try:
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        pg.goto(f"{live_server.url}/login/")
        pg.get_by_label(w["user"]).fill("client-en")
        pg.get_by_label(w["password"]).fill(PASSWORD)
        pg.get_by_role("button", name=w["enter"]).click()
        nav = pg.get_by_role("navigation", name=w["sections"])
        nav.get_by_role("link", name=w["oncall"]).click()
        show_the_night(pg, lang, phone=False)
        pg.get_by_label(w["select"].format(d["start_label"]), exact=True).check()
        pg.get_by_role("toolbar", name=w["actions"]).get_by_role(
            "button", name=w["override"], exact=True
        ).click()
        # Without JavaScript the dialog is a page of its own.
        expect(pg.get_by_role("heading", name=w["dialog_override"])).to_be_visible()
        pg.get_by_label(w["start_time"]).fill("2027-11-07T01:30")
        pg.get_by_label(w["covering"]).select_option(label="Luc Lambert")
        pg.get_by_role("button", name=w["save"], exact=True).click()
        expect(pg.get_by_role("alert")).to_have_text(d["repeated"])
        # (No axe here: it runs as a script, and this page has none; the same dialog is
        # checked by axe in the test above.)
        shoot(pg, "oncall-dst-override-nojs-which")
        pg.get_by_label(d["first"]).check()
        pg.get_by_role("button", name=w["save"], exact=True).click()
        first = "Luc Lambert covers 11/07 1:30 am EDT – 11/07 7:30 am EST."
        expect(pg.get_by_text(first)).to_be_visible()
        override = Assignment.objects.get(kind=Assignment.OVERRIDE)
        assert override.start == dt.datetime(2027, 11, 7, 5, 30, tzinfo=dt.UTC)  # 1:30 EDT
    finally:
        context.close()


def test_staff_type_7_30_for_a_toronto_account(
    make_account, make_user, new_page, live_server, shoot, axe
):
    account = make_account("4000", "TEST")
    services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    other = make_account("4001", "CLINIQUE")
    services.upsert_schedule(other, "01", "01 Horaire", actor=STAFF)
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    pg = new_page()
    pg.goto(f"{live_server.url}/admin/")
    staff_sign_in(pg, staffer)  # password, then the code (tests/twofactor.py)
    pg.get_by_role("link", name="Shifts", exact=True).click()
    pg.get_by_role("link", name="Add shift").click()
    # The schedule picker names each schedule's account.
    pg.get_by_label("Schedule:").select_option(label="4000-TEST · 01 Horaire")
    pg.get_by_label("Start, date").fill("2027-05-03")
    pg.get_by_label("Start, time").fill("07:30")
    pg.get_by_label("End, date").fill("2027-05-10")
    pg.get_by_label("End, time").fill("07:30")
    pg.get_by_label("Shift id:").fill("may-3")
    pg.get_by_role("button", name="Save", exact=True).click()
    expect(pg.locator(".messagelist .success")).to_be_visible()
    # The list reads it back in the account's zone, with the zone.
    row = pg.get_by_role("row").filter(has_text="2027-05-03 07:30 EDT (America/Toronto)")
    expect(row).to_contain_text("4000-TEST · 01 Horaire")
    shoot(pg, "back-office-shift-7-30-toronto")
    shift = Shift.objects.get(external_id="may-3")
    assert shift.start == dt.datetime(2027, 5, 3, 7, 30, tzinfo=TORONTO)
    assert shift.start.astimezone(dt.UTC).hour == 11  # not the 7:30 UTC of before
    # Its page shows the same 07:30, typed and read in Toronto; the id is fixed.
    row.get_by_role("link").first.click()
    expect(pg.get_by_label("Start, time")).to_have_value("07:30:00")
    expect(pg.locator(".field-start")).to_contain_text("2027-05-03 07:30 EDT (America/Toronto)")
    expect(pg.get_by_label("Shift id:")).to_have_count(0)
    axe(pg, "#content-main")


def test_staff_enter_the_repeated_and_the_skipped_hours(
    make_account, make_user, new_page, live_server, shoot, axe
):
    account = make_account("4000", "TEST")
    services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    pg = new_page()
    pg.goto(f"{live_server.url}/admin/oncall/shift/")
    staff_sign_in(pg, staffer)  # password, then the code (tests/twofactor.py)
    pg.get_by_role("link", name="Add shift").click()
    pg.get_by_label("Schedule:").select_option(label="4000-TEST · 01 Horaire")
    pg.get_by_label("Shift id:").fill("night")
    # The skipped March hour: refused with a message that says so.
    pg.get_by_label("Start, date").fill("2027-03-14")
    pg.get_by_label("Start, time").fill("02:30")
    pg.get_by_label("End, date").fill("2027-03-14")
    pg.get_by_label("End, time").fill("07:30")
    pg.get_by_role("button", name="Save", exact=True).click()
    expect(pg.locator(".errorlist")).to_contain_text(
        "2:30 does not exist on March 14: the clocks go from 2:00 to 3:00."
    )
    # The repeated November hour: the form asks which one.
    pg.get_by_label("Start, date").fill("2027-11-07")
    pg.get_by_label("Start, time").fill("01:30")
    pg.get_by_label("End, date").fill("2027-11-07")
    pg.get_by_role("button", name="Save", exact=True).click()
    expect(pg.locator(".errorlist")).to_contain_text("1:30 occurs twice on November 7")
    shoot(pg, "back-office-shift-which-1-30")
    axe(pg, "#content-main")
    pg.get_by_label("second 1:30 (EST)").check()
    pg.get_by_role("button", name="Save", exact=True).click()
    expect(pg.locator(".messagelist .success")).to_be_visible()
    expect(
        pg.get_by_role("row").filter(has_text="2027-11-07 01:30 EST (America/Toronto)")
    ).to_be_visible()
    shift = Shift.objects.get(external_id="night")
    assert shift.start == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)
