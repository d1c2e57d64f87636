"""The staff back office: schedules and shifts are created, edited, copied and removed there
(through the same services), never by clients."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.oncall import services
from portal.oncall.models import ScheduleEvent, Shift
from portal.oncall.services import Actor
from tests.oncall.helpers import TORONTO, local, seed_schedule
from tests.twofactor import staff_login

pytestmark = pytest.mark.django_db
ME = Actor(name="tester")


def test_staff_copy_shifts_to_later_dates(admin_client, account):
    _schedule, first, _second, _a, _l = seed_schedule(account)
    url = reverse("admin:oncall_shift_changelist")
    r = admin_client.post(url, {"action": "copy_to_later_dates", "_selected_action": [first.pk]})
    assert "Days later" in r.content.decode()
    admin_client.post(
        url,
        {
            "action": "copy_to_later_dates",
            "_selected_action": [first.pk],
            "apply": "1",
            "days": 14,
            "times": 2,
        },
    )
    copies = Shift.objects.exclude(pk__in=[first.pk, _second.pk]).order_by("start")
    assert [c.start.astimezone(TORONTO).date() for c in copies] == [
        dt.date(2023, 5, 8),
        dt.date(2023, 5, 22),
    ]
    assert all(c.start.astimezone(TORONTO).hour == 7 for c in copies)
    assert (
        ScheduleEvent.objects.filter(action="shift_created", actor_name="staff:admin").count() == 2
    )


def test_staff_copy_a_schedule_to_a_new_one(admin_client, account):
    from portal.oncall.models import Schedule

    schedule, first, second, anthony, _l = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    url = reverse("admin:oncall_schedule_changelist")
    r = admin_client.post(url, {"action": "copy_schedule", "_selected_action": [schedule.pk]})
    assert "Name of the new schedule" in r.content.decode()
    admin_client.post(
        url,
        {"action": "copy_schedule", "_selected_action": [schedule.pk], "apply": "1",
         "schedule_id": "02", "name": "02 Horaire (été)", "days": 7},
    )  # fmt: skip
    copy = Schedule.objects.get(external_id="02")
    assert copy.name == "02 Horaire (été)" and copy.account == account
    shifts = list(copy.shifts.order_by("start"))
    assert [s.start.astimezone(TORONTO) for s in shifts] == [local(2023, 5, 1), local(2023, 5, 8)]
    assert [s.external_id for s in shifts] == [first.external_id, second.external_id]
    assert not any(s.assignments.exists() for s in shifts)  # copies start empty
    # The same id again: refused with the reason, nothing made.
    r = admin_client.post(
        url,
        {"action": "copy_schedule", "_selected_action": [schedule.pk], "apply": "1",
         "schedule_id": "02", "name": "again", "days": 0},
    )  # fmt: skip
    assert "already has a schedule with this id" in r.content.decode()
    assert Schedule.objects.filter(external_id="02").count() == 1


def test_staff_delete_removes_from_use_and_keeps_history(admin_client, account):
    _schedule, first, _second, anthony, _l = seed_schedule(account)
    services.assign(first, anthony, actor=ME)
    # The shift has begun (2023): removing it corrects the past, with the reason.
    delete = reverse("admin:oncall_shift_delete", args=[first.pk])
    admin_client.post(delete, {"post": "yes", "past_reason": "Made by mistake"})
    first.refresh_from_db()
    assert first.removed_at is not None
    assert first.assignments.count() == 1
    assert services.on_call_at(account, local(2023, 4, 25, 10)) == []


def test_staff_create_a_shift(admin_client, account):
    schedule, *_ = seed_schedule(account)
    r = admin_client.post(
        reverse("admin:oncall_shift_add"),
        {
            "schedule": schedule.pk,
            "external_id": "",
            "start_0": "2023-05-08",
            "start_1": "11:30:00",
            "end_0": "2023-05-15",
            "end_1": "11:30:00",
            "rank": 0,
            "name": "Rotation",
            "role": "OC",
            # 2023 is the past: staff say why they correct it (tests/oncall/test_back_office_times).
            "past_reason": "Entered late",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Shift.objects.filter(schedule=schedule).count() == 3
    assert services.on_call_at(account, local(2023, 5, 9, 10))[0]["source"] == "unassigned"


def test_staff_see_the_back_office_buttons_on_the_page(client, make_user, account):
    seed_schedule(account)
    staff = make_user("staffer", account, is_staff=True)
    staff_login(client, staff)  # tests/twofactor.py
    html = client.get(
        reverse("oncall", kwargs={"account_number": "4000"}) + "?date=2023-05-01"
    ).content.decode()
    assert reverse("admin:oncall_shift_add") in html


def test_a_shift_moved_keeps_its_overrides_only_where_they_still_fit(account):
    schedule, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=ME)
    services.upsert_shift(schedule, "2023-05-01", start=local(2023, 5, 2), end=local(2023, 5, 8))
    entries = services.on_call_at(account, local(2023, 5, 2, 10))
    assert (entries[0]["source"], entries[0]["contact"]["name"]) == ("override", "Luc Lambert")
    assert entries[0]["on_call_from"] == "2023-05-02T07:30:00-04:00"
    assert services.on_call_at(account, local(2023, 5, 1, 10)) == []  # no shift there any more
    assert (
        services.on_call_at(account, local(2023, 5, 4, 10))[0]["contact"]["name"] == "Anthony Giosi"
    )
    second.refresh_from_db()
    (luc_override,) = services.active_overrides(second)  # cut to the shift, shown so
    assert (luc_override.start, luc_override.end) == (local(2023, 5, 2), local(2023, 5, 3))
    assert services.active_base(second).start == local(2023, 5, 2)
    event = ScheduleEvent.objects.filter(shift=second, action="shift_updated").get()
    assert event.before["overrides"][0]["start"] == "2023-05-01T11:30:00+00:00"
    assert event.after["overrides"][0]["start"] == "2023-05-02T11:30:00+00:00"


def test_a_shortened_shift_revokes_the_overrides_left_outside_it(account):
    schedule, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.override(second, luc, local(2023, 5, 2), local(2023, 5, 3), actor=ME)
    services.override(second, luc, local(2023, 5, 6), local(2023, 5, 7), actor=ME)
    services.upsert_shift(schedule, "2023-05-01", start=local(2023, 5, 1), end=local(2023, 5, 4))
    second.refresh_from_db()
    kept = services.active_overrides(second)
    assert [(o.start, o.end) for o in kept] == [(local(2023, 5, 2), local(2023, 5, 3))]
    gone = second.assignments.exclude(revoked_at=None).get()
    assert gone.start == local(2023, 5, 6) and gone.revoked_by_name
    # Moved back, the shift does not bring it back: it was revoked, and the history says so.
    services.upsert_shift(schedule, "2023-05-01", start=local(2023, 5, 1), end=local(2023, 5, 8))
    assert len(services.active_overrides(second)) == 1
    event = (
        ScheduleEvent.objects.filter(shift=second, action="shift_updated")
        .order_by("at", "id")
        .first()
    )
    assert len(event.before["overrides"]) == 2 and len(event.after["overrides"]) == 1
