"""Billable transactions and billing statement lines: their ingest, and the reports."""

import datetime as dt
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from portal.accounts.models import Account
from portal.billing.models import BillableTransaction, BillingLine
from portal.calls.services import check_batch
from portal.ingest import BatchInvalid, Counts, Seconds, Timestamp, to_ms, upsert, validate_records


class BillableIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Billable")

    transaction_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    at: Timestamp
    description: Annotated[str, Field(max_length=200)] | None = None
    number: Annotated[str, Field(max_length=64)] | None = None
    caller_name: Annotated[str, Field(max_length=200)] | None = None
    agent: Annotated[str, Field(max_length=32)] | None = None
    statistic_s: Seconds


class BillableBatch(BaseModel):
    model_config = ConfigDict(title="BillableBatch")
    items: list[BillableIn] = Field(max_length=1000)


class BillingLineIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="BillingLine")

    line_id: Annotated[str, Field(min_length=1, max_length=64)]
    billing_number: Annotated[str, Field(min_length=1, max_length=32)]
    date: date
    description: Annotated[str, Field(max_length=300)]
    amount: Annotated[Decimal, Field(max_digits=12, decimal_places=2, allow_inf_nan=False)]
    kind: Literal["balance", "charge", "payment", "subtotal", "new_charges", "new_balance"]


class BillingBatch(BaseModel):
    model_config = ConfigDict(title="BillingBatch")
    lines: list[BillingLineIn] = Field(max_length=1000)


def ingest_billable(records: Any) -> Counts:
    items, accounts, errors = check_batch(records, BillableIn)
    if errors:
        raise BatchInvalid(errors)
    rows = [
        {
            "transaction_id": i.transaction_id,
            "account_id": accounts[i.account].pk,
            "at": i.at,
            "description": i.description or "",
            "number": i.number or "",
            "caller_name": i.caller_name or "",
            "agent": i.agent or "",
            "statistic_ms": to_ms(i.statistic_s),
        }
        for i in items
    ]
    with transaction.atomic():
        counts, _ = upsert(BillableTransaction, "transaction_id", rows)
    return counts


def ingest_billing_lines(records: Any) -> Counts:
    lines = validate_records(records, BillingLineIn)
    rows = [
        {
            "line_id": line.line_id,
            "billing_number": line.billing_number,
            "date": line.date,
            "description": line.description,
            "amount": line.amount.quantize(Decimal("0.01")),
            "kind": line.kind,
        }
        for line in lines
    ]
    with transaction.atomic():
        counts, _ = upsert(BillingLine, "line_id", rows)
    return counts


# --- Reading: billing history and billable calls ------------------------------------------


CYCLE_DAY = 20  # the billing cycle runs from the 20th of one month to the 19th of the next
NBSP = "\u00a0"
KIND_ORDER = {k: i for i, (k, _label) in enumerate(BillingLine.KINDS)}


def format_money(amount: Decimal, language: str) -> str:
    """French "1 234,56 $", English "$1,234.56" (a minus sign in front when negative)."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    if language == "fr":
        return sign + whole.replace(",", NBSP) + "," + cents + NBSP + "$"
    return f"{sign}${whole}.{cents}"


@dataclass
class Statement:
    date: dt.date
    lines: list[BillingLine]


def billing_history(billing_number: str) -> list[Statement]:
    """The statements of a billing number, newest first; each statement's lines in the
    order of the seeds: balance, charges, payments, SUBTOTAL, NEW CHARGES, NEW BALANCE."""
    lines = list(BillingLine.objects.filter(billing_number=billing_number).order_by("-date", "id"))
    statements: dict[dt.date, list[BillingLine]] = {}
    for line in lines:
        statements.setdefault(line.date, []).append(line)
    return [
        Statement(date, sorted(group, key=lambda li: (KIND_ORDER.get(li.kind, 99), li.id)))
        for date, group in statements.items()
    ]


def cycle_containing(day: dt.date) -> tuple[dt.date, dt.date]:
    """The billing cycle (20th → 19th) that contains `day`."""
    if day.day >= CYCLE_DAY:
        start = day.replace(day=CYCLE_DAY)
    else:
        first = day.replace(day=1) - dt.timedelta(days=1)
        start = first.replace(day=CYCLE_DAY)
    following = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=CYCLE_DAY)
    return start, following - dt.timedelta(days=1)


def cycles_since(oldest: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Every cycle from the one containing `today` back to the one containing `oldest`."""
    out = []
    start, end = cycle_containing(today)
    while end >= oldest:
        out.append((start, end))
        start, end = cycle_containing(start - dt.timedelta(days=1))
    return out


def local_today(account: Account) -> dt.date:
    return timezone.now().astimezone(account.tz).date()


def oldest_day(account: Account) -> dt.date:
    """Billable calls are shown for the last `retention_days` (60) days only."""
    return local_today(account) - dt.timedelta(days=account.retention_days)


def local_range(account: Account, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of start, local midnight after end) as aware datetimes (DST-safe)."""
    tz = account.tz
    lo = dt.datetime.combine(start, dt.time.min).replace(tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min).replace(tzinfo=tz)
    return lo, hi


def clamp_period(account: Account, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Keep a period inside the last 60 days."""
    oldest = oldest_day(account)
    return max(start, oldest), end


def billable_items(account: Account, start: dt.date, end: dt.date):
    start, end = clamp_period(account, start, end)
    lo, hi = local_range(account, start, end)
    return BillableTransaction.objects.filter(account=account, at__gte=lo, at__lt=hi).order_by(
        "at", "id"
    )


def billable_totals(items) -> dict[str, Any]:
    """Total Calls; Total Stats in minutes (two decimals, half up); Average Stat/Call =
    Total Stats ÷ Total Calls (two decimals, half up) — 7 calls, 13.75, 1.96."""
    agg = items.order_by().aggregate(n=Count("pk"), ms=Coalesce(Sum("statistic_ms"), 0))
    calls = agg["n"]
    total = (Decimal(agg["ms"]) / Decimal(60_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    average = (
        (total / Decimal(calls)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if calls
        else None
    )
    return {"calls": calls, "total_stats": total, "average": average}


def seconds(ms: int) -> int:
    """A billed time in whole seconds, half up (as the seeds round it)."""
    return int((Decimal(ms) / 1000).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def mm_ss(ms: int) -> str:
    """A billed time as the seeds show it: 01:45."""
    s = seconds(ms)
    return f"{s // 60:02d}:{s % 60:02d}"


def billable_as_dict(item: BillableTransaction, account: Account) -> dict[str, Any]:
    return {
        "transaction_id": item.transaction_id,
        "account": account.number,
        "at": item.at.astimezone(account.tz).isoformat(),
        "description": item.description,
        "number": item.number,
        "caller_name": item.caller_name,
        "agent": item.agent,
        "statistic_s": item.statistic_ms / 1000,
    }
