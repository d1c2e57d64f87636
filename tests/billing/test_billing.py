"""Billing History and Billable Calls, as the seeds show them."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.billing.services import cycle_containing, cycles_since, format_money
from tests.stats.examples import ingest_billable, ingest_billing

SEED_STATS = ["01:30", "03:15", "02:00", "00:45", "01:30", "02:15", "02:30"]


def seconds(mmss):
    m, s = mmss.split(":")
    return int(m) * 60 + int(s)


def test_money_is_written_in_the_reader_language():
    assert format_money(Decimal("1234.56"), "fr") == "1\u00a0234,56\u00a0$"
    assert format_money(Decimal("1234.56"), "en") == "$1,234.56"
    assert format_money(Decimal("-75"), "en") == "-$75.00"
    assert format_money(Decimal("0"), "fr") == "0,00\u00a0$"


def test_the_billing_cycle_runs_from_the_20th_to_the_19th():
    assert cycle_containing(dt.date(2023, 3, 19)) == (dt.date(2023, 2, 20), dt.date(2023, 3, 19))
    assert cycle_containing(dt.date(2023, 3, 20)) == (dt.date(2023, 3, 20), dt.date(2023, 4, 19))
    assert cycle_containing(dt.date(2023, 1, 5)) == (dt.date(2022, 12, 20), dt.date(2023, 1, 19))
    assert cycles_since(dt.date(2023, 1, 25), dt.date(2023, 3, 22)) == [
        (dt.date(2023, 3, 20), dt.date(2023, 4, 19)),
        (dt.date(2023, 2, 20), dt.date(2023, 3, 19)),
        (dt.date(2023, 1, 20), dt.date(2023, 2, 19)),
    ]


def statement_lines(billing_number, date, prefix):
    return [
        {
            "line_id": f"{prefix}-1",
            "billing_number": billing_number,
            "date": date,
            "description": "BALANCE 04-134681",
            "amount": "1200.00",
            "kind": "balance",
        },
        {
            "line_id": f"{prefix}-6",
            "billing_number": billing_number,
            "date": date,
            "description": "NEW BALANCE 04-134681",
            "amount": "1234.56",
            "kind": "new_balance",
        },
        {
            "line_id": f"{prefix}-2",
            "billing_number": billing_number,
            "date": date,
            "description": "Call Center Services",
            "amount": "34.56",
            "kind": "charge",
        },
        {
            "line_id": f"{prefix}-3",
            "billing_number": billing_number,
            "date": date,
            "description": "8 minutes from 20 February to 19 March",
            "amount": "0.00",
            "kind": "charge",
        },
        {
            "line_id": f"{prefix}-4",
            "billing_number": billing_number,
            "date": date,
            "description": "Payment, thank you",
            "amount": "-1200.00",
            "kind": "payment",
        },
        {
            "line_id": f"{prefix}-5",
            "billing_number": billing_number,
            "date": date,
            "description": "SUBTOTAL 04-134681",
            "amount": "34.56",
            "kind": "subtotal",
        },
    ]


@pytest.mark.django_db
def test_billing_history_per_statement_newest_first(
    member_client, member, account, make_token, api
):
    token = make_token()
    ingest_billing(
        api,
        token,
        statement_lines("784000", "2023-03-01", "a")
        + statement_lines("784000", "2023-04-01", "b")
        + statement_lines("785000", "2023-04-01", "other"),
    )
    html = member_client.get(reverse("billing", args=["4000"])).content.decode()
    assert html.index("04/01/2023") < html.index("03/01/2023")
    first = html[html.index("04/01/2023") :]
    order = [
        "BALANCE",
        "Call Center Services",
        "8 minutes from 20 February to 19 March",
        "Payment, thank you",
        "SUBTOTAL",
        "NEW BALANCE",
    ]
    positions = [first.index(text) for text in order]
    assert positions == sorted(positions)
    assert "$1,234.56" in html and "-$1,200.00" in html
    assert "(514) 736-6767 – (800) 667-6767 from Monday to Friday 8:30am to 5:00pm" in html
    member.language = "fr"
    member.save()
    html = member_client.get(reverse("billing", args=["4000"])).content.decode()
    assert "1\u00a0234,56\u00a0$" in html
    assert "Historique de facturation" in html
    assert "comptes recevables au (514) 736-6767" in html


@pytest.mark.django_db
def test_billing_history_by_account_or_billing_number_only_the_login_own(
    member_client, account, other_account, make_token, api
):
    ingest_billing(api, make_token(), statement_lines("785000", "2023-04-01", "other"))
    url = reverse("billing", args=["4000"])
    for number in ("5000", "785000", "9999"):
        html = member_client.get(url, {"number": number}).content.decode()
        assert "No billing history was found for this number." in html
        assert "Call Center Services" not in html
    assert "For Billing ID: 784000" in member_client.get(url, {"number": "4000"}).content.decode()


def seed_items(account_number, day):
    return [
        {
            "transaction_id": f"T{account_number}-{i}",
            "account": account_number,
            "at": f"{day}T{8 + i:02d}:37:00-04:00",
            "description": "Message",
            "number": "",
            "caller_name": "",
            "agent": agent,
            "statistic_s": seconds(stat),
        }
        for i, (agent, stat) in enumerate(
            zip(["CL2", "SY1", "JL1", "CL1", "ST1", "MJ1", "JE1"], SEED_STATS, strict=True)
        )
    ]


@pytest.mark.django_db
def test_billable_calls_of_the_current_cycle_with_the_seed_totals(
    member_client, account, make_token, api
):
    today = timezone.now().astimezone(account.tz).date()
    start, end = cycle_containing(today)
    ingest_billable(api, make_token(), seed_items("4000", today.isoformat()))
    html = member_client.get(reverse("billable", args=["4000"])).content.decode()
    assert '<span data-total="calls">7</span>' in html
    assert '<span data-total="stats">13.75</span>' in html
    assert '<span data-total="average">1.96</span>' in html
    assert "03:15" in html and "SY1" in html
    assert "from the 20th to the 19th" in html


@pytest.mark.django_db
def test_billable_calls_only_for_the_last_60_days(member_client, account, make_token, api):
    today = timezone.now().astimezone(account.tz).date()
    old = (today - dt.timedelta(days=75)).isoformat()
    recent = (today - dt.timedelta(days=5)).isoformat()
    items = seed_items("4000", recent)[:2] + [
        {**seed_items("4000", old)[0], "transaction_id": "OLD"}
    ]
    ingest_billable(api, make_token(), items)
    response = member_client.get(
        reverse("billable", args=["4000"]),
        {"start": (today - dt.timedelta(days=90)).isoformat(), "end": today.isoformat()},
    )
    assert '<span data-total="calls">2</span>' in response.content.decode()


@pytest.mark.django_db
def test_billable_excel_and_email(member_client, account, make_token, api, smtp_inbox):
    today = timezone.now().astimezone(account.tz).date()
    ingest_billable(api, make_token(), seed_items("4000", today.isoformat()))
    response = member_client.get(reverse("billable_export", args=["4000"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("Total Calls:", 7) in [r[:2] for r in rows]
    assert ("Total Stats:", 13.75) in [r[:2] for r in rows]
    assert ("Average Stat/Call:", 1.96) in [r[:2] for r in rows]
    response = member_client.post(
        reverse("billable_email", args=["4000"]), {"email": "a@example.com"}
    )
    assert response.status_code == 302
    [message] = smtp_inbox.messages
    assert "Average Stat/Call: 1.96" in message.get_body().get_content()
    [(name, _content)] = smtp_inbox.attachments(message)
    assert name.startswith("billable-4000-")


@pytest.mark.django_db
def test_the_billable_api_with_totals_and_cursor(account, other_account, make_token, api):
    today = timezone.now().astimezone(account.tz).date()
    ingest_billable(api, make_token(), seed_items("4000", today.isoformat()))
    token = make_token("client", accounts=["4000"])
    body = api("get", "/api/v1/accounts/4000/billable?limit=5", token).json()
    assert body["totals"] == {"calls": 7, "total_stats": "13.75", "average": "1.96"}
    assert len(body["results"]) == 5
    assert body["results"][0]["agent"] == "JE1"  # newest first
    second = api("get", body["next"].replace("http://testserver", ""), token).json()
    assert [r["agent"] for r in second["results"]] == ["SY1", "CL2"]
    assert second["next"] is None
    assert api("get", "/api/v1/accounts/5000/billable", token).status_code == 403
    assert api("get", "/api/v1/accounts/4000/billable?start=nope", token).status_code == 422
    assert api("get", "/api/v1/accounts/4000/billable?cursor=zz", token).status_code == 422
