"""Issue 12 in a real browser, as a person does it: sign in through the form, open On Call from
the menu, choose the View and the date by their labels and press Search.

- The seed's example (miTeam manual, "01 Horaire"): Anthony Giosi on the shift 5/01 7:30 am –
  5/08 7:30 am, the day view of Monday, May 01 2023 reads "Total hours assigned: 16.50".
- The Timeline view: one row per contact with its hours, the gaps on their own row, over a week
  and then a day (its Period choice); its bars' times are text for screen readers.
- The home page on a phone: who is on call now and next, first, with tap-to-call and SMS.
English on a desktop and French on a phone; axe on every state.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.oncall import services
from tests.oncall.helpers import STAFF, contact, local, seed_schedule
from tests.web.oncall_steps import PASSWORD, W, check, label, open_filters, open_on_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MORE = {
    "en": {
        "search": "Search",
        "total": "Total hours assigned: 16.50",
        "timeline": "Timeline",
        "table": "Timeline table",
        "period": "Period",
        "nobody_row": "Nobody on call",
        "hours": ["88.50", "48.00", "31.50"],
        "day_hours": ["16.50", "7.50"],
        "base_text": "Base shift Rotation · OC: from 5/03 7:30 am to 5/08 7:30 am",
        "override_text": "Override Rotation · OC: from 5/01 7:30 am to 5/03 7:30 am",
        "next": "Next: Luc Lambert from {}",
        "home_until": "OC · until {}",
    },
    "fr": {
        "search": "Rechercher",
        "total": "Total des heures assignées\u00a0: 16,50",
        "timeline": "Chronologie",
        "table": "Tableau de la chronologie",
        "period": "Période",
        "nobody_row": "Personne de garde",
        "hours": ["88,50", "48,00", "31,50"],
        "day_hours": ["16,50", "7,50"],
        "base_text": "Quart de base Rotation · OC\u00a0: du 03/05 7h30 au 08/05 7h30",
        "override_text": "Remplacement Rotation · OC\u00a0: du 01/05 7h30 au 03/05 7h30",
        "next": "Ensuite\u00a0: Luc Lambert à partir du {}",
        "home_until": "OC · jusqu'au {}",
    },
}
CASES = [("en", False), ("fr", True)]


def the_seed(make_account, make_user, lang, override=False):
    """The seed's shifts, Anthony Giosi on the second, planned before they began (the
    services' clock then: the past is history); with `override`, Luc Lambert overrides him
    from 5/01 7:30 am to 5/03 7:30 am."""
    account = make_account("4000", "TEST", language=lang)
    make_user(f"client-{lang}", account)
    with services.clock_at(dt.datetime(2023, 1, 1, tzinfo=dt.UTC)):
        _schedule, _first, second, anthony, luc = seed_schedule(account)
        services.assign(second, anthony, actor=STAFF)
        if override:
            services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=STAFF)


def filters(pg, w, phone):
    """The criteria bar open (on a phone it folds after each page load: open it once)."""
    if not pg.get_by_label(w["schedules"], exact=True).is_visible():
        open_filters(pg, w, phone)


def choose(pg, w, phone, field, option):
    """Choose `option` in the select labelled `field`: the page reloads with it."""
    filters(pg, w, phone)
    with pg.expect_navigation():
        pg.get_by_label(field, exact=True).select_option(label=option)


def search_date(pg, w, m, phone, value):
    filters(pg, w, phone)
    pg.get_by_label(w["search_date"], exact=True).fill(value)
    with pg.expect_navigation():
        pg.get_by_role("button", name=m["search"], exact=True).click()


def timeline_rows(pg, m):
    """[(row header, hours)] of the timeline table, as the page shows them."""
    region = pg.get_by_role("region", name=m["table"])
    expect(region).to_be_visible()
    out = []
    for row in region.get_by_role("row").all()[1:]:
        out.append((row.get_by_role("rowheader").inner_text(), row.locator("td").last.inner_text()))
    return out


@pytest.mark.parametrize("lang, phone", CASES)
def test_the_seeds_day_view_reads_16_50(
    new_page, live_server, make_account, make_user, shoot, axe, lang, phone
):
    w, m = W[lang], MORE[lang]
    the_seed(make_account, make_user, lang)
    pg = open_on_call(new_page, live_server, lang, phone)
    choose(pg, w, phone, w["view"], w["day"])
    search_date(pg, w, m, phone, "2023-05-01")
    expect(pg.get_by_label(w["view"], exact=True)).to_have_value("day")
    total = pg.locator("p").filter(has_text=m["total"].split(":")[0].rstrip("\u00a0"))
    expect(total).to_have_text(m["total"])
    shoot(pg, f"oncall-hours-{lang}-{'phone' if phone else 'desktop'}")
    check(axe, pg, phone)


@pytest.mark.parametrize("lang, phone", CASES)
def test_the_timeline_rows_and_hours(
    new_page, live_server, make_account, make_user, shoot, axe, lang, phone
):
    w, m = W[lang], MORE[lang]
    the_seed(make_account, make_user, lang, override=True)
    pg = open_on_call(new_page, live_server, lang, phone)
    choose(pg, w, phone, w["view"], m["timeline"])
    filters(pg, w, phone)
    expect(pg.get_by_label(m["period"], exact=True)).to_have_value("week")  # its default
    search_date(pg, w, m, phone, "2023-05-01")
    # The week of Sunday 4/30: each contact's hours, and the first shift's end as a gap.
    assert timeline_rows(pg, m) == list(
        zip(["Anthony Giosi", "Luc Lambert", m["nobody_row"]], m["hours"], strict=True)
    )
    region = pg.get_by_role("region", name=m["table"])
    anthony = region.get_by_role("row").filter(
        has=pg.get_by_role("rowheader", name="Anthony Giosi")
    )
    expect(anthony.locator("li")).to_have_text([m["base_text"]])
    luc = region.get_by_role("row").filter(has=pg.get_by_role("rowheader", name="Luc Lambert"))
    expect(luc.locator("li")).to_have_text([m["override_text"]])
    # Bars are drawn: Anthony's base from 5/03, Luc's override, the gap in red.
    assert (
        anthony.locator("rect.tl-base").count() == 1
        and luc.locator("rect.tl-override").count() == 1
    )
    gap = region.locator("tr.tl-gaps rect.tl-gap")
    expect(gap).to_have_count(1)
    assert gap.evaluate("r => getComputedStyle(r).fill") == "rgb(180, 35, 24)"
    if phone:  # the table scrolls sideways inside its region, the page does not
        assert region.evaluate("r => r.scrollWidth > r.clientWidth")
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= 375
    shoot(pg, f"oncall-timeline-{lang}-{'phone' if phone else 'desktop'}-week")
    check(axe, pg, phone)

    choose(pg, w, phone, m["period"], w["day"])
    assert timeline_rows(pg, m) == list(
        zip(["Luc Lambert", m["nobody_row"]], m["day_hours"], strict=True)
    )
    expect(
        pg.locator("p").filter(has_text=m["total"].split(":")[0].rstrip("\u00a0"))
    ).to_contain_text(m["day_hours"][0])
    shoot(pg, f"oncall-timeline-{lang}-{'phone' if phone else 'desktop'}-day")
    check(axe, pg, phone)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_home_page_on_a_phone_shows_now_and_next(
    new_page, live_server, make_account, make_user, shoot, axe, lang
):
    w, m = W[lang], MORE[lang]
    account = make_account("4000", "TEST", language=lang)
    make_user(f"client-{lang}", account)
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    anthony = contact(
        account, "anthony", "Anthony Giosi", phone1="514 555-0101", sms="514 555 0199"
    )
    luc = contact(account, "luc", "Luc Lambert", phone1="514 555 0102")
    start = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    handover = start + dt.timedelta(days=2)
    for n, (who, s0, s1) in enumerate(
        ((anthony, start, handover), (luc, handover, handover + dt.timedelta(days=2)))
    ):
        shift, _ = services.upsert_shift(
            schedule, f"s{n}", start=s0, end=s1, actor=STAFF, role="OC"
        )
        services.assign(shift, who, actor=STAFF)

    pg = new_page(phone=True, locale=w["locale"])
    pg.goto(f"{live_server.url}/login/")
    pg.get_by_label(w["user"]).fill(f"client-{lang}")
    pg.get_by_label(w["password"]).fill(PASSWORD)
    pg.get_by_role("button", name=w["enter"]).click()
    pg.wait_for_url("**/a/4000/")
    block = pg.get_by_role("region", name=w["now"])
    expect(block).to_be_visible()
    assert block.bounding_box()["y"] < 812 / 2  # first on the page, without scrolling
    expect(block.get_by_text("Anthony Giosi")).to_be_visible()
    call = block.get_by_role("link", name="514\u00a0555-0101")
    expect(call).to_have_attribute("href", "tel:5145550101")
    assert call.bounding_box()["height"] >= 44  # a target a thumb can tap
    expect(block.get_by_role("link", name="514\u00a0555\u00a00199")).to_have_attribute(
        "href", "sms:5145550199"
    )
    when = label(handover, lang)
    expect(block).to_contain_text(m["home_until"].format(when))
    expect(block).to_contain_text(m["next"].format(when))
    shoot(pg, f"home-now-next-{lang}-phone")
    check(axe, pg, True)
    # Its link leads to the On Call page, whose block says the same.
    with pg.expect_navigation():
        block.get_by_role("link", name=w["oncall"], exact=False).last.click()
    expect(pg.get_by_role("region", name=w["now"])).to_contain_text(m["next"].format(when))
    check(axe, pg, True)


def test_the_timeline_without_javascript(browser, live_server, make_account, make_user, shoot, axe):
    """No script: the View and Period choices are sent by the Search button."""
    w, m = W["en"], MORE["en"]
    the_seed(make_account, make_user, "en", override=True)
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="en-US", java_script_enabled=False
    )
    pg = context.new_page()
    pg.goto(f"{live_server.url}/login/")
    pg.get_by_label(w["user"]).fill("client-en")
    pg.get_by_label(w["password"]).fill(PASSWORD)
    pg.get_by_role("button", name=w["enter"]).click()
    pg.wait_for_url("**/a/4000/")
    pg.get_by_role("navigation", name=w["sections"]).get_by_role("link", name=w["oncall"]).click()
    pg.wait_for_url("**/a/4000/oncall/")
    pg.get_by_label(w["view"], exact=True).select_option(label=m["timeline"])
    pg.get_by_label(w["search_date"], exact=True).fill("2023-05-01")
    pg.get_by_role("button", name=m["search"], exact=True).click()
    pg.wait_for_url("**view=timeline**")
    assert timeline_rows(pg, m) == list(
        zip(["Anthony Giosi", "Luc Lambert", m["nobody_row"]], m["hours"], strict=True)
    )
    pg.get_by_label(m["period"], exact=True).select_option(label=w["month"])
    pg.get_by_role("button", name=m["search"], exact=True).click()
    pg.wait_for_url("**span=month**")
    assert timeline_rows(pg, m) == [
        ("Anthony Giosi", "120.00"),
        ("Luc Lambert", "48.00"),
        (m["nobody_row"], "576.00"),
    ]
    shoot(pg, "oncall-timeline-en-nojs-month")
    # axe is a script: it reads the same page in a context with scripts, same session.
    seen = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    seen.add_cookies(context.cookies())
    again = seen.new_page()
    again.goto(pg.url)
    assert timeline_rows(again, m)[-1] == (m["nobody_row"], "576.00")
    check(axe, again, False)
    seen.close()
    context.close()
