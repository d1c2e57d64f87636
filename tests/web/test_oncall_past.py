"""Issue 12 in a real browser: the past is history, and a deleted contact is a gap.

A client signs in, opens On Call from the menu and tries, through the dialogs and by their
labels, to unassign a shift that is over and to add an override that starts before now: each
is refused with its message, nothing changes. Then the staff delete a contact in the back
office, by its buttons, and the client's On Call page shows the shift that contact held as
unassigned, its day red on the calendar, and the contact gone from the Assign dialog."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.oncall import services
from portal.oncall.models import Assignment
from tests.oncall.helpers import STAFF
from tests.twofactor import staff_sign_in
from tests.web.oncall_steps import (
    TORONTO,
    World,
    base_of,
    check,
    coverage,
    go_to_the_future_month,
    local_input,
    mode,
    open_on_call,
    pick,
    press,
    row_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSALS = {
    "en": {
        "finished": "This shift is over: who was on call then is history and can no longer be "
        "changed.",
        "before_now": "The Start time cannot occur before now.",
        "previous_month": "Previous month",
    },
    "fr": {
        "finished": "Ce quart est terminé\u00a0: qui était de garde alors appartient à "
        "l'historique et ne peut plus être modifié.",
        "before_now": "L'heure de début ne peut pas précéder l'heure actuelle.",
        "previous_month": "Mois précédent",
    },
}
CASES = [("en", False), ("fr", True)]


@pytest.fixture
def world(make_account, make_user, request):
    w = World(make_account, make_user, request.param)
    # A shift that is over (it ended an hour ago), Patrick Tremblay's: the staff set it up.
    now = timezone.now().replace(second=0, microsecond=0)
    w.finished, _ = services.upsert_shift(
        w.main, "over", start=now - dt.timedelta(hours=3), end=now - dt.timedelta(hours=1),
        actor=STAFF, name="Rotation", role="OC", rank=3,
    )  # fmt: skip
    services.assign(w.finished, w.patrick, actor=STAFF, past_reason="set up by the staff")
    services.assign(w.shifts[0], w.anthony, actor=STAFF)
    return w


@pytest.mark.parametrize(("world", "phone"), CASES, indirect=["world"])
def test_the_past_is_refused_and_a_deleted_contact_is_a_gap(
    world, phone, new_page, live_server, make_user, shoot, axe
):
    w, r = world.words(), REFUSALS[world.lang]
    name = f"oncall-past-{world.lang}-{mode(phone)}"
    pg = open_on_call(new_page, live_server, world.lang, phone)
    today = timezone.now().astimezone(TORONTO).date()
    if world.finished.end.astimezone(TORONTO).month != today.month:
        pg.get_by_role("link", name=r["previous_month"]).click()
    check(axe, pg, phone)

    # UnAssign on the shift that is over: refused, Patrick Tremblay stays who was on call.
    pick(pg, w, world.lbl(world.finished.start))
    dialog = press(pg, w, "unassign")
    dialog.get_by_role("button", name=f"{w['unassign']} Patrick Tremblay").click()
    expect(dialog.get_by_role("alert")).to_have_text(r["finished"])
    assert base_of(world.finished).contact == world.patrick
    shoot(pg, f"{name}-1-finished-refused")
    check(axe, pg, phone)
    dialog.get_by_role("link", name=re.compile("Cancel|Annuler")).click()
    expect(pg.get_by_role("dialog")).to_be_hidden()

    # Override on the shift in progress: the Start time offered is now; a start before now
    # (the shift's own start, yesterday) is refused with the seed's style of message.
    pg = open_on_call(new_page, live_server, world.lang, phone)
    # (three shifts start then, ranks 0 to 2: the first row is rank 0, Anthony Giosi's)
    first_row = row_of(pg, w, world.lbl(world.current.start)).first
    first_row.get_by_text(world.lbl(world.current.start), exact=True).click()
    expect(first_row.get_by_role("radio")).to_be_checked()
    dialog = press(pg, w, "override")
    offered = dt.datetime.fromisoformat(dialog.get_by_label(w["start_time"]).input_value())
    assert offered.replace(tzinfo=TORONTO) >= timezone.now() - dt.timedelta(minutes=2)
    dialog.get_by_label(w["start_time"]).fill(local_input(world.current.start))
    dialog.get_by_label(w["end_time"]).fill(local_input(world.current.end))
    dialog.get_by_label(w["covering"]).select_option(label="Luc Lambert")
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    expect(dialog.get_by_role("alert")).to_have_text(r["before_now"])
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()
    shoot(pg, f"{name}-2-override-refused")
    check(axe, pg, phone)
    dialog.get_by_role("link", name=re.compile("Cancel|Annuler")).click()
    expect(pg.get_by_role("dialog")).to_be_hidden()

    # The future shift Anthony Giosi holds: assigned, green.
    go_to_the_future_month(pg, world)
    row = row_of(pg, w, world.lbl(world.shifts[0].start))
    expect(row.locator(".oc-status")).to_have_text(w["assigned"])
    day = world.monday + dt.timedelta(days=1)
    assert coverage(pg, w, day) == "full"

    # The staff delete Anthony Giosi in the back office, by its buttons.
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    staff = new_page()
    staff.goto(f"{live_server.url}/admin/")
    staff_sign_in(staff, staffer)  # password, then the code (tests/twofactor.py)
    staff.get_by_role("link", name="Contacts").first.click()
    staff.get_by_role("link", name="Anthony Giosi").click()
    staff.get_by_role("link", name="Delete").click()
    staff.get_by_role("button", name=re.compile("Yes, I.m sure")).click()
    expect(staff.locator(".messagelist")).to_contain_text("deleted")
    expect(staff.get_by_role("link", name="Anthony Giosi")).to_have_count(0)

    # The client's On Call page: the shift is unassigned, its days red; Anthony Giosi is
    # gone from the Assign dialog's contacts.
    pg = open_on_call(new_page, live_server, world.lang, phone)
    go_to_the_future_month(pg, world)
    row = row_of(pg, w, world.lbl(world.shifts[0].start))
    expect(row.locator(".oc-status")).to_have_text(w["unassigned"])
    expect(row).not_to_contain_text("Anthony Giosi")
    assert coverage(pg, w, day) == "none"
    shoot(pg, f"{name}-3-deleted-contact-gap")
    check(axe, pg, phone)
    pick(pg, w, world.lbl(world.shifts[0].start))
    dialog = press(pg, w, "assign")
    options = dialog.get_by_label(w["contact"], exact=True).locator("option").all_inner_texts()
    assert "Anthony Giosi" not in options and "Luc Lambert" in options
    check(axe, pg, phone)
