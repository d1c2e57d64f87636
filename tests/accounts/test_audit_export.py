"""`manage.py audit_export [--account NUMBER] [--since YYYY-MM-DD]` as the contract says: JSON
lines, oldest first, each with at, actor, ip, action, account, object_type, object_id and
detail; streamed; bad arguments say why and exit with a non-zero code; the trail immutable."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.accounts import audit, auditing
from portal.accounts.models import AuditLog, AuditTrailImmutable

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
KEYS = {"at", "actor", "ip", "action", "account", "object_type", "object_id", "detail"}


def export(*args, own=False) -> list[dict]:
    """The command's lines; without the entries of the earlier exports (each export is in
    the trail too) unless `own`."""
    out = io.StringIO()
    call_command("audit_export", *args, stdout=out)
    text = out.getvalue()
    assert text == "" or text.endswith("\n")
    rows = [json.loads(line) for line in text.splitlines()]
    return rows if own else [r for r in rows if r["action"] != "audit.export"]


def entry(at, action, account=None, actor="staffer", **kw):
    return AuditLog.objects.create(
        at=at,
        action=action,
        account=account,
        actor=actor,
        ip=kw.pop("ip", "203.0.113.7"),
        object_type=kw.pop("object_type", "inbox.message"),
        object_id=kw.pop("object_id", "17"),
        detail=kw,
    )


@pytest.fixture
def trail(account, other_account, member):
    """Entries written out of order, of two accounts, a person, a token and the system."""
    made = [
        entry(dt.datetime(2026, 11, 30, 5, 30, tzinfo=UTC), "message.view", account, "member"),
        entry(dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC), "login", None, "member", ip=None),
        entry(
            dt.datetime(2026, 11, 30, 4, 30, tzinfo=UTC),
            "calls.search",
            account,
            "api:clinic-app",
            object_type="",
            object_id="",
            criteria={"caller_id": "5149150123"},
        ),
        entry(dt.datetime(2026, 11, 15, 9, 0, tzinfo=UTC), "stats.view", other_account, "outsider"),
    ]
    return made


def test_every_entry_oldest_first_in_the_contracts_shape(trail):
    rows = export()
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    assert [r["action"] for r in rows] == ["login", "stats.view", "calls.search", "message.view"]
    for row in rows:
        assert KEYS <= set(row)
    login, stats, search, view = rows
    assert login == {
        "at": "2026-11-01T12:00:00+00:00",
        "actor": "member",
        "ip": None,
        "action": "login",
        "account": None,
        "object_type": "inbox.message",
        "object_id": "17",
        "detail": {},
    }
    assert stats["account"] == "5000"
    assert search["actor"] == "api:clinic-app"
    assert search["detail"] == {"criteria": {"caller_id": "5149150123"}}
    assert view["ip"] == "203.0.113.7"
    assert view["account"] == "4000"


def test_an_export_is_in_the_trail_but_not_in_its_own_output(trail, account):
    assert [r["action"] for r in export("--account", "4000", own=True)] == [
        "calls.search",
        "message.view",
    ]
    first = AuditLog.objects.get(action="audit.export")
    assert first.actor == "audit_export"
    assert first.account == account
    assert first.detail == {"format": "jsonl", "criteria": {"account": "4000"}}
    again = export("--account", "4000", own=True)
    assert [r["action"] for r in again][-1] == "audit.export"  # the first export, now
    assert again[-1]["actor"] == "audit_export"
    assert AuditLog.objects.filter(action="audit.export").count() == 2


def test_same_moment_entries_keep_the_order_they_were_written_in(account):
    moment = dt.datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    for n in range(5):
        entry(moment, f"step.{n}", account)
    assert [r["action"] for r in export()] == [f"step.{n}" for n in range(5)]


def test_one_account_and_since_a_day_in_its_zone(trail):
    # 4000 is in Toronto: 2026-11-30 begins at 05:00 UTC there, so the 04:30 UTC search
    # (23:30 on the 29th) is before it and the 05:30 view after.
    rows = export("--account", "4000")
    assert [r["action"] for r in rows] == ["calls.search", "message.view"]
    assert {r["account"] for r in rows} == {"4000"}
    assert [r["action"] for r in export("--account", "4000", "--since", "2026-11-30")] == [
        "message.view"
    ]
    # Without an account, days are the portal's (UTC): both are on the 30th.
    assert [r["action"] for r in export("--since", "2026-11-30")] == [
        "calls.search",
        "message.view",
    ]
    assert export("--since", "2026-12-01") == []


def test_an_unknown_account_or_a_bad_day_is_refused_with_the_reason(trail):
    with pytest.raises(CommandError, match="There is no client account 9999."):
        export("--account", "9999")
    with pytest.raises(CommandError, match="“2026-13-01” is not a date: write it as YYYY-MM-DD"):
        export("--since", "2026-13-01")
    with pytest.raises(CommandError, match="“yesterday” is not a date"):
        export("--account", "4000", "--since", "yesterday")
    with pytest.raises(CommandError, match="between the years 1900 and 2999"):
        export("--since", "0999-01-01")


def test_the_command_line_exits_non_zero_and_says_why(tmp_path):
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "audit_export", "--since", "31/12/2026"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "“31/12/2026” is not a date: write it as YYYY-MM-DD" in result.stderr
    assert result.stdout == ""


def test_what_the_portal_records_is_exported(account, member):
    audit.record("password.change", user=member, account=account, obj=member)
    [row] = [r for r in export("--account", "4000") if r["action"] == "password.change"]
    assert row["actor"] == "member"
    assert row["object_type"] == "accounts.user"
    assert row["object_id"] == str(member.pk)


def test_an_export_of_many_entries_is_streamed_in_constant_memory(account):
    """60,000 entries: the export holds one chunk at a time, not every row."""
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    AuditLog.objects.bulk_create(
        AuditLog(
            at=start + dt.timedelta(seconds=n),
            actor="member",
            account=account,
            action="message.view",
            object_type="inbox.message",
            object_id=str(n),
            ip="198.51.100.4",
            detail={"criteria": {"q": "rendez-vous", "page": n % 7}},
        )
        for n in range(60_000)
    )

    class Counter(io.TextIOBase):
        lines = 0
        last = ""

        def write(self, text):
            self.lines += text.count("\n")
            self.last = text or self.last
            return len(text)

    sink = Counter()
    tracemalloc.start()
    try:
        call_command("audit_export", "--account", "4000", stdout=sink)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.lines == 60_000
    assert json.loads(sink.last)["object_id"] == "59999"  # oldest first: the newest last
    # Holding every row (a list of 60,000 dicts and their JSON) takes well over 60 MB.
    assert peak < 15 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_the_trail_cannot_be_changed_nor_deleted(trail):
    export()  # its own entry too
    first = trail[0]
    first.action = "nothing.happened"
    with pytest.raises(AuditTrailImmutable):
        first.save()
    with pytest.raises(AuditTrailImmutable):
        first.delete()
    with pytest.raises(AuditTrailImmutable):
        AuditLog.objects.filter(account__number="4000").delete()
    with pytest.raises(AuditTrailImmutable):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.count() == 5
    assert AuditLog.objects.get(pk=first.pk).action == "message.view"
    with pytest.raises(AuditTrailImmutable):
        AuditLog.objects.get(action="audit.export").delete()  # an export's entry too


def test_deleting_an_account_keeps_its_entries(trail, other_account):
    other_account.delete()
    stats = AuditLog.objects.get(action="stats.view")
    assert stats.account is None  # the entry stays; only the link goes
    assert AuditLog.objects.count() == 4


def test_day_parsing_is_the_one_the_back_office_uses_too():
    assert auditing.parse_day(" 2026-12-01 ") == dt.date(2026, 12, 1)
    with pytest.raises(Exception, match="is not a date"):
        auditing.parse_day("2026-02-30")
