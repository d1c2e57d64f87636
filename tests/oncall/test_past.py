"""Issue 12, items 1 and 3: a deleted contact is a gap from its deletion on, and the past is
history (client actions take effect from now; staff correct the past with a reason). The
services' clock is moved for real (portal.clock) through the seed's example of 2023."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.directory.models import Contact
from portal.directory.services import delete_contact, upsert_contact
from portal.oncall import services
from portal.oncall.models import Assignment, ScheduleEvent
from portal.oncall.services import OnCallError
from tests.oncall.helpers import STAFF, local, seed_schedule

pytestmark = pytest.mark.django_db

BASE = "/api/v1/accounts/4000"
CLIENT = services.Actor(name="client")
MAY_3 = local(2023, 5, 3, 10, 0)  # the second shift (5/01 – 5/08) is in progress, the first over


def who(account, at):
    return [(e["source"], e["contact"] and e["contact"]["id"]) for e in services.on_call_at(account, at)]  # fmt: skip


@pytest.fixture
def seed(account):
    with services.clock_at(local(2023, 4, 1)):
        schedule, first, second, anthony, luc = seed_schedule(account)
        services.assign(first, anthony, actor=STAFF)
        services.assign(second, anthony, actor=STAFF)
    first.refresh_from_db()
    second.refresh_from_db()
    return schedule, first, second, anthony, luc


# --- Services -------------------------------------------------------------------------------


def test_a_finished_shift_refuses_every_client_change(account, seed):
    _s, first, second, anthony, luc = seed
    with services.clock_at(MAY_3):
        for action in (
            lambda: services.assign(first, luc, actor=CLIENT),
            lambda: services.unassign(first, actor=CLIENT),
            lambda: services.override(first, luc, first.start, first.end, actor=CLIENT),
            lambda: services.swap(first, second, actor=CLIENT),
            lambda: services.comment(first, "late note", actor=CLIENT),
        ):
            with pytest.raises(OnCallError) as refused:
                action()
            assert str(refused.value.message) == str(services.SHIFT_FINISHED)
    assert who(account, local(2023, 4, 25)) == [("assignment", "anthony")]


def test_an_override_cannot_start_before_now(account, seed):
    _s, _first, second, _anthony, luc = seed
    with services.clock_at(MAY_3), pytest.raises(OnCallError) as refused:
        services.override(second, luc, local(2023, 5, 2), local(2023, 5, 4), actor=CLIENT)
    assert str(refused.value.message) == "The Start time cannot occur before now."
    assert refused.value.field == "start"
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()


def test_changes_to_a_shift_in_progress_take_effect_from_now(account, seed):
    _s, _first, second, anthony, luc = seed
    old = services.active_base(second)
    with services.clock_at(MAY_3):
        services.assign(second, luc, actor=CLIENT)
    assert who(account, local(2023, 5, 2)) == [("assignment", "anthony")]  # the past stays
    assert who(account, local(2023, 5, 4)) == [("assignment", "luc")]
    old.refresh_from_db()
    assert (old.start, old.end) == (second.start, second.end)  # never edited
    assert old.revoked_at == MAY_3 and old.effective_until == MAY_3
    assert services.active_base(second).start == MAY_3
    with services.clock_at(MAY_3 + dt.timedelta(hours=1)):
        services.unassign(second, actor=CLIENT)
    assert who(account, MAY_3 + dt.timedelta(minutes=30)) == [("assignment", "luc")]
    assert who(account, local(2023, 5, 4)) == [("unassigned", None)]


def test_staff_correct_the_past_with_a_reason_the_history_keeps(account, seed):
    _s, first, _second, _anthony, luc = seed
    with services.clock_at(MAY_3):
        with pytest.raises(OnCallError) as refused:
            services.assign(first, luc, actor=STAFF, past_reason="  ")
        assert str(refused.value.message) == str(services.REASON_REQUIRED)
        services.assign(first, luc, actor=STAFF, past_reason="Luc took the week (phone call)")
    assert who(account, local(2023, 4, 25)) == [("assignment", "luc")]
    event = ScheduleEvent.objects.filter(shift=first, action="assign").first()
    assert event.after["past_reason"] == "Luc took the week (phone call)"


def test_a_deleted_contact_is_a_gap_from_then_on_and_the_history_keeps_it(account, seed):
    _s, first, second, anthony, luc = seed
    with services.clock_at(MAY_3):
        services.override(second, luc, local(2023, 5, 4), local(2023, 5, 5), actor=CLIENT)
        assert delete_contact(anthony, actor_name="staff") is True
        assert delete_contact(anthony, actor_name="staff") is False  # idempotent
    assert who(account, local(2023, 4, 25)) == [("assignment", "anthony")]  # before: kept
    assert who(account, local(2023, 5, 2)) == [("assignment", "anthony")]
    assert who(account, local(2023, 5, 3, 11)) == [("unassigned", None)]
    assert who(account, local(2023, 5, 4, 12)) == [("override", "luc")]
    assert services.active_base(second) is None
    events = ScheduleEvent.objects.filter(action="contact_removed")
    assert [e.shift_id for e in events] == [second.pk]
    assert events[0].before["contact"] == {"id": "anthony", "name": "Anthony Giosi"}
    # Gone from the pickers; back through the API, the shifts it held stay lost.
    with services.clock_at(MAY_3), pytest.raises(OnCallError):
        services.assign(second, Contact.objects.get(pk=anthony.pk), actor=CLIENT)
    with services.clock_at(MAY_3 + dt.timedelta(hours=2)):
        upsert_contact(account, "anthony", {"name": "Anthony Giosi"})
    assert who(account, local(2023, 5, 3, 13)) == [("unassigned", None)]


def test_a_deleted_contacts_override_is_a_gap_not_the_base(account, seed):
    _s, _first, second, anthony, luc = seed
    with services.clock_at(MAY_3):
        services.override(second, luc, local(2023, 5, 4), local(2023, 5, 5), actor=CLIENT)
        delete_contact(luc)
    assert who(account, local(2023, 5, 4, 12)) == [("unassigned", None)]
    assert who(account, local(2023, 5, 6)) == [("assignment", "anthony")]
    gaps = [(g.start, g.end) for g in services.gaps(account, local(2023, 5, 1), local(2023, 5, 8))]
    assert (local(2023, 5, 4), local(2023, 5, 5)) in gaps


def test_staff_delete_a_contact_in_the_back_office_through_the_same_service(admin_client, account, seed):  # fmt: skip
    _s, _first, second, anthony, _luc = seed
    url = reverse("admin:directory_contact_delete", args=[anthony.pk])
    with services.clock_at(MAY_3):
        r = admin_client.post(url, {"post": "yes"})
    assert r.status_code == 302
    anthony.refresh_from_db()
    assert anthony.removed_at == MAY_3  # kept, soft-deleted
    assert ScheduleEvent.objects.filter(action="contact_removed", shift=second).exists()
    assert who(account, local(2023, 5, 4)) == [("unassigned", None)]


# --- API ------------------------------------------------------------------------------------


def test_delete_a_contact_through_the_api(api, make_token, account, seed):
    provision, read = make_token("provision"), make_token("oncall:read")
    assert api("delete", f"{BASE}/contacts/nobody", provision).status_code == 404
    assert api("delete", f"{BASE}/contacts/anthony", read).status_code == 403
    with services.clock_at(MAY_3):
        r = api("delete", f"{BASE}/contacts/anthony", provision)
        assert r.status_code == 200, r.content
        assert r.json() == {"contact": "anthony", "deleted": True, "created": 0, "updated": 1, "unchanged": 0}  # fmt: skip
        again = api("delete", f"{BASE}/contacts/anthony", provision)
        assert again.status_code == 200 and again.json()["unchanged"] == 1
    after = api("get", f"{BASE}/oncall?at=2023-05-04T10:00:00-04:00", read).json()
    assert [(e["source"], e["contact"]) for e in after["entries"]] == [("unassigned", None)]
    before = api("get", f"{BASE}/oncall?at=2023-05-02T10:00:00-04:00", read).json()
    assert before["entries"][0]["contact"]["id"] == "anthony"


def test_the_api_refuses_to_rewrite_the_past_with_422(api, make_token, account, seed):
    _s, _first, second, _anthony, _luc = seed
    write = make_token("oncall:write", [account])
    first = f"{BASE}/schedules/01/shifts/2023-04-24"
    with services.clock_at(MAY_3):
        for method, path, body in (
            ("put", first + "/assignment", {"contact": "luc"}),
            ("delete", first + "/assignment", None),
            (
                "post",
                first + "/overrides",
                {
                    "contact": "luc",
                    "start": "2023-04-25T07:30:00-04:00",
                    "end": "2023-04-26T07:30:00-04:00",
                },
            ),  # fmt: skip
            ("post", first + "/comment", {"comment": "late"}),
            ("post", f"{BASE}/schedules/01/swap", {"shifts": ["2023-04-24", "2023-05-01"]}),
        ):
            r = api(method, path, write, json=body) if body else api(method, path, write)
            assert r.status_code == 422, (method, path, r.content)
            assert "This shift is over" in r.content.decode()
        r = api(
            "post",
            f"{BASE}/schedules/01/shifts/2023-05-01/overrides",
            write,
            json={
                "contact": "luc",
                "start": "2023-05-02T07:30:00-04:00",
                "end": "2023-05-04T07:30:00-04:00",
            },  # fmt: skip
        )
        assert r.status_code == 422
        assert "The Start time cannot occur before now." in r.content.decode()
        r = api("put", f"{BASE}/schedules/01/shifts/2023-05-01/assignment", write, json={"contact": "luc"})  # fmt: skip
        assert r.status_code == 200, r.content
    assert who(account, local(2023, 5, 2)) == [("assignment", "anthony")]
    assert who(account, local(2023, 5, 4)) == [("assignment", "luc")]
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()


def test_the_swap_dialog_offers_only_shifts_not_yet_finished(member_client, account, seed):
    schedule, first, second, _anthony, _luc = seed
    later, _ = services.upsert_shift(
        schedule, "2023-05-08", start=local(2023, 5, 8), end=local(2023, 5, 15), actor=STAFF
    )
    swap = reverse("oncall_swap", kwargs={"account_number": "4000"})
    with services.clock_at(MAY_3):
        page = member_client.get(swap, {"shift": second.pk}).content.decode()
    assert f'value="{later.pk}"' in page
    assert f'value="{first.pk}"' not in page  # over: the past is history
