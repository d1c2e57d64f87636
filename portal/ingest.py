"""What every ingest and provisioning service shares: validating a batch record by record,
the contract's error list, and idempotent upserts that count created/updated/unchanged."""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from django.db import connections, models, router
from django.utils import timezone
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationError

M = TypeVar("M", bound=BaseModel)


def _storable_instant(value: dt.datetime) -> dt.datetime:
    # Years 1 and 9999 with an offset can fall outside what a datetime holds once in UTC.
    if not 1900 <= value.year <= 2999:
        raise ValueError("The year must be between 1900 and 2999.")
    return value


# A timestamp with its offset, in a range every database stores.
Timestamp = Annotated[AwareDatetime, AfterValidator(_storable_instant)]

# A duration in seconds: finite, at least 0 and at most a billion (stored as whole ms).
MAX_SECONDS = 1_000_000_000
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]

# An integer that fits every database's INTEGER column.
MAX_INT = 2_147_483_647


class BatchInvalid(Exception):
    """A batch with at least one bad record: nothing was stored. `errors` lists every problem."""

    def __init__(self, errors: list[dict[str, Any]], detail: str = "Validation failed"):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def error(index: int | None, field_name: str, message: str) -> dict[str, Any]:
    return {"index": index, "field": field_name, "message": message}


def _loc_to_field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def validate_records(records: Any, schema: type[M], max_batch: int = 1000) -> list[M]:
    """Validate every record; raise BatchInvalid listing each bad one by index and field."""
    items, errors = check_records(records, schema, max_batch)
    if errors:
        raise BatchInvalid(errors)
    return items  # type: ignore[return-value]


def check_records(
    records: Any, schema: type[M], max_batch: int = 1000
) -> tuple[list[M | None], list[dict[str, Any]]]:
    """Validate each record on its own: the valid ones (None where invalid) and every error,
    so that later checks (unknown accounts, consistency) can add theirs to the same list."""
    if not isinstance(records, list):
        raise BatchInvalid([error(None, "", "Expected a list of records.")])
    if len(records) > max_batch:
        raise BatchInvalid(
            [error(None, "", f"At most {max_batch} records per request.")],
            detail="Batch too large",
        )
    items: list[M | None] = []
    errors: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        try:
            items.append(schema.model_validate(record))
        except ValidationError as exc:
            items.append(None)
            for e in exc.errors(include_url=False):
                errors.append(error(index, _loc_to_field(e["loc"]), e["msg"]))
    return items, errors


def account_errors(
    records: list, items: list, known: set[str], field_name: str = "account"
) -> list[dict]:
    """Unknown account numbers are a per-record error (never guessed into another account)."""
    errors = []
    for index, (raw, item) in enumerate(zip(records, items, strict=True)):
        number = (
            getattr(item, field_name, None)
            if item is not None
            else (raw.get(field_name) if isinstance(raw, dict) else None)
        )
        if isinstance(number, str) and number and number not in known:
            errors.append(error(index, field_name, f"Unknown account: {number}"))
    return errors


def validate_one(data: Any, schema: type[M]) -> M:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise BatchInvalid(
            [error(None, _loc_to_field(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
        ) from None


def to_ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * 1000))


def from_ms(ms: int | None) -> float | int | None:
    if ms is None:
        return None
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


def fold(text: str) -> str:
    """Lower-case, accent-free text for keyword search: "Modèle" -> "modele"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def upsert(
    model: type[models.Model], key: str, rows: list[dict[str, Any]], returning: bool = True
) -> tuple[Counts, dict]:
    """Create or update `rows` (field -> value, key included) by natural key, in bulk.

    Returns the counts and, unless `returning` is False, a dict key -> instance for every
    row. Later rows with the same key in one batch update earlier ones. Call inside a
    transaction.
    """
    counts = Counts()
    keys = [r[key] for r in rows]
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": keys})}
    new: dict[Any, dict[str, Any]] = {}
    changed: dict[Any, models.Model] = {}
    fields: set[str] = set()
    for row in rows:
        k = row[key]
        if k in new:
            pending = new[k]
            if all(pending.get(f) == v for f, v in row.items()):
                counts.unchanged += 1
                counts.extra.setdefault("unchanged_keys", set()).add(k)
            else:
                pending.update(row)
                counts.updated += 1
            continue
        obj = existing.get(k)
        if obj is None:
            new[k] = dict(row)
            counts.created += 1
            continue
        diff = [f for f, v in row.items() if getattr(obj, f) != v]
        if not diff:
            counts.unchanged += 1
            counts.extra.setdefault("unchanged_keys", set()).add(k)
            continue
        for f in diff:
            setattr(obj, f, row[f])
        fields.update(diff)
        changed[k] = obj
        counts.updated += 1
    if new:
        insert_rows(model, list(new.values()))
    if changed:
        if any(f.name == "updated_at" for f in model._meta.fields):
            now = timezone.now()
            for obj in changed.values():
                obj.updated_at = now
            fields.add("updated_at")
        model.objects.bulk_update(list(changed.values()), sorted(fields), batch_size=500)
    if not returning:
        return counts, {}
    inserted = {}
    if new:
        inserted = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": list(new)})}
    return counts, {**existing, **inserted}


# Fields whose str/int/bool/None values go to every database as they are.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
_PLAIN_TYPES = (str, int, bool, type(None))


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (field or attname -> value) with one executemany.

    What bulk_create stores (defaults, auto_now/auto_now_add, values prepared for the
    database), without compiling SQL per statement: on SQLite, bulk_create spends ten times
    longer building its statements (37 rows each) than the database spends inserting.
    No signals, no primary keys on the rows (re-read them if needed). Call inside a
    transaction.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    given = set().union(*(r.keys() for r in rows))
    columns: list[str] = []
    plans: list[tuple[str | None, Any, Any]] = []  # (key in the rows, field, fixed value)
    for f in model._meta.concrete_fields:
        key = f.attname if f.attname in given else (f.name if f.name in given else None)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now if isinstance(f, models.DateTimeField) else now.date()
            fixed = f.get_db_prep_save(value, connection)
        elif key is None:
            if f.primary_key and getattr(f, "db_returning", False):
                continue  # the database numbers it
            fixed = f.get_db_prep_save(f.get_default(), connection)
        else:
            fixed = _NOTHING
        columns.append(connection.ops.quote_name(f.column))
        plans.append((key, f, fixed))
    params = []
    for row in rows:
        values = []
        for key, f, fixed in plans:
            if fixed is not _NOTHING:
                values.append(fixed)
                continue
            value = row[key] if key in row else f.get_default()
            if isinstance(value, models.Model):
                value = value.pk
            if not (isinstance(f, _PLAIN_FIELDS) and type(value) in _PLAIN_TYPES):
                value = f.get_db_prep_save(value, connection)
            values.append(value)
        params.append(values)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY: one stream of rows, no statement per row (several times faster than
        # executemany with psycopg's client-side parameter quoting).
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


_NOTHING = object()
