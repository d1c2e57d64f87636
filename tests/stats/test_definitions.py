"""Each boundary of the contract's definitions, and each filter, against a small reference
computation written here in plain Python from the calls as they were pushed."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal.accounts.models import AccountGroup
from portal.stats.services import Filters, statistics
from tests.stats.examples import TORONTO, call, ingest


def _pct(part, base):
    if not base:
        return None
    return (Decimal(part) * 100 / Decimal(base)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _mean(total, n, step):
    if not n:
        return None
    return (Decimal(str(total)) / n).quantize(Decimal(step), ROUND_HALF_UP)


def reference(calls):
    """The contract's table, read literally, over calls (dicts as pushed) already filtered."""
    calls = [c for c in calls if c["direction"] == "in" and c["kind"] == "voice"]
    T = [c for c in calls if c["duration_s"] > 6 and not c["busy"]]

    def automated(c):
        if c.get("queued_s") is None:
            return True
        if c.get("answered_s") is not None:
            return c["duration_s"] - c["answered_s"] < 10
        return c["duration_s"] - c["queued_s"] < 10

    A = [c for c in T if automated(c)]
    G = [c for c in T if not automated(c)]
    S = [c for c in G if c.get("assigned_s") is None]
    N = [c for c in G if c.get("assigned_s") is not None]
    B = [c for c in N if c.get("answered_s") is None]
    R = [c for c in N if c.get("answered_s") is not None]
    worked = [c["work_s"] for c in R if c.get("work_s") is not None]
    H = [c for c in R if any(h > 10 for h in c.get("holds_s") or [])]
    waits = [Decimal(str(c["answered_s"])) - Decimal(str(c["queued_s"])) for c in R]
    W = [c for c, w in zip(R, waits, strict=True) if w <= 30]
    P = [c for c in T if (c.get("patch_s") or 0) > 0]
    busies = [c for c in calls if c["busy"]]
    patch_total = sum(Decimal(str(c["patch_s"])) for c in P)
    return {
        "total_incoming": (len(T), _pct(len(T), len(T))),
        "automated": (len(A), _pct(len(A), len(T))),
        "agent_calls": (len(G), _pct(len(G), len(T))),
        "system_abandon": (len(S), _pct(len(S), len(G))),
        "assigned": (len(N), _pct(len(N), len(T))),
        "agent_abandon": (len(B), _pct(len(B), len(N))),
        "answered_of_total": (len(R), _pct(len(R), len(T))),
        "answered_of_assigned": (len(R), _pct(len(R), len(N))),
        "avg_work_s": (_mean(sum(Decimal(str(w)) for w in worked), len(worked), "1"), None),
        "held": (len(H), _pct(len(H), len(T))),
        "avg_hold_s": (
            _mean(sum(Decimal(str(h)) for c in H for h in c["holds_s"]), len(H), "1"),
            None,
        ),
        "avg_wait_s": (_mean(sum(waits), len(waits), "0.1"), None),
        "within_30s": (len(W), _pct(len(W), len(R))),
        "patches": (len(P), None),
        "patch_min": (
            (patch_total / 60).quantize(Decimal("0.01"), ROUND_HALF_UP) if P else None,
            None,
        ),
        "busies": (len(busies), None),
    }


def computed(filters):
    out = {}
    for key, f in statistics(filters).items():
        value = f["value"]
        out[key] = (Decimal(value) if value is not None else None, f["pct"])
    return out


def normalised(ref):
    return {k: (Decimal(v) if v is not None else None, p) for k, (v, p) in ref.items()}


# --- Boundaries -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "duration,counted", [(6.0, False), (6.001, True), (7.0, True)], ids=["6s", "6.001s", "7s"]
)
def test_a_call_counts_only_when_it_lasts_longer_than_6_seconds(
    account, make_token, api, duration, counted
):
    ingest(api, make_token(), [call(duration=duration)])
    assert statistics(Filters(accounts=[account]))["total_incoming"]["value"] == int(counted)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "after_answer,automated", [(9.999, True), (10.0, False)], ids=["9.999s", "10s"]
)
def test_an_answered_caller_who_hangs_up_within_10_seconds_is_automated(
    account, make_token, api, after_answer, automated
):
    ingest(api, make_token(), [call(queued=2, assigned=4, answered=5, duration=5 + after_answer)])
    figures = statistics(Filters(accounts=[account]))
    assert figures["automated"]["value"] == int(automated)
    assert figures["answered_of_total"]["value"] == int(not automated)


@pytest.mark.django_db
@pytest.mark.parametrize("after_zero,automated", [(9.5, True), (10.0, False)], ids=["9.5s", "10s"])
def test_a_caller_who_waited_less_than_10_seconds_after_pressing_0_is_automated(
    account, make_token, api, after_zero, automated
):
    ingest(api, make_token(), [call(queued=20, duration=20 + after_zero)])
    figures = statistics(Filters(accounts=[account]))
    assert figures["automated"]["value"] == int(automated)
    assert figures["system_abandon"]["value"] == int(not automated)
    assert figures["system_abandon"]["pct"] == (None if automated else Decimal("100.0"))


@pytest.mark.django_db
@pytest.mark.parametrize("wait,within", [(30.0, True), (30.001, False)], ids=["30s", "30.001s"])
def test_a_call_reaches_an_agent_within_30_seconds_including_30(
    account, make_token, api, wait, within
):
    ingest(api, make_token(), [call(queued=1, assigned=1, answered=1 + wait, duration=100)])
    figures = statistics(Filters(accounts=[account]))
    assert figures["within_30s"]["value"] == int(within)
    assert figures["within_30s"]["pct"] == Decimal("100.0" if within else "0.0")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "holds,held", [([10.0], False), ([10.0, 10.0, 9.0], False), ([10.001], True), ([3, 11], True)]
)
def test_a_call_is_held_only_with_a_hold_of_more_than_10_seconds(
    account, make_token, api, holds, held
):
    ingest(api, make_token(), [call(queued=1, assigned=2, answered=3, duration=100, holds=holds)])
    figures = statistics(Filters(accounts=[account]))
    assert figures["held"]["value"] == int(held)
    expected = (Decimal(str(sum(holds))).quantize(Decimal("1"), ROUND_HALF_UP)) if held else None
    assert figures["avg_hold_s"]["value"] == expected


@pytest.mark.django_db
def test_busies_count_at_any_duration_and_are_not_incoming_calls(account, make_token, api):
    ingest(api, make_token(), [call(duration=2, busy=True), call(duration=60, busy=True)])
    figures = statistics(Filters(accounts=[account]))
    assert figures["busies"]["value"] == 2
    assert figures["total_incoming"]["value"] == 0
    # Every percentage over an empty base is blank, never 0 or an error.
    assert all(f["pct"] is None for f in figures.values())
    assert figures["avg_wait_s"]["value"] is None


@pytest.mark.django_db
def test_patch_time_is_in_minutes_with_two_decimals(account, make_token, api):
    ingest(
        api,
        make_token(),
        [
            call(queued=1, assigned=2, answered=3, duration=200, patch=61),
            call(queued=1, assigned=2, answered=3, duration=200, patch=30.5),
        ],
    )
    figures = statistics(Filters(accounts=[account]))
    assert figures["patches"]["value"] == 2
    assert figures["patch_min"]["value"] == Decimal("1.53")  # 91.5 s = 1.525 min, half up


@pytest.mark.django_db
def test_percentages_round_half_up(account, make_token, api):
    # 1 of 8 = 12.5 % exactly; 1 of 16 = 6.25 % → 6.3 (half up, not to even).
    calls = [call(duration=60)]
    calls += [call(queued=1, assigned=2, answered=3, duration=100) for _ in range(15)]
    ingest(api, make_token(), calls)
    figures = statistics(Filters(accounts=[account]))
    assert figures["automated"]["pct"] == Decimal("6.3")
    assert figures["agent_calls"]["pct"] == Decimal("93.8")


# --- Filters against the reference ----------------------------------------------------------


def random_calls(rng, accounts, start, days):
    calls = []
    for _ in range(600):
        day = start + dt.timedelta(days=rng.randrange(days))
        at = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
        shape = rng.random()
        q = round(rng.uniform(0, 8), 3)
        d = round(rng.uniform(2, 400), 3)
        kw = {}
        if shape < 0.15:
            kw = {}
        elif shape < 0.3:
            kw = {"queued": min(q, d)}
        elif shape < 0.4:
            a = min(q + rng.uniform(0, 40), d)
            kw = {"queued": min(q, a), "assigned": a}
        else:
            a = q + rng.uniform(0, 5)
            ans = a + rng.choice([0, rng.uniform(0, 80), 25, 29.999])
            d = max(d, ans + rng.uniform(0, 300))
            kw = {
                "queued": q,
                "assigned": round(a, 3),
                "answered": round(ans, 3),
                "work": round(rng.uniform(10, 300), 3),
                "holds": rng.choice([None, [10.0], [rng.uniform(0, 60)], [5, 12.5]]),
                "patch": rng.choice([None, None, 0, rng.uniform(1, 200)]),
            }
        for k in ("assigned", "answered"):
            if k in kw:
                kw[k] = round(min(kw[k], d), 3)
        if "answered" in kw:
            kw["assigned"] = min(kw["assigned"], kw["answered"])
            kw["queued"] = min(kw["queued"], kw["assigned"])
        elif "assigned" in kw:
            kw["queued"] = min(kw["queued"], kw["assigned"])
        calls.append(
            call(
                account=rng.choice(accounts).number,
                at=at,
                duration=round(d, 3),
                agent=rng.choice(["ELD", "DOM", "KAL", None]),
                dgroup=rng.choice([0, 1, 2]),
                busy=rng.random() < 0.03,
                direction="out" if rng.random() < 0.05 else "in",
                kind="transaction" if rng.random() < 0.05 else "voice",
                **kw,
            )
        )
    return calls


def local(c):
    return dt.datetime.fromisoformat(c["started_at"]).astimezone(TORONTO)


def wait_of(c):
    if c.get("answered_s") is None:
        return None
    return c["answered_s"] - c["queued_s"]


@pytest.fixture
def dataset(make_account, make_token, api, account):
    """600 calls over three accounts (two in group 1, one in group 2) and a month that
    includes the spring DST change (12 March 2023 in Toronto)."""
    g1, _ = AccountGroup.objects.get_or_create(number=1)
    g2, _ = AccountGroup.objects.get_or_create(number=2)
    second = make_account("4001", "SECOND")
    third = make_account("4002", "THIRD")
    account.groups.add(g1)
    second.groups.add(g1)
    third.groups.add(g2)
    accounts = [account, second, third]
    calls = random_calls(random.Random(5), accounts, dt.date(2023, 3, 1), 31)
    ingest(api, make_token(), calls)
    return accounts, calls


FILTERS = {
    "dates": (
        {"start": dt.date(2023, 3, 10), "end": dt.date(2023, 3, 13)},
        lambda c, a: dt.date(2023, 3, 10) <= local(c).date() <= dt.date(2023, 3, 13),
    ),
    "naive timestamps, read in the account's zone": (
        {"start": dt.datetime(2023, 3, 12, 1, 30), "end": dt.datetime(2023, 3, 12, 3, 30)},
        lambda c, a: (
            dt.datetime(2023, 3, 12, 1, 30)
            <= local(c).replace(tzinfo=None, second=0)
            <= dt.datetime(2023, 3, 12, 3, 30)
        ),
    ),
    "calls after and before": (
        {"after": dt.time(8, 0), "before": dt.time(12, 0)},
        lambda c, a: dt.time(8, 0) <= local(c).time().replace(second=0) <= dt.time(12, 0),
    ),
    "a window across midnight": (
        {"after": dt.time(22, 0), "before": dt.time(5, 59)},
        lambda c, a: local(c).time() >= dt.time(22, 0) or local(c).time() < dt.time(6, 0),
    ),
    "day of week": ({"weekdays": [0]}, lambda c, a: local(c).weekday() == 0),
    "agent": ({"agent": "eld"}, lambda c, a: c.get("agent") == "ELD"),
    "hold time": (
        {"hold_gt": 10},
        lambda c, a: sum(c.get("holds_s") or []) > 10,
    ),
    "response delay": (
        {"delay_gt": 25},
        lambda c, a: wait_of(c) is not None and wait_of(c) > 25,
    ),
    "include account groups": ({"groups": [1]}, lambda c, a: c["account"] in ("4000", "4001")),
    "exclude account groups": ({"exclude_groups": [1]}, lambda c, a: c["account"] == "4002"),
    "include distribution groups": (
        {"dgroups": [1, 2]},
        lambda c, a: c["distribution_group"] in (1, 2),
    ),
    "exclude distribution groups": (
        {"exclude_dgroups": [0]},
        lambda c, a: c["distribution_group"] != 0,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_matches_the_reference(dataset, name):
    accounts, calls = dataset
    kwargs, keep = FILTERS[name]
    expected = reference([c for c in calls if keep(c, accounts)])
    assert expected["total_incoming"][0] > 0 or name.startswith("naive")
    assert computed(Filters(accounts=accounts, **kwargs)) == normalised(expected)


@pytest.mark.django_db
def test_all_filters_together_match_the_reference(dataset):
    accounts, calls = dataset
    kwargs = {
        "start": dt.date(2023, 3, 5),
        "end": dt.date(2023, 3, 25),
        "after": dt.time(6, 0),
        "before": dt.time(20, 0),
        "dgroups": [0, 1],
        "groups": [1],
    }
    keep = [
        c
        for c in calls
        if dt.date(2023, 3, 5) <= local(c).date() <= dt.date(2023, 3, 25)
        and dt.time(6, 0) <= local(c).time().replace(second=0) <= dt.time(20, 0)
        and c["distribution_group"] in (0, 1)
        and c["account"] in ("4000", "4001")
    ]
    assert computed(Filters(accounts=accounts, **kwargs)) == normalised(reference(keep))


@pytest.mark.django_db
def test_account_groups_never_reach_an_account_the_login_does_not_have(dataset):
    accounts, calls = dataset
    mine = [accounts[0]]  # 4000 is in group 1 with 4001, which this login does not have
    expected = reference([c for c in calls if c["account"] == "4000"])
    assert computed(Filters(accounts=mine, groups=[1])) == normalised(expected)
    assert computed(Filters(accounts=mine, groups=[2]))["total_incoming"][0] == 0


@pytest.mark.django_db
def test_the_local_day_follows_the_dst_change(account, make_token, api):
    # 12 March 2023: Toronto jumps from 02:00 to 03:00. 23:30 local on the 11th is 04:30 UTC
    # on the 12th; 23:30 on the 12th is 03:30 UTC on the 13th.
    calls = [
        {**call(duration=60), "started_at": "2023-03-12T04:30:00+00:00"},
        {**call(duration=60), "started_at": "2023-03-13T03:30:00+00:00"},
        {**call(duration=60), "started_at": "2023-03-12T07:15:00+00:00"},  # 03:15 EDT
    ]
    ingest(api, make_token(), calls)
    day = statistics(
        Filters(accounts=[account], start=dt.date(2023, 3, 12), end=dt.date(2023, 3, 12))
    )
    assert day["total_incoming"]["value"] == 2
    late = statistics(Filters(accounts=[account], after=dt.time(23, 0)))
    assert late["total_incoming"]["value"] == 2
    early = statistics(Filters(accounts=[account], after=dt.time(3, 0), before=dt.time(3, 30)))
    assert early["total_incoming"]["value"] == 1
