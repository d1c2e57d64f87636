"""The Statistics report on the page, in the API and in the Excel file — all three agreeing
with the seeds' examples — and sent by e-mail, now or on a schedule."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from portal.accounts.models import AccountGroup
from portal.stats.models import ReportDelivery, ReportSubscription
from tests.stats.examples import (
    ENGLISH_FIGURES,
    FRENCH_FIGURES,
    english_example,
    french_example,
    ingest,
)

PERIOD = {"start": "2023-03-01", "end": "2023-03-22"}


def page_rows(html):
    """{row key: (Num. text, % text)} from the report table."""
    rows = re.findall(
        r'<tr data-key="(\w+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td>',
        html,
    )
    return {key: (num, pct) for key, num, pct in rows}


def as_page(figures, language):
    def text(v):
        if v is None:
            return ""
        v = str(v)
        return v.replace(".", ",") if language == "fr" else v

    return {
        key: (text(value), "" if pct is None else text(pct) + "\u00a0%")
        for key, (value, pct) in figures.items()
    }


@pytest.mark.django_db
def test_the_french_example_on_the_page_in_french(member_client, member, account, make_token, api):
    member.language = "fr"
    member.save()
    ingest(api, make_token(), french_example())
    response = member_client.get(reverse("stats", args=["4000"]), PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert page_rows(html) == as_page(FRENCH_FIGURES, "fr")
    assert "Total des appels entrants" in html
    assert "Appels abandonnés par le système" in html
    assert "Nombre d&#x27;appels ou l&#x27;appelant est mis en attente pendant plus de 10" in html
    assert "Appels après\u00a0: 12:00 minuit et Appels avant\u00a0: 23:59" in html
    assert "Jours de la semaine\u00a0: Tous" in html
    assert "Compte 4000" in html


@pytest.mark.django_db
def test_the_english_example_on_the_page_in_english(member_client, account, make_token, api):
    ingest(api, make_token(), english_example())
    html = member_client.get(reverse("stats", args=["4000"]), PERIOD).content.decode()
    assert page_rows(html) == as_page(ENGLISH_FIGURES, "en")
    assert "Avg Wait for Operator, Agent Calls (secs)" in html
    assert "Calls after: 12:00 mid and Calls before: 11:59 p.m." in html
    assert "Day of Week: All" in html
    # The charts are drawn on the server, as accessible SVG.
    assert html.count('<svg class="chart') == 4
    assert 'role="img"' in html and "<title" in html


@pytest.mark.django_db
def test_the_api_gives_the_french_example(account, make_token, api):
    ingest(api, make_token(), french_example())
    token = make_token("client", accounts=["4000"])
    response = api("get", "/api/v1/statistics?accounts=4000&start=2023-03-01&end=2023-03-22", token)
    assert response.status_code == 200
    stats = response.json()["statistics"]
    assert list(stats) == list(FRENCH_FIGURES)
    for key, (value, pct) in FRENCH_FIGURES.items():
        assert stats[key]["value"] == (float(value) if isinstance(value, str) else value), key
        assert stats[key]["pct"] == (None if pct is None else float(pct)), key


@pytest.mark.django_db
def test_the_excel_file_gives_the_french_example(member_client, account, make_token, api):
    ingest(api, make_token(), french_example())
    response = member_client.get(reverse("stats_export", args=["4000"]), PERIOD)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Statistic") + 1
    got = {}
    for (key, (value, pct)), row in zip(
        FRENCH_FIGURES.items(), rows[start : start + 16], strict=True
    ):
        got[key] = (row[1], row[2])
        assert row[1] == (float(value) if isinstance(value, str) else value), key
        assert row[2] == (None if pct is None else float(pct)), key
    assert rows[start][0] == "Total Incoming Calls"


@pytest.mark.django_db
def test_the_api_checks_its_token_and_its_input(account, other_account, make_token, api):
    client_token = make_token("client", accounts=["4000"])
    assert api("get", "/api/v1/statistics").status_code == 401
    assert api("get", "/api/v1/statistics?accounts=5000", client_token).status_code == 403
    assert api("get", "/api/v1/statistics", make_token("provision")).status_code == 403
    bad = api("get", "/api/v1/statistics?accounts=4000&after=25h&weekday=9", client_token)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"after", "weekday"}
    empty = api("get", "/api/v1/statistics?accounts=4000", client_token).json()["statistics"]
    assert empty["total_incoming"] == {"value": 0, "pct": None}
    assert empty["avg_wait_s"] == {"value": None, "pct": None}


@pytest.mark.django_db
def test_api_account_groups_stay_inside_the_token_accounts(account, other_account, make_token, api):
    group = AccountGroup.objects.create(number=7)
    account.groups.add(group)
    other_account.groups.add(group)
    ingest(api, make_token(), english_example("4000") + english_example("5000"))
    token = make_token("client", accounts=["4000"])
    body = api("get", "/api/v1/statistics?groups=7", token).json()
    assert body["accounts"] == ["4000"]
    assert body["statistics"]["total_incoming"]["value"] == 1


@pytest.mark.django_db
def test_a_login_with_several_accounts_reports_on_them_together(
    client, make_user, account, make_account, make_token, api
):
    second = make_account("4001", "SECOND")
    user = make_user("both", account, second)
    client.force_login(user)
    ingest(api, make_token(), english_example("4000") + english_example("4001"))
    html = client.get(
        reverse("stats", args=["4000"]), {**PERIOD, "accounts": ["4000", "4001"]}
    ).content.decode()
    assert page_rows(html)["total_incoming"] == ("2", "100.0\u00a0%")
    assert "Accounts 4000, 4001" in html
    # An account the login does not have is not a choice: the form refuses it.
    refused = client.get(reverse("stats", args=["4000"]), {**PERIOD, "accounts": ["5000"]})
    assert refused.status_code == 400


@pytest.mark.django_db
def test_the_page_groups_filter_never_reaches_another_login_account(
    member_client, account, other_account, make_token, api
):
    group = AccountGroup.objects.create(number=3)
    account.groups.add(group)
    other_account.groups.add(group)
    ingest(api, make_token(), english_example("4000") + english_example("5000"))
    html = member_client.get(
        reverse("stats", args=["4000"]), {**PERIOD, "groups": ["3"]}
    ).content.decode()
    assert page_rows(html)["total_incoming"] == ("1", "100.0\u00a0%")
    assert "OTHER" not in html


@pytest.mark.django_db
def test_bad_filters_get_a_clear_message(member_client, account):
    response = member_client.get(
        reverse("stats", args=["4000"]), {"start": "2023-03-22", "end": "2023-03-01"}
    )
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()


@pytest.mark.django_db
def test_the_previous_period_and_agents(member_client, account, make_token, api):
    calls = french_example()
    earlier = english_example()
    earlier[0]["started_at"] = "2023-02-10T10:00:00-05:00"
    ingest(api, make_token(), calls + earlier)
    html = member_client.get(reverse("stats", args=["4000"]), PERIOD).content.decode()
    assert "Comparison with the previous period" in html
    assert re.search(
        r"Total Incoming Calls</th><td class=\"num\">61</td><td class=\"num\">1</td><td class=\"num\">\+60<",
        html,
    )
    assert '<th scope="row">ELD</th><td class="num">' in html


@pytest.mark.django_db
def test_email_the_report_with_the_excel_file(member_client, account, make_token, api, smtp_inbox):
    ingest(api, make_token(), english_example())
    url = reverse("stats_email", args=["4000"]) + "?start=2023-03-01&end=2023-03-22"
    response = member_client.post(url, {"email": "boss@example.com"})
    assert response.status_code == 302
    [message] = smtp_inbox.messages
    assert message["To"] == "boss@example.com"
    [(name, content)] = smtp_inbox.attachments(message)
    assert name == "statistics-4000-2023-03-01-2023-03-22.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    assert any(
        r[0] == "Avg Wait for Operator, Agent Calls (secs)" and r[1] == 11.6
        for r in sheet.iter_rows(values_only=True)
    )
    assert "Avg Wait for Operator, Agent Calls (secs): 11.6" in message.get_body().get_content()


@pytest.mark.django_db
def test_a_bad_address_sends_nothing(member_client, account, smtp_inbox):
    url = reverse("stats_email", args=["4000"]) + "?start=2023-03-01&end=2023-03-22"
    response = member_client.post(url, {"email": "not an address"}, follow=True)
    assert "is not a valid e-mail address" in response.content.decode()
    assert smtp_inbox.messages == []


# --- Scheduled reports ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_client_admin_subscribes_and_a_client_user_cannot(member_client, make_user, account):
    from django.test import Client

    url = reverse("stats_schedules", args=["4000"])
    response = member_client.post(
        url, {"emails": "a@example.com, b@example.com", "frequency": "weekly", "statistics": "1"}
    )
    assert response.status_code == 302
    sub = ReportSubscription.objects.get(account=account)
    assert sub.addresses == ["a@example.com", "b@example.com"]
    assert (sub.statistics, sub.billable) == (True, False)
    plain = make_user("plain", account, role="user")
    client = Client()
    client.force_login(plain)
    assert client.post(url, {"emails": "c@example.com", "frequency": "daily"}).status_code == 403
    assert ReportSubscription.objects.count() == 1
    bad = member_client.post(url, {"emails": "nope", "frequency": "daily", "statistics": "1"})
    assert bad.status_code == 400
    assert "is not a valid e-mail address" in bad.content.decode()


@pytest.mark.django_db
def test_due_reports_are_sent_once_even_when_the_command_runs_twice(
    account, make_token, api, smtp_inbox
):
    from django.utils import timezone

    ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="daily", language="fr"
    )
    yesterday = timezone.now().astimezone(account.tz).date() - dt.timedelta(days=1)
    call = english_example()[0]
    call["started_at"] = f"{yesterday.isoformat()}T10:00:00-05:00"
    ingest(api, make_token(), [call])
    call_command("send_scheduled_reports", stdout=io.StringIO())
    call_command("send_scheduled_reports", stdout=io.StringIO())
    assert len(smtp_inbox.messages) == 1
    assert ReportDelivery.objects.get().period_start == yesterday
    message = smtp_inbox.messages[0]
    body = message.get_body().get_content()
    assert "Total des appels entrants" in body
    [(name, content)] = smtp_inbox.attachments(message)
    sheets = load_workbook(io.BytesIO(content)).sheetnames
    assert sheets == ["Statistiques", "Appels facturables"]


@pytest.mark.django_db
def test_a_report_that_could_not_be_sent_is_tried_again(account, settings, smtp_inbox):
    from portal.stats.schedules import send_due
    from tests.conftest import free_port

    ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="monthly"
    )
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    assert send_due() == []
    [pending] = ReportDelivery.objects.all()  # claimed, not sent: pending for the next run
    assert pending.sent_at is None and "ConnectionRefused" in pending.last_error
    settings.EMAIL_PORT = real_port
    assert len(send_due()) == 1
    assert len(smtp_inbox.messages) == 1
