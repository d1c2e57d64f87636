"""Reading who is on call: the dispatch's look-up, the page's queries."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from portal.accounts.models import Account
from portal.directory.models import Contact
from portal.oncall.models import (
    OnCallInterval,
    Schedule,
    Shift,
)
from portal.oncall.services.base import _now

# --- Reading who is on call ------------------------------------------------------------


def contact_json(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    return {
        "id": contact.external_id,
        "name": contact.name,
        "phones": contact.phones,
        "sms": contact.sms or None,
        "email": contact.email or None,
    }


def _db_datetime(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite keeps naive UTC text
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _on_call_sql(by: str, role: str | None, schedule_id: str | None) -> str:
    """The look-up's one query; `by` is the account's column it selects on ("id" or
    "number": by number, the API needs no separate query for the account)."""
    i, a, sc, sh, c = (
        OnCallInterval._meta.db_table,
        Account._meta.db_table,
        Schedule._meta.db_table,
        Shift._meta.db_table,
        Contact._meta.db_table,
    )
    where = [f"a.{by} = %s", "i.start <= %s", 'i."end" > %s']
    if role:
        where.append("sh.role = %s")
    if schedule_id:
        where.append("sc.external_id = %s")
    return (
        "SELECT a.timezone, sc.external_id, sc.name, sh.name, sh.external_id, sh.role, sh.rank, "
        'sh.start, sh."end", i.source, i.start, i."end", c.external_id, c.name, c.phone1, '
        f"c.phone2, c.phone3, c.sms, c.email FROM {a} a JOIN {i} i ON i.account_id = a.id "
        f"JOIN {sc} sc ON sc.id = i.schedule_id JOIN {sh} sh ON sh.id = i.shift_id "
        f"LEFT JOIN {c} c ON c.id = i.contact_id WHERE {' AND '.join(where)} "
        "ORDER BY sc.name, sc.external_id, sh.role, sh.rank, sh.start, sh.id"
    )


def _on_call_rows(by: str, key, at: dt.datetime, role, schedule_id) -> list[tuple]:
    from django.db import connection

    at_db = connection.ops.adapt_datetimefield_value(at.astimezone(dt.UTC))
    params: list = [key, at_db, at_db]
    if role:
        params.append(role)
    if schedule_id:
        params.append(schedule_id)
    postgres = connection.vendor == "postgresql"
    with _prepared_cursor(connection) if postgres else connection.cursor() as cursor:
        cursor.execute(_on_call_sql(by, role, schedule_id), params)
        return cursor.fetchall()


@functools.cache
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, the statement prepared on first use (per connection)."""

        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

    return PreparedCursor


def _prepared_cursor(connection):
    """On PostgreSQL the look-up runs as a prepared statement: planning it costs about four
    times its execution, and the plan is the same every time. (Django's own cursors bind on
    the client, so each query is planned anew.) Wrapped as Django wraps its cursors, so error
    translation and query logging still apply. Behind PgBouncer this needs its
    max_prepared_statements setting (1.21+), which psycopg supports."""
    connection.ensure_connection()
    cursor = _prepared_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _on_call_entries(rows: list[tuple], tz) -> list[dict]:
    entries = []
    for (
        _tz, sched_id, sched_name, shift_name, shift_id, shift_role, rank, s_start, s_end,
        source, i_start, i_end, c_id, c_name, p1, p2, p3, sms, email,
    ) in rows:  # fmt: skip
        entries.append(
            {
                "schedule": sched_id,
                "schedule_name": sched_name,
                "shift": shift_name,
                "shift_id": shift_id,
                "role": shift_role,
                "rank": rank,
                "start": _db_datetime(s_start).astimezone(tz).isoformat(),
                "end": _db_datetime(s_end).astimezone(tz).isoformat(),
                "source": source,
                "on_call_from": _db_datetime(i_start).astimezone(tz).isoformat(),
                "on_call_until": _db_datetime(i_end).astimezone(tz).isoformat(),
                "contact": None
                if c_id is None
                else {
                    "id": c_id,
                    "name": c_name,
                    "phones": [p for p in (p1, p2, p3) if p],
                    "sms": sms or None,
                    "email": email or None,
                },
            }
        )
    return entries


def on_call_at(
    account: Account,
    at: dt.datetime | None = None,
    role: str | None = None,
    schedule_id: str | None = None,
) -> list[dict]:
    """One entry per shift covering `at`, by schedule, role and rank, overrides applied and
    gaps as `unassigned` — the contract's oncall answer. Reads the stored intervals only, in
    one indexed query (this is the dispatch's hot path, hence plain SQL)."""
    rows = _on_call_rows("id", account.pk, at or _now(), role, schedule_id)
    return _on_call_entries(rows, account.tz)


def covered(entries: list[dict]) -> bool:
    """The contract's `covered`: someone is on call, i.e. at least one entry has a contact.
    False where every shift covering the moment is a gap, and where no shift covers it."""
    return any(e["contact"] is not None for e in entries)


def on_call_by_number(
    number: str,
    at: dt.datetime,
    role: str | None = None,
    schedule_id: str | None = None,
) -> tuple[zoneinfo.ZoneInfo, list[dict]] | None:
    """`on_call_at` for the account numbered `number`, with that account's time zone; None if
    there is no such account. One query when a shift covers `at` (the account comes with the
    intervals); a second, for the account alone, only when none does."""
    rows = _on_call_rows("number", number, at, role, schedule_id)
    if rows:
        tz = zoneinfo.ZoneInfo(rows[0][0])
    else:
        account = Account.objects.filter(number=number).only("timezone").first()
        if account is None:
            return None
        tz = account.tz
    return tz, _on_call_entries(rows, tz)


def visible_schedules(account: Account):
    return Schedule.objects.filter(account=account, removed_at=None).order_by("name", "external_id")


def shifts_between(schedule: Schedule, start: dt.datetime, end: dt.datetime):
    return Shift.objects.filter(
        schedule=schedule, removed_at=None, start__lt=end, end__gt=start
    ).order_by("start", "rank", "id")
