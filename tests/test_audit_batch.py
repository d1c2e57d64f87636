"""The dispatch's "who is on call" reads reach the audit trail in batches (accounts.auditbatch):
none is lost, each keeps its own time and account, and a database that refuses the write
neither fails the answer nor drops the entries."""

import time

import pytest

from portal.accounts import audit, auditbatch
from portal.accounts.models import AuditLog
from tests.oncall.helpers import seed_schedule

ONCALL = "/api/v1/accounts/{}/oncall?at=2023-04-25T12:00:00-04:00"


@pytest.fixture
def batched(settings):
    def set_to(seconds, rows=5000):
        settings.PORTAL = {
            **settings.PORTAL,
            "AUDIT_BATCH_SECONDS": seconds,
            "AUDIT_BATCH_ROWS": rows,
        }

    yield set_to
    audit.flush_batch()  # nothing of this test left for the next


def reads():
    return list(AuditLog.objects.filter(action="oncall.now").order_by("id"))


@pytest.mark.django_db
def test_the_reads_wait_then_go_together_each_with_its_time_and_account(
    batched, account, other_account, make_token, api
):
    seed_schedule(account)
    batched(3600, rows=3)
    token = make_token("oncall:read", name="dispatch")
    for number in ("4000", "5000"):
        assert api("get", ONCALL.format(number), token).status_code == 200
    assert auditbatch.pending() == 2 and reads() == []  # nothing written in the request
    assert api("get", ONCALL.format("4000"), token).status_code == 200  # the third: all go
    entries = reads()
    assert auditbatch.pending() == 0
    assert [(e.actor, e.account.number, e.ip) for e in entries] == [
        ("api:dispatch", "4000", "127.0.0.1"),
        ("api:dispatch", "5000", "127.0.0.1"),
        ("api:dispatch", "4000", "127.0.0.1"),
    ]
    assert entries[0].at < entries[1].at < entries[2].at
    assert entries[0].detail == {"at": "2023-04-25T12:00:00-04:00", "via": "api"}
    # An unknown account is a 404 and no read.
    assert api("get", ONCALL.format("9999"), token).status_code == 404
    assert auditbatch.pending() == 0


@pytest.mark.django_db
def test_flush_batch_writes_what_waits(batched, account, make_token, api):
    batched(3600)
    token = make_token("oncall:read", name="dispatch")
    api("get", ONCALL.format("4000"), token)
    assert reads() == []
    assert audit.flush_batch() == 1
    assert [e.account.number for e in reads()] == ["4000"]


@pytest.mark.django_db(transaction=True)
def test_the_background_writer_writes_within_the_delay(batched, account, make_token, api):
    batched(0.2)
    token = make_token("oncall:read", name="dispatch")
    assert api("get", ONCALL.format("4000"), token).status_code == 200
    deadline = time.monotonic() + 5
    while not reads() and time.monotonic() < deadline:
        time.sleep(0.05)
    (entry,) = reads()
    assert (entry.actor, entry.account.number) == ("api:dispatch", "4000")
    assert auditbatch.pending() == 0


def test_a_refused_write_keeps_the_entries_for_the_next_try(settings):
    settings.PORTAL = {**settings.PORTAL, "AUDIT_BATCH_SECONDS": 3600, "AUDIT_BATCH_ROWS": 2}
    written = []

    def refuse(rows):
        raise OSError("database is down")

    auditbatch.add("a", refuse)
    auditbatch.add("b", refuse)  # full: the write is tried, refused, nothing raised
    assert auditbatch.pending() == 2
    assert auditbatch.flush(written.extend) == 2
    assert written == ["a", "b"] and auditbatch.pending() == 0


@pytest.mark.django_db
def test_a_batch_keeps_a_login_and_a_missing_address(batched, account, member):
    from django.test import RequestFactory

    batched(3600)
    request = RequestFactory().get("/api/v1/accounts/4000/oncall")
    del request.META["REMOTE_ADDR"]
    request.user = member
    audit.read_by_number(request, "oncall.now", "4000", via="api")
    audit.read_by_number(request, "oncall.now", "9999", via="api")  # an account gone since
    assert audit.flush_batch() == 2
    first, gone = reads()
    assert (first.user_id, first.actor, first.ip, first.account_id) == (
        member.pk,
        "member",
        None,
        account.pk,
    )
    assert gone.account_id is None
