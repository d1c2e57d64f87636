"""Ingest of billable transactions and billing statement lines."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import transaction
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.billing.models import BillableTransaction, BillingLine
from portal.calls.services import check_batch
from portal.ingest import BatchInvalid, Counts, to_ms, upsert, validate_records


class BillableIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="Billable")

    transaction_id: Annotated[str, Field(min_length=1, max_length=64)]
    account: Annotated[str, Field(min_length=1, max_length=32)]
    at: AwareDatetime
    description: Annotated[str, Field(max_length=200)] | None = None
    number: Annotated[str, Field(max_length=64)] | None = None
    caller_name: Annotated[str, Field(max_length=200)] | None = None
    agent: Annotated[str, Field(max_length=32)] | None = None
    statistic_s: Annotated[float, Field(ge=0, allow_inf_nan=False)]


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
