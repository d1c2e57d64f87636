"""The audit log: one function that every view, API endpoint and command calls."""

import datetime as dt
import decimal
import functools
import math
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from portal import netaddr
from portal.accounts import auditbatch
from portal.accounts.models import Account, AuditLog, User


def client_ip(request) -> str | None:
    """The client's address (behind PORTAL_TRUSTED_PROXIES, the one they forward), or None."""
    return netaddr.client_ip(request) or None


def view_as_detail(request) -> dict:
    """What marks an entry made while a staff member views an account as the client
    (accounts.viewas; TenantMiddleware sets `request.view_as`): the reason they gave."""
    grant = getattr(request, "view_as", None) if request is not None else None
    if grant is None:
        return {}
    return {"view_as": True, "reason": grant.reason}


def record(
    action: str,
    *,
    request=None,
    user: User | None = None,
    actor: str = "",
    account: Account | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    **detail: Any,
) -> AuditLog:
    if user is None and request is not None:
        user, who = reader(request)  # the person, or an API token: "api:<token name>"
        actor = actor or who
    if not actor and user is not None:
        actor = user.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditLog.objects.create(
        user=user,
        actor=actor,
        account=account,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=client_ip(request),
        detail={**view_as_detail(request), **detail},
    )


# --- Reads of client data (issue 13, item 6) ---------------------------------------------
# Every page, dialog, export and API answer that shows client data calls `read` once, after
# it has found what it shows (an outsider's 404 or a refused form records nothing). The
# action names are listed in the README ("The audit trail").


def json_safe(value: Any) -> Any:
    """A form's cleaned value as JSON: dates and times in ISO form, decimals as text,
    accounts by number, other records by primary key, sets and query sets as lists."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Account):
        return value.number
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | QuerySet):
        items = [json_safe(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def clean_criteria(values: dict) -> dict:
    """Search criteria as recorded: JSON-safe, the empty ones (None, "", []) left out."""
    return {k: json_safe(v) for k, v in values.items() if v not in (None, "", [], (), {})}


def reader(request) -> tuple[User | None, str]:
    """Who reads or writes: an API request's token ("api:<token name>", even when the
    client also sent a session cookie), else the signed-in person (a staff member viewing as
    a client is that staff member)."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return None, f"api:{token.name}"[:200]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, user.get_username()
    return None, ""


def read(
    request,
    action: str,
    *,
    account: Account | list[Account] | None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    criteria: dict | None = None,
    **detail: Any,
) -> None:
    """Record one read of client data with one INSERT: who (`reader`, or `actor` for a
    calendar program's secret link), from where, what (`action`, the object) and the
    criteria (`criteria`, e.g. a form's cleaned_data, and `detail`, merged, JSON-safe, empty
    values left out). Where the read spans several accounts ("All my accounts") each gets
    its row, all in the same INSERT, and each row names them (`accounts`, the first 20, and
    `accounts_count` beyond)."""
    user, who = reader(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    accounts = account if isinstance(account, list | tuple) else [account]
    detail = clean_criteria({**(criteria or {}), **detail})
    detail.update(view_as_detail(request))  # a staff member viewing as the client: marked
    if len(accounts) > 1:  # named in each row (up to 20 of them)
        detail["accounts"] = [a.number for a in accounts[:20]]
        if len(accounts) > 20:
            detail["accounts_count"] = len(accounts)
    ip = client_ip(request)
    rows = [
        AuditLog(
            user=user,
            actor=actor[:200] or who,
            account=a,
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:128],
            ip=ip,
            detail=detail,
        )
        for a in accounts
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        AuditLog.objects.bulk_create(rows)


def read_by_number(request, action: str, number: str, **detail: Any) -> None:
    """`read` for the dispatch's hot path ("who is on call", many times a second), which has
    the account's number but not its row: no query in the request; the entry is written
    with others a moment later (auditbatch: within PORTAL["AUDIT_BATCH_SECONDS"]), by
    multi-row INSERTs in SQL that find each account by a sub-select."""
    user, who = reader(request)
    row = (
        timezone.now(),
        user.pk if user is not None else None,
        who,
        number,
        action,
        client_ip(request),
        clean_criteria(detail),
    )
    auditbatch.add(row, _write_by_number)


def flush_batch() -> int:
    """Write the entries `read_by_number` keeps waiting (see auditbatch) now."""
    return auditbatch.flush(_write_by_number)


def _write_by_number(rows: list[tuple]) -> None:
    """The waiting entries, in one transaction: a multi-row INSERT per 100 (each row finds its
    account by a sub-select; executed row by row, PostgreSQL would take ten times longer)."""
    alias = router.db_for_write(AuditLog)
    connection = connections[alias]
    fields = _fields()
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for i in range(0, len(rows), 100):
            chunk = rows[i : i + 100]
            params = [
                field.get_db_prep_save(value, connection)
                for row in chunk
                for field, value in zip(fields, row, strict=True)
            ]
            cursor.execute(_insert_by_number_sql(len(chunk), connection.vendor), params)


@functools.cache
def _fields() -> tuple:
    get = AuditLog._meta.get_field
    account_number = Account._meta.get_field("number")
    return (get("at"), get("user"), get("actor"), account_number, get("action"), get("ip"),
            get("detail"))  # fmt: skip


@functools.cache
def _insert_by_number_sql(rows: int, vendor: str) -> str:
    """INSERT … SELECT from VALUES (whose columns are column1… on SQLite and PostgreSQL
    alike). On PostgreSQL a NULL login or address needs its type."""
    log, account = AuditLog._meta.db_table, Account._meta.db_table
    user, ip = ("CAST(column2 AS bigint)", "CAST(column6 AS inet)")
    if vendor != "postgresql":
        user, ip = "column2", "column6"
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * rows)
    return (
        f'INSERT INTO {log} ("at", "user_id", "actor", "account_id", "action", "object_type", '
        f'"object_id", "ip", "detail") SELECT column1, {user}, column3, '
        f"(SELECT \"id\" FROM {account} WHERE \"number\" = column4), column5, '', '', {ip}, "
        f"column7 FROM (VALUES {values}) AS entries"
    )


def api_criteria(request, *leave_out: str) -> dict:
    """An API request's query parameters, as the criteria of its read."""
    query = request.GET
    return {
        k: (query.getlist(k) if len(query.getlist(k)) > 1 else query[k])
        for k in query
        if k not in leave_out
    }
