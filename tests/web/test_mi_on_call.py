"""The miTeam manual's "On Call" chapter, gesture by gesture, in a real browser.

Sign in through the form, open "On Call" from the menu, then do what the manual says with the
page's own labels: "Schedules", a shift, "Assign" (the "Assignment Selection" dialog), "Assign
Recurring", "Override" (and its refusal), "UnAssign" on an override and on the shift, "Swap
Shift", "View" (day, week, month), "Comment", "Save as PDF", the calendar's colours, and "On
call now" at the top. English and French, desktop and phone, axe on every state and dialog.

Every shift the tests act on is in the future (a later month); the shift on call now started a
day ago and is set up by the staff.
"""

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect

from portal.oncall import services
from portal.oncall.models import Assignment, ShiftComment
from tests.oncall.helpers import STAFF
from tests.web.oncall_steps import (
    CASES,
    World,
    base_of,
    check,
    coverage,
    go_to_the_future_month,
    local_input,
    mode,
    open_filters,
    open_on_call,
    pick,
    press,
    row_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(make_account, make_user, request):
    """The account, its schedules and contacts (oncall_steps.World), in request.param's
    language."""
    return World(make_account, make_user, request.param)


# --- On call now, at the top ------------------------------------------------------------


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_who_is_on_call_now_shows_at_the_top(world, phone, new_page, live_server, shoot, axe):
    w = world.words()
    pg = open_on_call(new_page, live_server, world.lang, phone)
    now = pg.get_by_role("region", name=w["now"])
    expect(now).to_be_visible()
    shoot(pg, f"mi-oncall-now-{world.lang}-{mode(phone)}")
    check(axe, pg, phone)

    # The whole block is on the first screen, above the criteria and the toolbar.
    assert pg.evaluate("window.scrollY") == 0
    box, height = now.bounding_box(), pg.viewport_size["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (box, height)
    for below in (
        pg.get_by_role("toolbar", name=w["actions"]),
        pg.get_by_role("region", name=w["calendar"]),
    ):
        assert below.bounding_box()["y"] >= box["y"] + box["height"]

    # "01 Horaire", rank 0: Anthony Giosi, how to reach him, until when.
    anthony = now.get_by_role("listitem").filter(has_text="Anthony Giosi")
    expect(anthony).to_have_count(1)
    expect(anthony).to_contain_text(w["until"].format(world.lbl(world.now_end)))
    expect(anthony).to_contain_text("Rotation · OC")
    expect(anthony).to_contain_text(f"{w['sms']} 514 555 0101")
    sms = anthony.get_by_role("link", name="514 555 0101")
    assert sms.get_attribute("href") == "sms:514 555 0101"

    # Rank 2: Luc Lambert, by telephone or e-mail.
    luc = now.get_by_role("listitem").filter(has_text="Luc Lambert")
    expect(luc).to_contain_text("Rotation · OC")
    expect(luc).to_contain_text(f"{w['tel1']} 514 555 0102")
    expect(luc).to_contain_text(f"{w['email']} luc@example.com")
    assert luc.get_by_role("link", name="514 555 0102").get_attribute("href") == "tel:514 555 0102"
    email = luc.get_by_role("link", name="luc@example.com")
    assert email.get_attribute("href") == "mailto:luc@example.com"

    # Rank 1 of the same shift and the weekend schedule: nobody, in red.
    gaps = now.get_by_role("listitem").filter(has_text=w["nobody"])
    expect(gaps).to_have_count(2)
    expect(gaps.first).to_contain_text(w["until"].format(world.lbl(world.now_end)))
    for i in range(2):
        colour = gaps.nth(i).get_by_text(w["nobody"]).evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(180, 35, 24)"
    weekend = now.locator("div").filter(
        has=pg.get_by_role("heading", name="02 Fin de semaine", exact=True)
    )
    expect(weekend).to_contain_text(w["nobody"])
    expect(weekend).not_to_contain_text("Anthony Giosi")

    # The same answer as the integration API's look-up (one service for both).
    entries = services.on_call_at(world.account)
    assert [e["contact"]["name"] if e["contact"] else None for e in entries] == [
        "Anthony Giosi",
        None,
        "Luc Lambert",
    ]
    names = now.get_by_role("listitem").evaluate_all(
        "items => items.map(li => li.querySelector('.oc-now-who strong').textContent)"
    )
    assert names == ["Anthony Giosi", w["nobody"], "Luc Lambert", w["nobody"]]


# --- Assigning a Custodian ----------------------------------------------------------------


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_assign_a_custodian_then_assign_recurring(world, phone, new_page, live_server, shoot, axe):
    w = world.words()
    s1, s2, s3 = world.shifts
    m = world.monday
    day = dt.timedelta(days=1)
    name = f"mi-oncall-assign-{world.lang}-{mode(phone)}"
    pg = open_on_call(new_page, live_server, world.lang, phone)

    # 1. Select the schedule in "Schedules".
    open_filters(pg, w, phone)
    check(axe, pg, phone)
    pg.get_by_label(w["schedules"], exact=True).select_option(label="02 Fin de semaine")
    expect(pg.get_by_role("heading", level=2, name="02 Fin de semaine")).to_be_visible()
    go_to_the_future_month(pg, world, world.weekend_shift)
    expect(row_of(pg, w, world.lbl(s1.start))).to_have_count(0)
    open_filters(pg, w, phone)
    pg.get_by_label(w["schedules"], exact=True).select_option(label="01 Horaire")
    expect(pg.get_by_role("heading", level=2, name="01 Horaire")).to_be_visible()
    # The page keeps the month it showed.
    expect(row_of(pg, w, world.lbl(s1.start))).to_be_visible()
    assert coverage(pg, w, m + day) == "none"
    shoot(pg, f"{name}-1-schedule")
    check(axe, pg, phone)

    # 2.-6. Click the shift, "Assign", choose the contact, a comment, "Assign".
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "assign")
    expect(dialog.get_by_role("heading", name=w["dialog_assign"])).to_be_visible()
    for button in ("assign_recurring", "assign"):
        expect(dialog.get_by_role("button", name=w[button], exact=True)).to_be_visible()
    dialog.get_by_label(w["contact"], exact=True).select_option(label="Anthony Giosi")
    dialog.get_by_label(w["comment"], exact=True).fill("Semaine d'Anthony")
    shoot(pg, f"{name}-2-dialog")
    check(axe, pg, phone)
    dialog.get_by_role("button", name=w["assign"], exact=True).click()
    row = row_of(pg, w, world.lbl(s1.start))
    expect(row).to_contain_text("Anthony Giosi")
    expect(row.locator(".oc-status")).to_have_text(w["assigned"])
    assert base_of(s1).contact == world.anthony and base_of(s2) is None
    # The calendar: green where every shift has someone, yellow where some do, red where none.
    assert coverage(pg, w, m) == "partial"  # no shift before 7:30 am: a gap
    assert coverage(pg, w, m + 3 * day) == "full"
    assert coverage(pg, w, m + 7 * day) == "partial"
    assert coverage(pg, w, m + 8 * day) == "none"
    pg.get_by_role("link", name=w["display_comment"]).click()
    expect(row_of(pg, w, world.lbl(s1.start))).to_contain_text("Semaine d'Anthony")
    shoot(pg, f"{name}-3-assigned")
    check(axe, pg, phone)

    # "Assign Recurring": this shift and the later ones of its series, up to a date.
    pick(pg, w, world.lbl(s2.start))
    dialog = press(pg, w, "assign")
    dialog.get_by_label(w["contact"], exact=True).select_option(label="Patrick Tremblay")
    dialog.get_by_label(w["until_field"]).fill((m + 14 * day).isoformat())
    dialog.get_by_role("button", name=w["assign_recurring"], exact=True).click()
    for shift in (s2, s3):
        expect(row_of(pg, w, world.lbl(shift.start))).to_contain_text("Patrick Tremblay")
    expect(row_of(pg, w, world.lbl(s1.start))).not_to_contain_text("Patrick Tremblay")
    assert base_of(s2).contact == base_of(s3).contact == world.patrick
    for d in (7, 8, 15, 20):
        assert coverage(pg, w, m + d * day) == "full", d
    shoot(pg, f"{name}-4-recurring")
    check(axe, pg, phone)


# --- Make a temporary change (Override), UnAssign ----------------------------------------


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_override_then_unassign(world, phone, new_page, live_server, shoot, axe):
    w = world.words()
    s1 = world.shifts[0]
    m = world.monday
    day = dt.timedelta(days=1)
    name = f"mi-oncall-override-{world.lang}-{mode(phone)}"
    services.assign(s1, world.anthony, actor=STAFF)
    pg = open_on_call(new_page, live_server, world.lang, phone)
    go_to_the_future_month(pg, world)

    # 1.-2. Click the shift, "Override": the dialog names the shift and its person.
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "override")
    expect(dialog.get_by_role("heading", name=w["dialog_override"])).to_be_visible()
    expect(dialog).to_contain_text("Rotation")
    expect(dialog).to_contain_text("Anthony Giosi")
    assert dialog.get_by_label(w["start_time"]).input_value() == local_input(s1.start)
    # 3.-6. A start before the shift's: refused with the seed's words, nothing saved.
    dialog.get_by_label(w["start_time"]).fill(local_input(s1.start - day))
    dialog.get_by_label(w["end_time"]).fill(local_input(s1.start + 2 * day))
    dialog.get_by_label(w["covering"]).select_option(label="Luc Lambert")
    dialog.get_by_label(w["comment"], exact=True).fill("Anthony au congrès")
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    expect(dialog.get_by_role("alert")).to_have_text(w["refusal"])
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()
    shoot(pg, f"{name}-1-refused")
    check(axe, pg, phone)
    # Within the shift: saved; Luc Lambert covers the first two days.
    dialog.get_by_label(w["start_time"]).fill(local_input(s1.start))
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    row = row_of(pg, w, world.lbl(s1.start))
    expect(row).to_contain_text("Luc Lambert")
    expect(row).to_contain_text(f"{world.lbl(s1.start)} – {world.lbl(s1.start + 2 * day)}")
    expect(row).to_contain_text("Anthony Giosi")
    override = Assignment.objects.get(kind=Assignment.OVERRIDE, revoked_at=None)
    assert (override.contact, override.start, override.end) == (
        world.luc,
        s1.start,
        s1.start + 2 * day,
    )
    assert coverage(pg, w, m + day) == "full"
    shoot(pg, f"{name}-2-saved")
    check(axe, pg, phone)

    # "UnAssign" on the override: the original person is on call again.
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "unassign")
    check(axe, pg, phone)
    dialog.get_by_role("button", name=f"{w['unassign']} Luc Lambert").click()
    row = row_of(pg, w, world.lbl(s1.start))
    expect(row).not_to_contain_text("Luc Lambert")
    expect(row).to_contain_text("Anthony Giosi")
    assert base_of(s1).contact == world.anthony
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE, revoked_at=None).exists()

    # "UnAssign" on the initial shift: it is empty again.
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "unassign")
    dialog.get_by_role("button", name=f"{w['unassign']} Anthony Giosi").click()
    row = row_of(pg, w, world.lbl(s1.start))
    expect(row.locator(".oc-status")).to_have_text(w["unassigned"])
    expect(row).not_to_contain_text("Anthony Giosi")
    assert base_of(s1) is None
    assert coverage(pg, w, m + day) == "none"
    shoot(pg, f"{name}-3-unassigned")
    check(axe, pg, phone)


# --- Swap Shift, View, Comment, Save as PDF -----------------------------------------------


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_swap_view_comment_and_pdf(world, phone, new_page, live_server, shoot, axe):
    from pypdf import PdfReader

    w = world.words()
    s1, s2, s3 = world.shifts
    m = world.monday
    day = dt.timedelta(days=1)
    name = f"mi-oncall-more-{world.lang}-{mode(phone)}"
    services.assign(s1, world.anthony, actor=STAFF)
    services.assign(s2, world.patrick, actor=STAFF)
    pg = open_on_call(new_page, live_server, world.lang, phone)
    go_to_the_future_month(pg, world)

    # "Swap Shift": the two shifts' people change places.
    pick(pg, w, world.lbl(s1.start))
    dialog = press(pg, w, "swap")
    other = f"{world.lbl(s2.start)} – {world.lbl(s2.end)} · Rotation OC (0) · Patrick Tremblay"
    dialog.get_by_label(w["swap_with"]).select_option(label=other)
    shoot(pg, f"{name}-1-swap")
    check(axe, pg, phone)
    dialog.get_by_role("button", name=w["swap"], exact=True).click()
    expect(row_of(pg, w, world.lbl(s1.start))).to_contain_text("Patrick Tremblay")
    expect(row_of(pg, w, world.lbl(s2.start))).to_contain_text("Anthony Giosi")
    assert base_of(s1).contact == world.patrick and base_of(s2).contact == world.anthony

    # "Comment" on the selected shift, then "Click to Comment" on another one.
    pick(pg, w, world.lbl(s3.start))
    dialog = press(pg, w, "comment")
    dialog.get_by_label(w["comment"], exact=True).fill("Luc en vacances")
    check(axe, pg, phone)
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    expect(pg.get_by_role("status").filter(has_text=w["comment_saved"])).to_be_visible()
    row_of(pg, w, world.lbl(s2.start)).get_by_role("link", name=w["click_to_comment"]).click()
    dialog = pg.get_by_role("dialog")
    dialog.get_by_label(w["comment"], exact=True).fill("Échange avec Patrick")
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    # Back on the page, with that shift chosen.
    expect(pg.get_by_label(w["select"].format(world.lbl(s2.start)), exact=True)).to_be_checked()
    pg.get_by_role("link", name=w["display_comment"]).click()
    expect(row_of(pg, w, world.lbl(s3.start))).to_contain_text("Luc en vacances")
    expect(row_of(pg, w, world.lbl(s2.start))).to_contain_text("Échange avec Patrick")
    assert ShiftComment.objects.filter(shift=s3, text="Luc en vacances").exists()
    assert base_of(s3) is None  # a comment does not make anyone on call
    shoot(pg, f"{name}-2-comments")
    check(axe, pg, phone)

    # "View": by day, week and month, around the chosen date.
    shown = {}
    for view in ("day", "week", "month"):
        open_filters(pg, w, phone)
        pg.get_by_label(w["search_date"]).fill((m + 8 * day).isoformat())
        pg.get_by_label(w["view"], exact=True).select_option(label=w[view])
        # The select sends the form: wait for the page it brings (not only the new value).
        pg.wait_for_url(re.compile(f"[?&]view={view}(&|$)"))
        expect(pg.get_by_label(w["view"], exact=True)).to_have_value(view)
        shown[view] = [bool(row_of(pg, w, world.lbl(s.start)).count()) for s in (s1, s2, s3)]
        shoot(pg, f"{name}-3-view-{view}")
        check(axe, pg, phone)
    assert shown == {
        "day": [False, True, False],
        "week": [True, True, False],
        "month": [True, True, True],
    }

    # "Save as PDF": the schedule as the page shows it.
    with pg.expect_download() as download:
        pg.get_by_role("link", name=w["pdf"]).click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    for expected in ("01 Horaire", "Patrick Tremblay", "Anthony Giosi", "Luc en vacances"):
        assert expected in text, (expected, text)
    assert w["pdf_header"] in text, text
    assert world.lbl(s3.start) in text, text


# --- What you should not do -----------------------------------------------------------------


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_what_you_should_not_do(world, phone, new_page, live_server, axe):
    """A client cannot add, modify, copy or delete a schedule or a shift (the staff do, in the
    back office); the page says whom to ask. A comment names nobody on call."""
    w = world.words()
    pg = open_on_call(new_page, live_server, world.lang, phone)
    toolbar = pg.get_by_role("toolbar", name=w["actions"])
    expect(toolbar.get_by_role("button", name=w["assign"], exact=True)).to_be_visible()
    for word in w["staff_only"]:
        expect(toolbar.get_by_role("link", name=word, exact=True)).to_have_count(0)
        expect(toolbar.get_by_role("button", name=word, exact=True)).to_have_count(0)
    expect(pg.get_by_text(w["help"])).to_be_visible()
    check(axe, pg, phone)
