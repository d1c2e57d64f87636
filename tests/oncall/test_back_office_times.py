"""The back office's shift form as a browser posts it: times typed and read in the account's
zone, the clocks' changes (America/Toronto), schedules named with their accounts, a shift's id
fixed once made, a refusal shown alone, and the reason asked when the past is corrected."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from portal.oncall import services
from portal.oncall.models import ScheduleEvent, Shift
from portal.oncall.services import OnCallError
from tests.oncall.helpers import TORONTO, local, seed_schedule

pytestmark = pytest.mark.django_db
ADD = "admin:oncall_shift_add"


def form(schedule, start=("2027-05-03", "07:30"), end=("2027-05-10", "07:30"), **extra):
    data = {
        "schedule": schedule.pk,
        "external_id": "",
        "start_0": start[0],
        "start_1": start[1],
        "end_0": end[0],
        "end_1": end[1],
        "rank": 0,
        "name": "Rotation",
        "role": "OC",
    }
    data.update(extra)
    return data


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_staff_type_7_30_for_a_toronto_account_and_read_it_back(admin_client, account):
    schedule, *_ = seed_schedule(account)
    r = admin_client.post(reverse(ADD), form(schedule, external_id="may-3"))
    assert r.status_code == 302, text(r)[:3000]
    shift = Shift.objects.get(external_id="may-3")
    assert shift.start == dt.datetime(2027, 5, 3, 7, 30, tzinfo=TORONTO)  # not 02:30 / 3:30
    assert shift.start.astimezone(dt.UTC).hour == 11
    # The change form shows what was typed, in the account's zone, and says which zone.
    page = admin_client.get(reverse("admin:oncall_shift_change", args=[shift.pk]))
    html = page.content.decode()
    assert 'name="start_1" value="07:30:00"' in html, html
    assert "2027-05-03 07:30 EDT (America/Toronto)" in text(page)
    # The page runs on the account's clock (the admin's "Now" link and time-difference note).
    offset = int(dt.datetime.now(TORONTO).utcoffset().total_seconds())
    assert f'data-admin-utc-offset="{offset}"' in html
    # And so does the list.
    listing = text(admin_client.get(reverse("admin:oncall_shift_changelist")))
    assert "2027-05-03 07:30 EDT (America/Toronto)" in listing
    assert "2027-05-10 07:30 EDT (America/Toronto)" in listing


def test_a_winter_time_reads_est(admin_client, account):
    schedule, *_ = seed_schedule(account)
    admin_client.post(
        reverse(ADD),
        form(schedule, ("2027-01-04", "07:30"), ("2027-01-11", "07:30"), external_id="jan"),
    )
    shift = Shift.objects.get(external_id="jan")
    assert shift.start.astimezone(dt.UTC).hour == 12
    listing = text(admin_client.get(reverse("admin:oncall_shift_changelist")))
    assert "2027-01-04 07:30 EST (America/Toronto)" in listing


def test_the_repeated_hour_of_november_asks_which_one(admin_client, account):
    schedule, *_ = seed_schedule(account)
    data = form(schedule, ("2027-11-07", "01:30"), ("2027-11-08", "07:30"), external_id="fall")
    r = admin_client.post(reverse(ADD), data)
    assert r.status_code == 200
    words = text(r)
    assert "1:30 occurs twice on November 7 (the clocks go back an hour): choose which." in words
    assert "first 1:30 (EDT)" in words and "second 1:30 (EST)" in words
    assert 'type="radio" name="start_which" value="second"' in r.content.decode()
    assert "Typed in America/Toronto." in words  # the schedule's account is known now
    assert not Shift.objects.filter(external_id="fall").exists()
    # The second 1:30 (EST), as chosen: 06:30 UTC.
    r = admin_client.post(reverse(ADD), {**data, "start_which": "second"})
    assert r.status_code == 302, text(r)[:3000]
    shift = Shift.objects.get(external_id="fall")
    assert shift.start == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)
    # Its form shows the choice again, checked on the second.
    html = admin_client.get(reverse("admin:oncall_shift_change", args=[shift.pk])).content.decode()
    assert re.search(r'name="start_which" value="second"[^>]*checked', html), html
    # The first 1:30 (EDT) is an hour earlier.
    admin_client.post(reverse(ADD), {**data, "external_id": "fall-1", "start_which": "first"})
    first = Shift.objects.get(external_id="fall-1")
    assert first.start == dt.datetime(2027, 11, 7, 5, 30, tzinfo=dt.UTC)


def test_a_time_in_the_skipped_march_hour_says_so(admin_client, account):
    schedule, *_ = seed_schedule(account)
    data = form(schedule, ("2027-03-14", "02:30"), ("2027-03-15", "07:30"), external_id="spring")
    r = admin_client.post(reverse(ADD), data)
    assert r.status_code == 200
    assert "2:30 does not exist on March 14: the clocks go from 2:00 to 3:00." in text(r)
    assert not Shift.objects.filter(external_id="spring").exists()


def test_the_skipped_hour_in_french(admin_client, account):
    from portal.accounts.models import User

    User.objects.filter(username="admin").update(language="fr")
    schedule, *_ = seed_schedule(account)
    data = form(schedule, ("2027-03-14", "02:30"), ("2027-03-15", "07:30"), external_id="spring")
    r = admin_client.post(reverse(ADD), data, HTTP_ACCEPT_LANGUAGE="fr")
    words = text(r).replace("\u00a0", " ")
    assert "2h30 n’existe pas le 14 mars : les horloges passent de 2h00 à 3h00." in words


def test_the_schedule_picker_names_the_account(admin_client, account, make_account):
    seed_schedule(account)
    other = make_account("4001", "CLINIQUE")
    services.upsert_schedule(other, "01", "01 Horaire")
    html = admin_client.get(reverse(ADD)).content.decode()
    assert "4000-TEST · 01 Horaire" in html and "4001-CLINIQUE · 01 Horaire" in html
    listing = admin_client.get(reverse("admin:oncall_shift_changelist")).content.decode()
    assert "4000-TEST · 01 Horaire" in listing and "4001-CLINIQUE · 01 Horaire" in listing


def test_a_shift_id_cannot_be_edited_into_a_second_shift(admin_client, account):
    schedule, *_ = seed_schedule(account)
    admin_client.post(reverse(ADD), form(schedule, external_id="may-3"))
    shift = Shift.objects.get(external_id="may-3")
    change = reverse("admin:oncall_shift_change", args=[shift.pk])
    html = admin_client.get(change).content.decode()
    assert 'name="external_id"' not in html  # read-only once made
    assert "may-3" in html
    r = admin_client.post(
        change, form(schedule, ("2027-05-03", "08:00"), external_id="renamed", _save="Save")
    )
    assert r.status_code == 302, text(r)[:3000]
    assert Shift.objects.filter(schedule=schedule).count() == 3  # the seed's two and this one
    shift.refresh_from_db()
    assert shift.external_id == "may-3"
    assert shift.start == dt.datetime(2027, 5, 3, 8, 0, tzinfo=TORONTO)  # the shift moved


def test_a_new_shift_with_a_taken_id_is_refused(admin_client, account):
    schedule, first, *_ = seed_schedule(account)
    r = admin_client.post(reverse(ADD), form(schedule, external_id=first.external_id))
    assert "This schedule already has a shift with this id." in text(r)
    first.refresh_from_db()
    assert first.start == local(2023, 4, 24)


def test_a_refused_edit_shows_only_the_refusal_with_the_values(admin_client, account, monkeypatch):
    schedule, *_ = seed_schedule(account)
    admin_client.post(reverse(ADD), form(schedule, external_id="may-3"), follow=True)
    shift = Shift.objects.get(external_id="may-3")

    def refuse(*args, **kwargs):
        raise OnCallError("This shift no longer exists.")

    monkeypatch.setattr(services, "upsert_shift", refuse)
    change = reverse("admin:oncall_shift_change", args=[shift.pk])
    r = admin_client.post(change, form(schedule, ("2027-05-03", "09:15"), name="Nuit"), follow=True)
    words = text(r)
    assert "This shift no longer exists." in words
    assert "changed successfully" not in words and "was added successfully" not in words
    html = r.content.decode()
    assert 'value="09:15"' in html and 'value="Nuit"' in html  # the values typed are kept
    shift.refresh_from_db()
    assert shift.name == "Rotation" and shift.start.astimezone(TORONTO).hour == 7


def test_correcting_the_past_asks_for_the_reason_and_the_history_keeps_it(
    admin_client, account, client, make_user
):
    schedule, first, *_ = seed_schedule(account)  # 2023: the past
    change = reverse("admin:oncall_shift_change", args=[first.pk])
    data = form(schedule, ("2023-04-24", "08:00"), ("2023-05-01", "07:30"), _save="Save")
    r = admin_client.post(change, data)
    assert r.status_code == 200
    assert "This change touches the past: write the reason for correcting it." in text(r)
    first.refresh_from_db()
    assert first.start == local(2023, 4, 24)  # nothing changed
    r = admin_client.post(change, {**data, "past_reason": "The client phoned: 8:00 that week."})
    assert r.status_code == 302, text(r)[:3000]
    first.refresh_from_db()
    assert first.start == local(2023, 4, 24, 8, 0)
    event = ScheduleEvent.objects.filter(shift=first, action="shift_updated").latest("at")
    assert event.after["past_reason"] == "The client phoned: 8:00 that week."
    # The history shows it: the back office's list of events and the client's History page.
    events = text(admin_client.get(reverse("admin:oncall_scheduleevent_changelist")))
    assert "The client phoned: 8:00 that week." in events
    assert f"{event.at.astimezone(TORONTO):%Y-%m-%d %H:%M} E" in events  # EST / EDT
    member = make_user("member", account)
    client.force_login(member)
    page = client.get(reverse("oncall_history", kwargs={"account_number": "4000"}))
    assert "Past corrected: The client phoned: 8:00 that week." in text(page)


def test_a_coming_shift_needs_no_reason(admin_client, account):
    schedule, *_ = seed_schedule(account)
    r = admin_client.post(reverse(ADD), form(schedule, external_id="soon"))
    assert r.status_code == 302
    assert "Give the reason" not in text(r)


def test_staff_correct_who_was_on_call_with_a_reason(admin_client, account, client, make_user):
    schedule, first, _second, anthony, luc = seed_schedule(account)  # 2023: finished shifts
    url = reverse("admin:oncall_shift_changelist")
    action = {"action": "correct_who_was_on_call", "_selected_action": [first.pk]}
    r = admin_client.post(url, action)
    assert "Reason for correcting the past" in text(r)
    assert "Rotation OC 2023-04-24 07:30 EDT" in text(r)  # the shift, in the account's zone
    # Without a reason: refused, nothing changed.
    r = admin_client.post(url, {**action, "apply": "1", "contact": luc.pk, "past_reason": ""})
    assert "This field is required." in text(r)
    assert services.on_call_at(account, local(2023, 4, 25, 10))[0]["source"] == "unassigned"
    # With one: who was on call then is Luc, and the history says why.
    reason = "Luc took the calls that week (phoned in)."
    r = admin_client.post(url, {**action, "apply": "1", "contact": luc.pk, "past_reason": reason})
    assert r.status_code == 302
    entry = services.on_call_at(account, local(2023, 4, 25, 10))[0]
    assert entry["contact"]["name"] == "Luc Lambert"
    event = ScheduleEvent.objects.filter(shift=first, action="assign").latest("at")
    assert event.after["past_reason"] == reason
    member = make_user("member", account)
    client.force_login(member)
    page = client.get(reverse("oncall_history", kwargs={"account_number": "4000"}))
    assert f"Past corrected: {reason}" in text(page)
    # "Nobody": the shift is unassigned again, with its reason.
    r = admin_client.post(url, {**action, "apply": "1", "contact": "", "past_reason": "Error."})
    assert r.status_code == 302
    assert services.on_call_at(account, local(2023, 4, 25, 10))[0]["source"] == "unassigned"


def test_removing_a_begun_shift_asks_for_the_reason(admin_client, account):
    schedule, first, *_ = seed_schedule(account)  # 2023: begun
    admin_client.post(reverse(ADD), form(schedule, external_id="coming"))
    coming = Shift.objects.get(external_id="coming")
    delete = reverse("admin:oncall_shift_delete", args=[first.pk])
    page = text(admin_client.get(delete))
    assert "This shift has begun" in page and "Reason for correcting the past" in page
    r = admin_client.post(delete, {"post": "yes", "past_reason": " "})
    assert r.status_code == 200
    assert "This change touches the past: write the reason for correcting it." in text(r)
    first.refresh_from_db()
    assert first.removed_at is None
    # Several at once: the coming one goes, the begun one stays (one by one, with a reason).
    url = reverse("admin:oncall_shift_changelist")
    selected = [first.pk, coming.pk]
    r = admin_client.post(
        url, {"action": "remove_shifts", "_selected_action": selected}, follow=True
    )
    assert "1 shift has begun and was kept" in text(r)
    first.refresh_from_db()
    coming.refresh_from_db()
    assert first.removed_at is None and coming.removed_at is not None
    # With the reason: removed, and the history says why.
    r = admin_client.post(delete, {"post": "yes", "past_reason": "Made by mistake"})
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.removed_at is not None
    event = ScheduleEvent.objects.get(shift=first, action="shift_deleted")
    assert event.after["past_reason"] == "Made by mistake"
