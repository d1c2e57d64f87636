"""Random sequences of assign, recurring assign, override, unassign and swap: after each step,
the stored "who is on call" equals a plain reference computed from the actions, overrides
never leave their shift, and unassigning an override restores exactly the earlier state."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.oncall import services
from portal.oncall.models import Assignment, OnCallInterval
from portal.oncall.services import Actor, OnCallError
from tests.oncall.helpers import TORONTO, contact, local

pytestmark = pytest.mark.django_db
ME = Actor(name="prop")
N_SHIFTS, N_CONTACTS = 4, 3
HOUR = dt.timedelta(hours=1)

ops = st.one_of(
    st.tuples(st.just("assign"), st.integers(0, N_SHIFTS - 1), st.integers(0, N_CONTACTS - 1)),
    st.tuples(
        st.just("recurring"),
        st.integers(0, N_SHIFTS - 1),
        st.integers(0, N_CONTACTS - 1),
        st.integers(0, 4),  # weeks later
    ),
    st.tuples(
        st.just("override"),
        st.integers(0, N_SHIFTS - 1),
        st.integers(0, N_CONTACTS - 1),
        st.integers(-24, 24 * 7 + 24),  # hours from the shift start, may fall outside
        st.integers(1, 24 * 7),
        st.booleans(),  # undo it right away
    ),
    st.tuples(st.just("unassign"), st.integers(0, N_SHIFTS - 1)),
    st.tuples(st.just("unassign_override"), st.integers(0, N_SHIFTS - 1), st.integers(0, 5)),
    st.tuples(st.just("swap"), st.integers(0, N_SHIFTS - 1), st.integers(0, N_SHIFTS - 1)),
)


class Reference:
    """Who is on call, from the actions alone: base person, then overrides, newest first."""

    def __init__(self, shifts):
        self.shifts = shifts
        self.base = {s.pk: None for s in shifts}
        self.overrides = {s.pk: [] for s in shifts}  # [(pk, contact, start, end)] oldest first

    def who(self, shift, at):
        if not (shift.start <= at < shift.end):
            return None
        for _pk, c, s, e in reversed(self.overrides[shift.pk]):
            if s <= at < e:
                return ("override", c.external_id)
        b = self.base[shift.pk]
        return ("assignment", b.external_id) if b else ("unassigned", None)

    def instants(self):
        points = set()
        for s in self.shifts:
            points.update(
                {s.start, s.end - dt.timedelta(seconds=1), s.start + (s.end - s.start) / 2}
            )
            for _pk, _c, a, b in self.overrides[s.pk]:
                points.update({a, b - dt.timedelta(seconds=1), b, a - dt.timedelta(seconds=1)})
        return sorted(points)


def stored(account):
    return list(
        OnCallInterval.objects.filter(account=account)
        .order_by("shift_id", "start")
        .values_list("shift_id", "start", "end", "source", "contact_id", "assignment_id")
    )


def check(account, ref):
    for at in ref.instants():
        got = {
            e["shift_id"]: (e["source"], e["contact"] and e["contact"]["id"])
            for e in services.on_call_at(account, at)
        }
        want = {s.external_id: ref.who(s, at) for s in ref.shifts if ref.who(s, at)}
        assert got == want, at
    for o in Assignment.objects.filter(kind=Assignment.OVERRIDE):
        assert o.shift.start <= o.start < o.end <= o.shift.end


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(ops, min_size=1, max_size=12))
def test_stored_on_call_equals_the_reference(account, steps):
    with transaction.atomic():
        schedule, _ = services.upsert_schedule(account, "01", "01 Horaire")
        shifts = []
        for i in range(N_SHIFTS):
            shift, _ = services.upsert_shift(
                schedule,
                f"w{i}",
                start=services.add_local_days(local(2023, 3, 6), 7 * i, TORONTO),
                end=services.add_local_days(local(2023, 3, 13), 7 * i, TORONTO),
            )
            shifts.append(shift)
        people = [contact(account, f"c{j}", f"Contact {j}") for j in range(N_CONTACTS)]
        ref = Reference(shifts)
        for step in steps:
            kind = step[0]
            if kind == "assign":
                _, i, j = step
                services.assign(shifts[i], people[j], actor=ME)
                ref.base[shifts[i].pk] = people[j]
            elif kind == "recurring":
                _, i, j, weeks = step
                last = shifts[i].start.astimezone(TORONTO).date() + dt.timedelta(weeks=weeks)
                services.assign(shifts[i], people[j], actor=ME, recurring_until=last)
                for s in shifts[i:]:
                    if s.start.astimezone(TORONTO).date() <= last:
                        ref.base[s.pk] = people[j]
            elif kind == "override":
                _, i, j, offset, length, undo = step
                s = shifts[i]
                a, b = s.start + offset * HOUR, s.start + (offset + length) * HOUR
                before = stored(account)
                if a < s.start or b > s.end:
                    with pytest.raises(OnCallError):
                        services.override(s, people[j], a, b, actor=ME)
                    assert stored(account) == before  # nothing saved
                    continue
                o = services.override(s, people[j], a, b, actor=ME)
                if undo:
                    services.unassign_override(o, actor=ME)
                    assert stored(account) == before  # exactly the earlier state
                else:
                    ref.overrides[s.pk].append((o.pk, people[j], a, b))
            elif kind == "unassign":
                _, i = step
                if ref.base[shifts[i].pk] is None:
                    with pytest.raises(OnCallError):
                        services.unassign(shifts[i], actor=ME)
                else:
                    services.unassign(shifts[i], actor=ME)
                    ref.base[shifts[i].pk] = None
            elif kind == "unassign_override":
                _, i, k = step
                active = ref.overrides[shifts[i].pk]
                if active:
                    pk, *_rest = active.pop(k % len(active))
                    services.unassign_override(Assignment.objects.get(pk=pk), actor=ME)
            elif kind == "swap":
                _, i, k = step
                a, b = shifts[i], shifts[k]
                if i == k or (ref.base[a.pk] is None and ref.base[b.pk] is None):
                    with pytest.raises(OnCallError):
                        services.swap(a, b, actor=ME)
                else:
                    services.swap(a, b, actor=ME)
                    ref.base[a.pk], ref.base[b.pk] = ref.base[b.pk], ref.base[a.pk]
            check(account, ref)
        transaction.set_rollback(True)


# --- The past is history (issue 12) ------------------------------------------------------
#
# Client actions at increasing times, the services' clock moved for real (portal.clock): the
# answer of on_call_at for any instant before an action is the same after it — whether the
# action is refused or not, and for a contact deleted from the directory too.

client_ops = st.one_of(
    st.tuples(st.just("assign"), st.integers(0, N_SHIFTS - 1), st.integers(0, N_CONTACTS - 1)),
    st.tuples(
        st.just("recurring"),
        st.integers(0, N_SHIFTS - 1),
        st.integers(0, N_CONTACTS - 1),
        st.integers(0, 4),
    ),
    st.tuples(
        st.just("override"),
        st.integers(0, N_SHIFTS - 1),
        st.integers(0, N_CONTACTS - 1),
        st.integers(-24, 24 * 7),  # hours from the shift start: may be in the past
        st.integers(1, 24 * 7),
    ),
    st.tuples(st.just("unassign"), st.integers(0, N_SHIFTS - 1)),
    st.tuples(st.just("unassign_override"), st.integers(0, N_SHIFTS - 1), st.integers(0, 5)),
    st.tuples(st.just("swap"), st.integers(0, N_SHIFTS - 1), st.integers(0, N_SHIFTS - 1)),
    st.tuples(st.just("delete_contact"), st.integers(0, N_CONTACTS - 1)),
)


def answers(account, instants):
    return [
        sorted(
            (e["shift_id"], e["source"], e["contact"] and e["contact"]["id"])
            for e in services.on_call_at(account, at)
        )
        for at in instants
    ]


def client_action(step, shifts, people):
    from portal.directory.services import delete_contact

    kind = step[0]
    if kind == "assign":
        services.assign(shifts[step[1]], people[step[2]], actor=ME)
    elif kind == "recurring":
        s = shifts[step[1]]
        last = s.start.astimezone(TORONTO).date() + dt.timedelta(weeks=step[3])
        services.assign(s, people[step[2]], actor=ME, recurring_until=last)
    elif kind == "override":
        s = shifts[step[1]]
        a = s.start + step[3] * HOUR
        services.override(s, people[step[2]], a, a + step[4] * HOUR, actor=ME)
    elif kind == "unassign":
        services.unassign(shifts[step[1]], actor=ME)
    elif kind == "unassign_override":
        s = shifts[step[1]]
        active = list(s.assignments.filter(kind=Assignment.OVERRIDE, revoked_at=None))
        if active:
            services.unassign_override(active[step[2] % len(active)], actor=ME)
    elif kind == "swap":
        services.swap(shifts[step[1]], shifts[step[2]], actor=ME)
    else:
        delete_contact(people[step[1]], actor_name="prop")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 24 * 9), client_ops),  # hours the clock moves on, the action
        min_size=1,
        max_size=10,
    )
)
def test_client_actions_never_change_the_past(account, steps):
    first = local(2023, 3, 6)
    with transaction.atomic(), services.clock_at(first - dt.timedelta(days=2)):
        schedule, _ = services.upsert_schedule(account, "01", "01 Horaire")
        shifts = [
            services.upsert_shift(
                schedule,
                f"w{i}",
                start=services.add_local_days(first, 7 * i, TORONTO),
                end=services.add_local_days(first, 7 * (i + 1), TORONTO),
            )[0]
            for i in range(N_SHIFTS)
        ]
        people = [contact(account, f"c{j}", f"Contact {j}") for j in range(N_CONTACTS)]
        for j, s in enumerate(shifts):  # planned ahead: everyone assigned, one override
            services.assign(s, people[j % N_CONTACTS], actor=ME)
        services.override(shifts[1], people[2], shifts[1].start + 30 * HOUR, shifts[1].start + 60 * HOUR, actor=ME)  # fmt: skip
        grid = [first - HOUR + k * 3 * HOUR for k in range(8 * N_SHIFTS * 7 + 2)]
        now = services._now()
        for hours, step in steps:
            now = now + hours * HOUR
            services.set_clock(now)
            past = [at for at in grid if at < now] + [now - dt.timedelta(seconds=1)]
            before = answers(account, past)
            try:
                client_action(step, shifts, people)
            except OnCallError:
                pass  # refused: nothing may change anyway
            for s in shifts:
                s.refresh_from_db()
            assert answers(account, past) == before, (now, step)
        transaction.set_rollback(True)
