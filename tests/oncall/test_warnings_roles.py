"""Warnings before saving (a person in two roles at once; a gap left in the next 7 days) and
roles (client users may change who is on call, or only view it): the services, the dialogs
without JavaScript (plain POSTs of the dialog pages), the API that must not be blocked."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Membership
from portal.oncall import services
from portal.oncall.models import Assignment
from tests.oncall.helpers import STAFF, contact
from tests.twofactor import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(account):
    """On call now (OC, "01 Horaire"): a shift that began an hour ago and lasts a day, empty,
    and the OC shift after it, Luc's. Technicians ("02 Techniciens", role TECH): Anthony from
    in 2 hours to in 6 hours."""
    now = timezone.now().replace(second=0, microsecond=0)
    anthony = contact(account, "anthony", "Anthony Giosi")
    luc = contact(account, "luc", "Luc Lambert")
    oc, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    tech, _ = services.upsert_schedule(account, "02", "02 Techniciens", actor=STAFF)
    shift, _ = services.upsert_shift(
        oc, "now", start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=23),
        name="Rotation", role="OC", actor=STAFF,
    )  # fmt: skip
    after, _ = services.upsert_shift(
        oc, "after", start=now + dt.timedelta(hours=23), end=now + dt.timedelta(hours=47),
        name="Rotation", role="OC", actor=STAFF,
    )  # fmt: skip
    services.assign(after, luc, actor=STAFF)
    techs, _ = services.upsert_shift(
        tech, "t", start=now + dt.timedelta(hours=2), end=now + dt.timedelta(hours=6),
        name="Techniciens", role="TECH", actor=STAFF,
    )  # fmt: skip
    services.assign(techs, anthony, actor=STAFF)
    for s in (shift, after, techs):
        s.refresh_from_db()  # their versions moved on
    return {"now": now, "shift": shift, "after": after, "techs": techs, "anthony": anthony,
            "luc": luc}  # fmt: skip


# --- The services ----------------------------------------------------------------------


def test_assigning_a_person_on_call_in_another_role_is_a_double_booking(world):
    w = world
    [b] = services.assign_double_bookings(w["shift"], w["anthony"])
    assert (b.contact, b.other, b.role) == (w["anthony"], w["techs"], "OC")
    assert (b.start, b.end) == (w["techs"].start, w["techs"].end)  # only where they overlap
    assert services.assign_double_bookings(w["shift"], w["luc"]) == []


def test_the_same_role_elsewhere_and_the_past_are_not_double_bookings(world, account):
    w = world
    other, _ = services.upsert_schedule(account, "03", "03 Relève", actor=STAFF)
    same_role, _ = services.upsert_shift(
        other, "x", start=w["shift"].start, end=w["shift"].end, role="OC", actor=STAFF
    )
    services.assign(same_role, w["luc"], actor=STAFF)
    assert services.assign_double_bookings(w["shift"], w["luc"]) == []
    later = w["techs"].end + dt.timedelta(minutes=1)  # once the technicians' shift is over
    assert services.assign_double_bookings(w["shift"], w["anthony"], now=later) == []


def test_an_override_is_checked_over_its_own_times(world):
    w = world
    start = w["now"] + dt.timedelta(hours=5)
    [b] = services.override_double_bookings(
        w["shift"], w["anthony"], start, start + dt.timedelta(hours=3)
    )
    assert (b.start, b.end) == (start, w["techs"].end)
    before = w["techs"].start
    assert (
        services.override_double_bookings(
            w["shift"], w["anthony"], before - dt.timedelta(hours=1), before
        )
        == []
    )


def test_a_swap_is_checked_for_both_people(world):
    w = world
    assert services.swap_double_bookings(w["shift"], w["after"]) == []  # Luc: no other role
    services.assign(w["after"], w["anthony"], actor=STAFF)
    [b] = services.swap_double_bookings(w["shift"], w["after"])
    assert (b.contact, b.shift, b.other) == (w["anthony"], w["shift"], w["techs"])


def test_the_checks_refuse_nothing(world):
    w = world
    services.assign(w["shift"], w["anthony"], actor=STAFF)  # saved all the same
    assert w["shift"].assignments.filter(revoked_at=None, contact=w["anthony"]).exists()


def test_gaps_left_by_a_change_in_the_next_seven_days(world, account):
    w = world
    assert services.gaps_left(account, [w["after"]]) == []
    services.unassign(w["after"], actor=STAFF)
    [gap] = services.gaps_left(account, [w["after"]])
    assert (gap.start, gap.end, gap.shift) == (w["after"].start, w["after"].end, w["after"])
    far = w["now"] + dt.timedelta(days=8)
    late, _ = services.upsert_shift(
        w["shift"].schedule, "late", start=far, end=far + dt.timedelta(hours=8), actor=STAFF
    )
    assert services.gaps_left(account, [late]) == []  # beyond the next 7 days


def test_client_admins_always_may_change_client_users_as_the_account_says(make_user, account):
    admin = make_user("boss", account).memberships.get()
    user = make_user("clerk", account, role=Membership.USER).memberships.get()
    assert services.may_change_oncall(admin) and services.may_change_oncall(user)
    account.oncall_users_may_change = False
    account.save()
    admin.refresh_from_db()
    user.refresh_from_db()
    assert services.may_change_oncall(admin)
    assert not services.may_change_oncall(user)
    assert not services.may_change_oncall(None)


# --- The dialogs without JavaScript ----------------------------------------------------


def _url(account, name):
    return reverse(name, kwargs={"account_number": account.number})


def test_without_javascript_a_double_booking_asks_then_save_anyway_saves(member_client, world):
    w, account = world, world["shift"].schedule.account
    url = _url(account, "oncall_assign")
    form = {"shift": w["shift"].pk, "version": w["shift"].version, "contact": w["anthony"].pk}
    r = member_client.post(url, form)
    assert r.status_code == 200
    text = r.content.decode()
    assert "This would book a person in two roles at once." in text
    assert "Anthony Giosi is also on call as TECH (02 Techniciens · Techniciens)" in text
    assert 'name="confirm"' in text and "Save anyway" in text
    assert not Assignment.objects.filter(shift=w["shift"]).exists()  # nothing saved yet
    r = member_client.post(url, {**form, "confirm": "1"})
    assert r.status_code == 302
    assert w["shift"].assignments.filter(revoked_at=None, contact=w["anthony"]).exists()


def test_unassigning_says_which_gap_it_leaves(member_client, world):
    w, account = world, world["shift"].schedule.account
    after = w["after"]
    r = member_client.post(
        _url(account, "oncall_unassign"),
        {"shift": after.pk, "version": after.version, "target": "base"},
        follow=True,
    )
    text = r.content.decode()
    assert "The shift is now unassigned." in text
    assert "This change leaves a gap in the next 7 days: nobody is on call from" in text
    assert "(America/Toronto)" in text


def test_a_client_user_of_a_view_only_account_only_views(client, make_user, world):
    w, account = world, world["shift"].schedule.account
    account.oncall_users_may_change = False
    account.save()
    client.force_login(make_user("clerk", account, role=Membership.USER))
    page = client.get(_url(account, "oncall")).content.decode()
    assert "only a client admin of this account can change it" in page
    assert 'formaction="' + _url(account, "oncall_assign") not in page
    for name, data in [
        ("oncall_assign", {"contact": w["anthony"].pk}),
        ("oncall_unassign", {"target": "base"}),
        ("oncall_override", {"contact": w["anthony"].pk}),
        ("oncall_swap", {"other": w["after"].pk}),
    ]:
        r = client.post(_url(account, name), {"shift": w["after"].pk, **data})
        assert r.status_code == 403, name
        assert client.get(_url(account, name), {"shift": w["after"].pk}).status_code == 403
    assert w["after"].assignments.filter(revoked_at=None, contact=w["luc"]).exists()
    assert w["after"].assignments.count() == 1


def test_a_client_admin_of_a_view_only_account_still_changes(member_client, world):
    w, account = world, world["shift"].schedule.account
    account.oncall_users_may_change = False
    account.save()
    page = member_client.get(_url(account, "oncall")).content.decode()
    assert 'formaction="' + _url(account, "oncall_assign") in page
    r = member_client.post(
        _url(account, "oncall_unassign"),
        {"shift": w["after"].pk, "version": w["after"].version, "target": "base"},
    )
    assert r.status_code == 302


# --- The API keeps the contract's answers ----------------------------------------------


def test_the_api_saves_a_double_booking_as_before(api, make_token, world):
    account = world["shift"].schedule.account
    token = make_token("oncall:write", [account])
    r = api(
        "put",
        f"/api/v1/accounts/{account.number}/schedules/01/shifts/now/assignment",
        token,
        json={"contact": "anthony", "comment": "", "recurring_until": None},
    )
    assert r.status_code == 200, r.content
    assert r.json()["assigned"] == ["now"]


def test_the_api_answers_say_what_the_page_warns_of(api, make_token, world):
    account = world["shift"].schedule.account
    token = make_token("oncall:write", [account])
    base = f"/api/v1/accounts/{account.number}/schedules/01/shifts"
    r = api("put", f"{base}/now/assignment", token, json={"contact": "anthony"})
    [b] = r.json()["warnings"]["double_bookings"]
    assert (b["contact"], b["role"], b["other_schedule"], b["other_role"]) == (
        "anthony",
        "OC",
        "02",
        "TECH",
    )
    assert r.json()["warnings"]["gaps"] == []
    r = api("delete", f"{base}/after/assignment", token)
    assert r.status_code == 200
    [gap] = r.json()["warnings"]["gaps"]
    assert gap["shift"] == "after"
    assert gap["start"] == world["after"].start.astimezone(account.tz).isoformat()


def test_without_javascript_a_swap_that_double_books_asks_first(member_client, world):
    w, account = world, world["shift"].schedule.account
    services.assign(w["after"], w["anthony"], actor=STAFF)  # Anthony would move into "now"
    after = type(w["after"]).objects.get(pk=w["after"].pk)
    url = _url(account, "oncall_swap")
    form = {"shift": after.pk, "version": after.version, "other": w["shift"].pk}
    r = member_client.post(url, form)
    text = r.content.decode()
    assert r.status_code == 200 and "Save anyway" in text
    assert f'<option value="{w["shift"].pk}" selected>' in text  # the choice is kept
    assert not w["shift"].assignments.filter(revoked_at=None).exists()
    assert member_client.post(url, {**form, "confirm": "1"}).status_code == 302
    assert w["shift"].assignments.filter(revoked_at=None, contact=w["anthony"]).exists()


def test_staff_set_the_view_only_choice_in_the_back_office(client, make_user, account):
    staff = make_user("boss-staff", is_staff=True, is_superuser=True)
    staff_login(client, staff)  # tests/twofactor.py
    page = client.get(reverse("admin:accounts_account_change", args=[account.pk]))
    text = page.content.decode()
    assert 'name="oncall_users_may_change"' in text
    assert "client users may change who is on call" in text.lower()
