"""The audit trail of client reads (issue 13, item 6; contract "Additions of 2026-12",
"Audit trail"): every page, search, dialog, export, recording and API read of client data
made by a member leaves exactly one entry (who, from where, what, on which account and
object, with the criteria); an outsider's 404, a refused token and a signed-out visit leave
none."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AuditLog
from portal.directory.models import InfoPage
from portal.oncall import feeds
from tests.calls.helpers import add_recording, make_call, make_message
from tests.oncall.helpers import seed_schedule
from tests.stats.examples import ingest_billable, ingest_billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(account, other_account, make_token, api):
    """One of each thing a client reads, in account 4000."""
    message = make_message(account, message_id="M-1001")
    call = add_recording(make_call(account, call_id="C-2001", caller_id="5149150123"))
    today = timezone.now().astimezone(account.tz).date()
    ingest_billable(
        api,
        make_token(),
        [
            {
                "transaction_id": "T-1",
                "account": "4000",
                "at": f"{today.isoformat()}T09:00:00-05:00",
                "description": "Appel",
                "number": "5145551234",
                "caller_name": "LUC",
                "agent": "SY1",
                "statistic_s": 90,
            }
        ],
    )
    ingest_billing(
        api,
        make_token(),
        [
            {
                "line_id": "L-1",
                "billing_number": "784000",
                "date": "2023-04-01",
                "description": "NEW BALANCE",
                "amount": "12.00",
                "kind": "new_balance",
            }
        ],
    )
    InfoPage.objects.create(account=account, title="Instructions", body="<p>Urgences</p>")
    schedule, first, _second, _anthony, luc = seed_schedule(account)
    return {
        "message": message,
        "call": call,
        "today": today,
        "schedule": schedule,
        "shift": first,
        "luc": luc,
        "feed": feeds.rotate(account, schedule=schedule),
    }


def last_id() -> int:
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def since(mark: int):
    return list(AuditLog.objects.filter(id__gt=mark).order_by("id"))


@dataclass
class Read:
    """A read: how to make it, and the one entry it leaves."""

    name: str
    do: object  # do(client, world) -> response
    action: str
    object_type: str = ""
    object_id: object = ""  # or a function of the world
    detail: dict = field(default_factory=dict)  # a subset of the entry's detail
    status: int = 200


def get(name, query=None, **kwargs):
    def do(client, w):
        resolved = {k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
        q = query(w) if callable(query) else query
        return client.get(reverse(name, kwargs={"account_number": "4000", **resolved}), q or {})

    return do


def post(name, data):
    def do(client, w):
        return client.post(reverse(name, kwargs={"account_number": "4000"}), data(w))

    return do


def since_an_hour_ago(w):
    return {"since": (timezone.now() - dt.timedelta(hours=1)).isoformat()}


PAGES = [
    Read(
        "inbox",
        get("inbox"),
        "message.search",
        detail={
            "account": "4000",
            "options": ["open", "closed", "urgent"],
            "page": 1,
            "shown": ["M-1001"],
        },
    ),  # fmt: skip
    Read(
        "inbox search",
        get("inbox", {"filtered": "1", "options": "open", "q": "Luc", "agent": "ELD"}),
        "message.search",
        detail={"q": "Luc", "agent": "ELD", "options": ["open"], "shown": ["M-1001"]},
    ),
    Read(
        "message",
        get("message_detail", message_id="M-1001"),
        "message.view",
        "inbox.message",
        "M-1001",
    ),
    Read(
        "new messages (live inbox)",
        get("inbox_poll", since_an_hour_ago),
        "message.poll",
        detail={"shown": ["M-1001"]},
    ),
    Read(
        "messages download",
        post("inbox_export", lambda w: {"format": "csv"}),
        "messages.export",
        detail={"format": "csv", "count": 1},
    ),
    Read(
        "call log search",
        get("calls", {"caller_id": "5149150123", "preset": "hour"}),
        "call.search",
        detail={"caller_id": "5149150123", "preset": "hour", "shown": ["C-2001"], "page": 1},
    ),
    Read(
        "call details",
        get("call_details", call_id="C-2001"),
        "call.view",
        "calls.call",
        "C-2001",
    ),
    Read(
        "voice dialog",
        get("call_voice", call_id="C-2001"),
        "call.voice",
        "calls.call",
        "C-2001",
    ),
    Read(
        "recording played",
        get("call_recording", call_id="C-2001"),
        "recording.play",
        "calls.call",
        "C-2001",
    ),
    Read(
        "recording downloaded",
        get("call_recording", {"download": "1"}, call_id="C-2001"),
        "recording.download",
        "calls.call",
        "C-2001",
    ),
    Read(
        "recordings zip",
        post("calls_download", lambda w: {"ids": ["C-2001"]}),
        "recordings.download",
        "calls.call",
        detail={"calls": ["C-2001"]},
    ),
    Read(
        "call log in Excel",
        get("calls_excel", {"caller_id": "5149150123"}),
        "calls.export",
        detail={"caller_id": "5149150123", "format": "xlsx", "count": 1},
    ),
    Read("billing history", get("billing"), "billing.view", detail={"billing_number": "784000"}),
    Read(
        "billable calls",
        get("billable"),
        "billable.view",
        detail={"count": 1},
    ),
    Read("billable calls in Excel", get("billable_export"), "billable.export", detail={"count": 1}),
    Read(
        "statistics",
        get("stats", lambda w: {"start": "2023-03-01", "end": "2023-03-31", "agent": "ELD"}),
        "stats.view",
        detail={"start": "2023-03-01", "end": "2023-03-31", "agent": "ELD", "hold_gt": None},
    ),
    Read(
        "statistics in Excel",
        get("stats_export", {"start": "2023-03-01", "end": "2023-03-31"}),
        "stats.export",
        detail={"start": "2023-03-01", "end": "2023-03-31"},
    ),
    Read("directory", get("directory"), "directory.view"),
    Read(
        "directory search", get("directory", {"q": "Luc"}), "directory.search", detail={"q": "Luc"}
    ),
    Read("information pages", get("info_pages"), "info_pages.view"),
    Read(
        "on call month",
        get("oncall", {"schedule": "01", "view": "month", "date": "2023-04-24", "q": "Luc"}),
        "oncall.view",
        "oncall.schedule",
        "01",
        detail={"schedule": "01", "view": "month", "date": "2023-04-24", "q": "Luc"},
    ),
    Read(
        "on call dialog",
        get("oncall_comment", lambda w: {"shift": w["shift"].pk}),
        "oncall.dialog",
        "oncall.shift",
        lambda w: str(w["shift"].pk),
        detail={"dialog": "comment", "schedule": "01", "shift_id": "2023-04-24"},
    ),
    Read(
        "on call history",
        get("oncall_history", lambda w: {"schedule": "01", "contact": str(w["luc"].pk)}),
        "oncall.history",
        "oncall.schedule",
        lambda w: "01",
        detail={"page": 1},
    ),
    Read(
        "on call history CSV",
        get("oncall_history_csv", {"schedule": "01", "start": "2023-01-01"}),
        "oncall.history_export",
        "oncall.schedule",
        "01",
        detail={"format": "csv", "start": "2023-01-01"},
    ),
    Read(
        "on call PDF",
        get("oncall_pdf", {"schedule": "01", "view": "list", "date": "2023-04-24"}),
        "oncall.pdf",
        "oncall.schedule",
        "01",
        detail={"view": "list", "date": "2023-04-24"},
    ),
    Read("calendar links", get("oncall_feeds"), "oncall.feeds"),
    Read("home (who is on call now)", get("home"), "home.view"),
]


def check(entry, case: Read, w, actor: str, user=None):
    assert entry.action == case.action
    assert entry.actor == actor
    assert entry.user_id == (user.pk if user else None)
    assert entry.account.number == "4000"
    assert entry.ip == "127.0.0.1"
    assert entry.object_type == case.object_type
    want_id = case.object_id(w) if callable(case.object_id) else case.object_id
    assert entry.object_id == want_id
    for key, value in case.detail.items():
        assert entry.detail.get(key) == value, (key, entry.detail)


@pytest.mark.parametrize("case", PAGES, ids=[c.name for c in PAGES])
def test_a_member_s_read_leaves_one_entry(case, world, member_client, member):
    mark = last_id()
    response = case.do(member_client, world)
    assert response.status_code == case.status, response.content[:300]
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    entries = since(mark)
    assert len(entries) == 1, [(e.action, e.detail) for e in entries]
    check(entries[0], case, world, "member", member)


@pytest.mark.parametrize("case", PAGES, ids=[c.name for c in PAGES])
def test_an_outsider_s_404_and_a_signed_out_visit_record_nothing(
    case, world, outsider_client, anon_client
):
    mark = last_id()
    assert case.do(outsider_client, world).status_code == 404
    signed_out = case.do(anon_client, world)
    assert signed_out.status_code in (302, 401, 403)
    assert since(mark) == []


def test_a_search_over_all_my_accounts_leaves_one_entry_per_account(
    world, make_user, account, other_account, client
):
    both = make_user("both", account, other_account)
    make_message(other_account, message_id="M-5001")
    client.force_login(both)
    mark = last_id()
    client.get(reverse("inbox", args=["4000"]), {"account": "all"})
    entries = since(mark)
    assert sorted(e.account.number for e in entries) == ["4000", "5000"]
    for e in entries:
        assert e.action == "message.search" and e.actor == "both"
        assert e.detail["accounts"] == ["4000", "5000"]
        assert sorted(e.detail["shown"]) == ["M-1001", "M-5001"]


def test_a_refused_search_records_no_read(world, member_client):
    mark = last_id()
    response = member_client.get(
        reverse("inbox", args=["4000"]),
        {"filtered": "1", "start": "2023-05-02", "end": "2023-05-01"},
    )
    assert response.status_code == 200
    assert since(mark) == []


def test_the_calendar_feed_is_read_by_its_secret_link(world, client):
    feed = world["feed"]
    mark = last_id()
    response = client.get(reverse("oncall_ical", kwargs={"token": feed.token}))
    assert response.status_code == 200
    (entry,) = since(mark)
    assert (entry.actor, entry.user_id, entry.action) == ("feed:01 Horaire", None, "oncall.feed")
    assert (entry.account.number, entry.object_type, entry.object_id) == (
        "4000",
        "oncall.calendarfeed",
        str(feed.pk),
    )
    assert entry.detail == {"schedule": "01"}
    assert client.get(reverse("oncall_ical", kwargs={"token": "not-a-token"})).status_code == 404
    assert len(since(mark)) == 1


# --- The API ---------------------------------------------------------------------------

API = [
    Read(
        "messages",
        lambda api, token, w: api("get", "/api/v1/accounts/4000/messages?q=Luc&status=open", token),
        "message.search",
        detail={"q": "Luc", "status": "open", "via": "api", "shown": ["M-1001"]},
    ),
    Read(
        "calls",
        lambda api, token, w: api("get", "/api/v1/accounts/4000/calls?caller_id=5149150123", token),
        "call.search",
        detail={"caller_id": "5149150123", "via": "api", "shown": ["C-2001"]},
    ),
    Read(
        "recording",
        lambda api, token, w: api("get", "/api/v1/accounts/4000/calls/C-2001/recording", token),
        "recording.download",
        "calls.call",
        "C-2001",
        detail={"via": "api"},
    ),
    Read(
        "billable calls",
        lambda api, token, w: api("get", "/api/v1/accounts/4000/billable", token),
        "billable.view",
        detail={"via": "api", "shown": ["T-1"]},
    ),
    Read(
        "statistics",
        lambda api, token, w: api(
            "get", "/api/v1/statistics?accounts=4000&start=2023-03-01&end=2023-03-31", token
        ),
        "stats.view",
        detail={"accounts": "4000", "start": "2023-03-01", "via": "api"},
    ),
    Read(
        "who is on call",
        lambda api, token, w: api(
            "get", "/api/v1/accounts/4000/oncall?at=2023-04-25T12:00:00-04:00&role=OC", token
        ),
        "oncall.now",
        detail={"at": "2023-04-25T12:00:00-04:00", "role": "OC", "via": "api"},
    ),
]


@pytest.mark.parametrize("case", API, ids=[c.name for c in API])
def test_an_api_read_leaves_one_entry_with_the_token_s_name(case, world, make_token, api):
    token = make_token("client", [world["message"].account], name="clinic-app")
    mark = last_id()
    response = case.do(api, token, world)
    assert response.status_code == 200, response.content[:300]
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    entries = since(mark)
    assert len(entries) == 1, [(e.action, e.detail) for e in entries]
    check(entries[0], case, world, "api:clinic-app")


@pytest.mark.parametrize("case", API, ids=[c.name for c in API])
def test_a_refused_token_records_nothing(case, world, other_account, make_token, api):
    elsewhere = make_token("client", [other_account], name="other-app")
    mark = last_id()
    assert case.do(api, elsewhere, world).status_code == 403
    assert case.do(api, "not-a-token", world).status_code == 401
    assert case.do(api, None, world).status_code == 401
    assert since(mark) == []


def test_reading_a_recording_in_pieces_is_one_download(world, make_token, api):
    token = make_token("client", [world["message"].account], name="clinic-app")
    mark = last_id()
    path = "/api/v1/accounts/4000/calls/C-2001/recording"
    for rng in ("bytes=0-99", "bytes=100-199", "bytes=200-"):
        assert api("get", path, token, HTTP_RANGE=rng).status_code == 206
    assert [e.action for e in since(mark)] == ["recording.download"]


# --- What a read costs -----------------------------------------------------------------


def audit_queries(queries) -> list[str]:
    # (PostgreSQL's prepared look-up of who is on call is logged without its text: None)
    return [q["sql"] for q in queries.captured_queries if "accounts_auditlog" in (q["sql"] or "")]


def test_a_page_read_costs_one_insert_and_no_other_query(world, member_client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path, query in (
        ("/a/4000/messages/", {"q": "Luc"}),
        ("/a/4000/calls/", {"caller_id": "5149150123"}),
        ("/a/4000/messages/M-1001/", {}),
        ("/a/4000/directory/", {}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(path, query).status_code == 200
        sql = audit_queries(queries)
        assert len(sql) == 1 and sql[0].startswith("INSERT"), (path, sql)


def test_all_my_accounts_is_one_insert_of_a_row_per_account(
    world, make_user, other_account, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("both", world["message"].account, other_account))
    with CaptureQueriesContext(connection) as queries:
        client.get("/a/4000/calls/", {"account": "all"})
    sql = audit_queries(queries)
    assert len(sql) == 1 and sql[0].startswith("INSERT"), sql


def test_who_is_on_call_asks_nothing_more_than_before(world, make_token, api, settings):
    """The dispatch's look-up: no query of the audit log nor of the account for its entry;
    with the batch (production) not even the INSERT is in the request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.accounts import audit

    token = make_token("oncall:read", name="dispatch")
    path = "/api/v1/accounts/4000/oncall?at=2023-04-25T12:00:00-04:00"
    api("get", path, token)  # the token and the account are cached from here on
    with CaptureQueriesContext(connection) as queries:
        assert api("get", path, token).status_code == 200
    sql = audit_queries(queries)
    assert len(sql) == 1 and "INSERT INTO accounts_auditlog" in sql[0], sql
    assert '(SELECT "id" FROM accounts_account WHERE "number" =' in sql[0]
    others = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"] not in sql and "SAVEPOINT" not in (q["sql"] or "")  # the write's transaction
    ]
    assert len(others) == 1, others  # the look-up itself
    settings.PORTAL = {**settings.PORTAL, "AUDIT_BATCH_SECONDS": 3600}
    with CaptureQueriesContext(connection) as queries:
        assert api("get", path, token).status_code == 200
    assert audit_queries(queries) == [] and len(queries.captured_queries) == 1
    assert audit.flush_batch() == 1
