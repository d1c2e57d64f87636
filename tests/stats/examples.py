"""Call sets whose report is exactly the seeds' examples, and the way they are ingested."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

TORONTO = ZoneInfo("America/Toronto")
_ids = itertools.count(1)


def call(
    account="4000",
    at=None,
    duration=120.0,
    queued=None,
    assigned=None,
    answered=None,
    work=None,
    holds=None,
    patch=None,
    busy=False,
    agent="ELD",
    direction="in",
    kind="voice",
    dgroup=0,
    call_id=None,
):
    """A call as the platform pushes it. `at` is a local (Toronto) datetime."""
    at = at or dt.datetime(2023, 3, 1, 10, 0)
    record = {
        "call_id": call_id or f"C{next(_ids):07d}",
        "account": account,
        "direction": direction,
        "kind": kind,
        "started_at": at.replace(tzinfo=TORONTO).isoformat(),
        "duration_s": duration,
        "distribution_group": dgroup,
        "busy": busy,
    }
    if agent:
        record["agent"] = agent
    for key, value in (
        ("queued_s", queued),
        ("assigned_s", assigned),
        ("answered_s", answered),
        ("work_s", work),
        ("holds_s", holds),
        ("patch_s", patch),
    ):
        if value is not None:
            record[key] = value
    return record


def answered(wait, work=111, holds=None, queued=3.0, talk=150.0, **kw):
    """An answered agent call: the caller asked for an agent at `queued` s, waited `wait` s."""
    ans = queued + wait
    return call(
        queued=queued,
        assigned=max(queued, ans - 2),
        answered=ans,
        duration=ans + talk,
        work=work,
        holds=holds,
        **kw,
    )


def english_example(account="4000"):
    """Seed 001: one call — 100.0 %, average work 192, wait 11.6, within 30 s."""
    return [
        call(
            account,
            dt.datetime(2023, 3, 1, 9, 15),
            duration=250.0,
            queued=2.0,
            assigned=12.0,
            answered=13.6,
            work=192.0,
        )
    ]


def french_example(account="4000"):
    """Seed 002: 61 incoming, 5 automated, 56 agent calls, 6 system abandons, 50 assigned and
    answered, work 111, 4 held (hold 46), wait 31.0, 33 within 30 s, no patch, no busy."""
    day = dt.datetime(2023, 3, 1, 8, 0)
    at = (day + dt.timedelta(minutes=7 * i) for i in itertools.count())
    calls = []
    # 5 automated: handled by the greeting (never asked for an agent), or hung up within 10 s.
    for _ in range(3):
        calls.append(call(account, next(at), duration=40.0, agent=None))
    calls.append(call(account, next(at), duration=12.0, queued=3.0, agent=None))
    calls.append(answered(5.0, talk=9.5, account=account, at=next(at)))
    # 6 system abandons: asked for an agent, hung up 20 s later, before one was assigned.
    for _ in range(6):
        calls.append(call(account, next(at), duration=25.0, queued=5.0, agent=None))
    # 50 answered: 33 within 30 s (wait 10 s), 16 waited 72 s, 1 waited 68 s → mean 31.0.
    waits = [10.0] * 33 + [72.0] * 16 + [68.0]
    works = [100.0, 122.0] * 25  # mean 111
    holds = {0: [40.0], 1: [30.0, 20.0], 2: [46.0], 3: [5.0, 43.0], 4: [10.0], 5: [10.0, 9.0]}
    for i, (wait, work) in enumerate(zip(waits, works, strict=True)):
        calls.append(answered(wait, work=work, holds=holds.get(i), account=account, at=next(at)))
    # Not counted: outgoing, transactions, calls of 6 s or less.
    calls.append(call(account, next(at), direction="out", duration=300.0))
    calls.append(call(account, next(at), kind="transaction", duration=300.0))
    calls.append(call(account, next(at), duration=6.0, queued=1.0))
    return calls


FRENCH_FIGURES = {
    "total_incoming": (61, "100.0"),
    "automated": (5, "8.2"),
    "agent_calls": (56, "91.8"),
    "system_abandon": (6, "10.7"),
    "assigned": (50, "82.0"),
    "agent_abandon": (0, "0.0"),
    "answered_of_total": (50, "82.0"),
    "answered_of_assigned": (50, "100.0"),
    "avg_work_s": (111, None),
    "held": (4, "6.6"),
    "avg_hold_s": (46, None),
    "avg_wait_s": ("31.0", None),
    "within_30s": (33, "66.0"),
    "patches": (0, None),
    "patch_min": (None, None),
    "busies": (0, None),
}

ENGLISH_FIGURES = {
    "total_incoming": (1, "100.0"),
    "automated": (0, "0.0"),
    "agent_calls": (1, "100.0"),
    "system_abandon": (0, "0.0"),
    "assigned": (1, "100.0"),
    "agent_abandon": (0, "0.0"),
    "answered_of_total": (1, "100.0"),
    "answered_of_assigned": (1, "100.0"),
    "avg_work_s": (192, None),
    "held": (0, "0.0"),
    "avg_hold_s": (None, None),
    "avg_wait_s": ("11.6", None),
    "within_30s": (1, "100.0"),
    "patches": (0, None),
    "patch_min": (None, None),
    "busies": (0, None),
}


def push(api, token, path, key, records, service):
    """POST records to an ingest endpoint, 1000 a batch (the service it calls until the
    endpoint is mounted)."""
    for i in range(0, len(records), 1000):
        batch = records[i : i + 1000]
        response = api("post", path, token, json={key: batch})
        if response.status_code == 404:
            service(batch)
            continue
        assert response.status_code == 200, response.content


def ingest(api, token, calls):
    """Push calls through POST /api/v1/ingest/calls."""
    from portal.calls.services import ingest_calls

    push(api, token, "/api/v1/ingest/calls", "calls", calls, ingest_calls)


def ingest_billable(api, token, items):
    from portal.billing.services import ingest_billable as service

    push(api, token, "/api/v1/ingest/billable", "items", items, service)


def ingest_billing(api, token, lines):
    from portal.billing.services import ingest_billing_lines

    push(api, token, "/api/v1/ingest/billing", "lines", lines, ingest_billing_lines)
