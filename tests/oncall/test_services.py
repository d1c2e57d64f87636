"""The on-call rules, as the seed's manual states them, through the services."""

import pytest

from portal.oncall import services
from portal.oncall.models import Assignment, OnCallInterval, ScheduleEvent
from portal.oncall.services import Actor, OnCallError, StaleShift
from tests.oncall.helpers import local, seed_schedule

pytestmark = pytest.mark.django_db
ME = Actor(name="tester")


def who(account, at):
    return [
        (e["source"], e["contact"] and e["contact"]["name"])
        for e in services.on_call_at(account, at)
    ]


def test_an_empty_shift_is_reported_as_unassigned_not_as_nothing(account):
    seed_schedule(account)
    assert who(account, local(2023, 5, 2, 10)) == [("unassigned", None)]


def test_assign_makes_the_contact_the_person_on_call(account):
    _s, _first, second, anthony, _luc = seed_schedule(account)
    changed = services.assign(second, anthony, actor=ME, comment="semaine 18")
    assert changed == [second]
    assert who(account, local(2023, 5, 2, 10)) == [("assignment", "Anthony Giosi")]
    assert who(account, local(2023, 4, 30, 10)) == [("unassigned", None)]


def test_an_override_covers_part_of_the_shift_and_unassigning_it_restores_the_person(account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    o = services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=ME)
    assert who(account, local(2023, 5, 2, 10)) == [("override", "Luc Lambert")]
    assert who(account, local(2023, 5, 4, 10)) == [("assignment", "Anthony Giosi")]
    services.unassign_override(o, actor=ME)
    assert who(account, local(2023, 5, 2, 10)) == [("assignment", "Anthony Giosi")]
    o.refresh_from_db()
    assert o.revoked_at is not None  # revoked, never deleted


def test_an_override_starting_before_the_shift_is_refused_and_nothing_is_saved(account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    before = list(OnCallInterval.objects.values_list("start", "end", "source", "contact"))
    with pytest.raises(OnCallError) as err:
        services.override(second, luc, local(2023, 4, 30), local(2023, 5, 3), actor=ME)
    assert str(err.value) == "The Start time cannot occur before the original shift start time."
    with pytest.raises(OnCallError) as err:
        services.override(second, luc, local(2023, 5, 2), local(2023, 5, 9), actor=ME)
    assert str(err.value) == "The End time cannot occur after the original shift end time."
    assert not Assignment.objects.filter(kind=Assignment.OVERRIDE).exists()
    assert list(OnCallInterval.objects.values_list("start", "end", "source", "contact")) == before


def test_the_newest_override_wins_where_overrides_overlap(account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    from tests.oncall.helpers import contact

    marie = contact(account, "marie", "Marie Roy")
    services.assign(second, anthony, actor=ME)
    services.override(second, luc, local(2023, 5, 1), local(2023, 5, 4), actor=ME)
    services.override(second, marie, local(2023, 5, 3), local(2023, 5, 5), actor=ME)
    assert who(account, local(2023, 5, 2, 10)) == [("override", "Luc Lambert")]
    assert who(account, local(2023, 5, 3, 10)) == [("override", "Marie Roy")]
    assert who(account, local(2023, 5, 5, 10)) == [("assignment", "Anthony Giosi")]


def test_unassign_on_the_base_assignment_empties_the_shift(account):
    _s, _first, second, anthony, _luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.unassign(second, actor=ME)
    assert who(account, local(2023, 5, 2, 10)) == [("unassigned", None)]
    assert Assignment.objects.get().revoked_at is not None


def test_swap_exchanges_the_people_of_two_shifts(account):
    _s, first, second, anthony, luc = seed_schedule(account)
    services.assign(first, luc, actor=ME)
    services.assign(second, anthony, actor=ME)
    services.swap(first, second, actor=ME)
    assert who(account, local(2023, 4, 25, 10)) == [("assignment", "Anthony Giosi")]
    assert who(account, local(2023, 5, 2, 10)) == [("assignment", "Luc Lambert")]


def test_a_comment_never_changes_who_is_on_call(account):
    _s, _first, second, anthony, _luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.comment(second, "Luc Lambert will be on call", actor=ME)
    assert who(account, local(2023, 5, 2, 10)) == [("assignment", "Anthony Giosi")]


def test_a_stale_edit_is_refused_with_the_new_state(account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    seen = second.version
    services.assign(second, anthony, actor=Actor(name="someone else"))
    with pytest.raises(StaleShift) as err:
        services.assign(second, luc, actor=ME, expected_version=seen)
    assert err.value.shift.version == seen + 1
    assert who(account, local(2023, 5, 2, 10)) == [("assignment", "Anthony Giosi")]


def test_every_change_is_in_the_history_with_who_before_and_after(account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.assign(second, luc, actor=ME)
    event = ScheduleEvent.objects.filter(action="assign").first()  # newest first
    assert event.actor_name == "tester"
    assert event.before["assignment"]["contact"]["name"] == "Anthony Giosi"
    assert event.after["assignment"]["contact"]["name"] == "Luc Lambert"
    assert Assignment.objects.count() == 2


def test_a_contact_of_another_account_cannot_be_assigned(account, other_account):
    from tests.oncall.helpers import contact

    _s, _first, second, _anthony, _luc = seed_schedule(account)
    stranger = contact(other_account, "x", "Stranger")
    with pytest.raises(OnCallError):
        services.assign(second, stranger, actor=ME)
