"""Warnings before saving and roles on the On Call page, in a real browser, by the page's own
labels: assigning a person already on call in another role shows the warning and "Save
anyway" saves; unassigning a shift of the coming days says which gap it leaves, in the
account's zone; a client user of a view-only account sees no button that changes who is on
call. English and French, desktop and phone, axe on every state and dialog."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.accounts.models import Membership
from portal.oncall import services
from tests.oncall.helpers import STAFF, contact
from tests.web.oncall_steps import (
    PASSWORD,
    TORONTO,
    W,
    World,
    base_of,
    go_to_the_future_month,
    label,
    mode,
    pick,
    press,
    row_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINE = {
    "en": {
        "two_roles": "This would book a person in two roles at once.",
        "also": "Anthony Giosi is also on call as TECH (03 Techniciens · Techniciens)",
        "save_anyway": "Save anyway",
        "assigned": "Anthony Giosi is assigned.",
        "unassign_luc": "UnAssign Luc Lambert",
        "unassigned": "The shift is now unassigned.",
        "gap": "This change leaves a gap in the next 7 days: nobody is on call from {} to {} "
        "(America/Toronto).",
        "view_only": "You may view who is on call; only a client admin of this account can "
        "change it.",
    },
    "fr": {
        "two_roles": "Cette personne serait de garde dans deux rôles à la fois.",
        "also": "Anthony Giosi est aussi de garde comme TECH (03 Techniciens · Techniciens)",
        "save_anyway": "Enregistrer quand même",
        "assigned": "Anthony Giosi est assigné(e).",
        "unassign_luc": "Désassigner Luc Lambert",
        "unassigned": "Le quart n'est plus assigné.",
        "gap": "Cette modification laisse un trou dans les 7 prochains jours\u00a0: personne "
        "n'est de garde du {} au {} (America/Toronto).",
        "view_only": "Vous pouvez voir qui est de garde\u00a0; seul un administrateur client de "
        "ce compte peut le modifier.",
    },
}


def sign_in_to_on_call(new_page, live_server, username, lang, phone):
    """Sign in through the form, then "On Call" in the menu (behind "Menu" on a phone)."""
    w = W[lang]
    pg = new_page(phone=phone, locale=w["locale"])
    pg.goto(f"{live_server.url}/login/")
    pg.get_by_label(w["user"]).fill(username)
    pg.get_by_label(w["password"]).fill(PASSWORD)
    pg.get_by_role("button", name=w["enter"]).click()
    pg.wait_for_url("**/a/4000/")
    if phone:
        pg.get_by_role("button", name=w["menu"]).click()
    pg.get_by_role("navigation", name=w["sections"]).get_by_role("link", name=w["oncall"]).click()
    pg.wait_for_url("**/a/4000/oncall/**")
    return pg


@pytest.fixture
def world(make_account, make_user, request):
    return World(make_account, make_user, request.param)


@pytest.mark.parametrize(
    ("world", "phone"),
    [pytest.param("en", False, id="en-desktop"), pytest.param("fr", True, id="fr-phone")],
    indirect=["world"],
)
def test_a_double_booking_warns_and_save_anyway_saves(
    world, phone, new_page, live_server, shoot, axe
):
    w, m = world.words(), MINE[world.lang]
    # Anthony is on the technicians' schedule on the Tuesday of the first future week.
    tech, _ = services.upsert_schedule(world.account, "03", "03 Techniciens", actor=STAFF)
    tuesday = world.monday + dt.timedelta(days=1)
    techs, _ = services.upsert_shift(
        tech, "t", name="Techniciens", role="TECH", actor=STAFF,
        start=dt.datetime.combine(tuesday, dt.time(9), tzinfo=TORONTO),
        end=dt.datetime.combine(tuesday, dt.time(17), tzinfo=TORONTO),
    )  # fmt: skip
    services.assign(techs, world.anthony, actor=STAFF)
    shift = world.shifts[0]

    pg = sign_in_to_on_call(new_page, live_server, f"client-{world.lang}", world.lang, phone)
    go_to_the_future_month(pg, world)
    pick(pg, w, world.lbl(shift.start))
    dialog = press(pg, w, "assign")
    dialog.get_by_label(w["contact"], exact=True).select_option(label="Anthony Giosi")
    dialog.get_by_role("button", name=w["assign"], exact=True).click()

    warning = dialog.get_by_role("alert")
    expect(warning).to_contain_text(m["two_roles"])
    expect(warning).to_contain_text(m["also"])
    expect(dialog.get_by_label(w["contact"], exact=True)).to_have_value(str(world.anthony.pk))
    assert base_of(shift) is None  # nothing saved before the confirmation
    shoot(pg, f"oncall-double-booking-{world.lang}-{mode(phone)}")
    axe(pg)

    dialog.get_by_role("button", name=m["save_anyway"]).click()
    expect(pg.get_by_text(m["assigned"])).to_be_visible()
    assert base_of(shift).contact == world.anthony
    expect(row_of(pg, w, world.lbl(shift.start))).to_contain_text("Anthony Giosi")
    axe(pg)


def _soon_shift(world):
    """Luc's shift from in two hours to in ten, in "01 Horaire" (the staff assigned it)."""
    start = (timezone.now() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    shift, _ = services.upsert_shift(
        world.main, "soon", start=start, end=start + dt.timedelta(hours=8), actor=STAFF,
        name="Rotation", role="OC", rank=0,
    )  # fmt: skip
    services.assign(shift, world.luc, actor=STAFF)
    return shift


@pytest.mark.parametrize(
    ("world", "phone"),
    [pytest.param("en", True, id="en-phone"), pytest.param("fr", False, id="fr-desktop")],
    indirect=["world"],
)
def test_unassigning_says_which_gap_it_leaves_in_the_next_days(
    world, phone, new_page, live_server, shoot, axe
):
    w, m = world.words(), MINE[world.lang]
    shift = _soon_shift(world)
    pg = sign_in_to_on_call(new_page, live_server, f"client-{world.lang}", world.lang, phone)
    if shift.start.astimezone(TORONTO).month != timezone.now().astimezone(TORONTO).month:
        pg.get_by_role("link", name=w["next_month"]).click()  # late on the month's last day
    pick(pg, w, world.lbl(shift.start))
    dialog = press(pg, w, "unassign")
    axe(pg)
    dialog.get_by_role("button", name=m["unassign_luc"]).click()

    expect(pg.get_by_text(m["unassigned"])).to_be_visible()
    gap = m["gap"].format(label(shift.start, world.lang), label(shift.end, world.lang))
    expect(pg.get_by_text(gap)).to_be_visible()
    assert base_of(shift) is None
    shoot(pg, f"oncall-gap-left-{world.lang}-{mode(phone)}")
    axe(pg)


@pytest.mark.parametrize(
    ("world", "phone"),
    [pytest.param("fr", True, id="fr-phone"), pytest.param("en", False, id="en-desktop")],
    indirect=["world"],
)
def test_a_client_user_of_a_view_only_account_only_views(
    world, phone, new_page, live_server, shoot, axe, make_user
):
    w, m = world.words(), MINE[world.lang]
    world.account.oncall_users_may_change = False
    world.account.save()
    make_user("viewer", world.account, role=Membership.USER)
    contact(world.account, "nadia", "Nadia Roy")
    pg = sign_in_to_on_call(new_page, live_server, "viewer", world.lang, phone)
    go_to_the_future_month(pg, world)
    toolbar = pg.get_by_role("toolbar", name=w["actions"])
    expect(toolbar).to_contain_text(m["view_only"])
    for action in ("assign", "override", "unassign", "swap"):
        expect(toolbar.get_by_role("button", name=w[action], exact=True)).to_have_count(0)
    # Reading stays: the shifts, the calendar, the comments.
    pick(pg, w, world.lbl(world.shifts[0].start))
    expect(toolbar.get_by_role("button", name=w["comment"], exact=True)).to_be_visible()
    shoot(pg, f"oncall-view-only-{world.lang}-{mode(phone)}")
    axe(pg)

    # The client admin of the same account still changes who is on call.
    admin = sign_in_to_on_call(new_page, live_server, f"client-{world.lang}", world.lang, phone)
    expect(
        admin.get_by_role("toolbar", name=w["actions"]).get_by_role(
            "button", name=w["assign"], exact=True
        )
    ).to_be_visible()
