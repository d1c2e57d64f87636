"""POST /api/v1/ingest/billable and /api/v1/ingest/billing."""

from decimal import Decimal

import pytest

from portal.billing.models import BillableTransaction, BillingLine
from tests.api.helpers import BILLABLE, BILLING, a_billable, a_line

pytestmark = pytest.mark.django_db


def test_billable_transactions_are_idempotent(api, ingest, account):
    batch = {"items": [a_billable("T-1"), a_billable("T-2", statistic_s=30.5)]}
    assert api("post", BILLABLE, ingest, json=batch).json() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert api("post", BILLABLE, ingest, json=batch).json()["unchanged"] == 2
    batch["items"][1]["statistic_s"] = 31
    assert api("post", BILLABLE, ingest, json=batch).json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
    }
    assert BillableTransaction.objects.get(transaction_id="T-2").statistic_ms == 31_000


def test_a_bad_billable_item_stores_nothing(api, ingest, account):
    batch = [a_billable("T-1"), a_billable("T-2", statistic_s=-5), a_billable("T-3", account="1")]
    r = api("post", BILLABLE, ingest, json={"items": batch})
    assert r.status_code == 422
    found = {(e["index"], e["field"]) for e in r.json()["errors"]}
    assert {(1, "statistic_s"), (2, "account")} <= found
    assert not BillableTransaction.objects.exists()


def test_billing_lines_keep_their_exact_amounts(api, ingest, account):
    lines = [
        a_line("L-1", kind="balance", amount="200.00"),
        a_line("L-2", kind="charge", amount="125.40"),
        a_line("L-3", kind="payment", amount="-200.00"),
    ]
    r = api("post", BILLING, ingest, json={"lines": lines})
    assert r.json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert BillingLine.objects.get(line_id="L-3").amount == Decimal("-200.00")
    assert api("post", BILLING, ingest, json={"lines": lines}).json()["unchanged"] == 3


def test_a_bad_billing_line_stores_nothing(api, ingest, account):
    lines = [
        a_line("L-1"),
        a_line("L-2", date="2023-02-30"),
        a_line("L-3", amount="12.345"),
        a_line("L-4", kind="refund"),
        a_line("L-5", amount="a lot"),
    ]
    r = api("post", BILLING, ingest, json={"lines": lines})
    assert r.status_code == 422
    found = {(e["index"], e["field"]) for e in r.json()["errors"]}
    assert {(1, "date"), (2, "amount"), (3, "kind"), (4, "amount")} <= found
    assert not BillingLine.objects.exists()
