"""Every time a person reads is in the account's zone (issue items 2 and 3).

One call at 21:30 local on the 19th — the last evening of a billing cycle (20th → 19th), which
is already the 20th in UTC — with its message, recording, billable transaction, statement
line and on-call shift, in winter (EST, UTC-5) and in summer (EDT, UTC-4). Each client page,
dialog and export that shows it is read as a person reads it (the page's text, the cells of
the Excel file, the CSV, the e-mails received by a real SMTP server, the PDF's text): it must
say 21:30 / 9:30 p.m. on the 19th, never the UTC time on the 20th, and the call must be in
the cycle that ends on the 19th.
"""

import csv
import datetime as dt
import html
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.calls.helpers import add_recording, make_call, make_message
from tests.stats.smtp import smtp_inbox  # noqa: F401, F811
from tests.twofactor import staff_login

TORONTO = ZoneInfo("America/Toronto")


def boundary_evening(summer: bool) -> dt.datetime:
    """21:30 local on the most recent 19th (before today) in winter or in summer time."""
    today = timezone.now().astimezone(TORONTO).date()
    day = today.replace(day=19)
    while True:
        if day < today:
            local = dt.datetime.combine(day, dt.time(21, 30), tzinfo=TORONTO)
            if bool(local.dst()) == summer:
                return local
        day = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=19)


def text_of(response) -> str:
    """What a person reads on a page: the text without its tags, spaces folded."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


class Reading:
    """The ways the 21:30 call may be written, and the UTC ways it must not be."""

    def __init__(self, local: dt.datetime, language: str):
        self.local = local
        self.day = local.date()
        utc = local.astimezone(dt.UTC)
        self.iso = f"{self.day:%Y-%m-%d} 21:30"
        self.wrong_iso = f"{utc:%Y-%m-%d %H:%M}"
        fr = language == "fr"
        self.short_date = f"{self.day:%d/%m/%Y}" if fr else f"{self.day:%m/%d/%Y}"
        self.short_datetime = f"{self.short_date} " + ("21:30" if fr else "9:30 p.m.")
        utc_date = f"{utc:%d/%m/%Y}" if fr else f"{utc:%m/%d/%Y}"
        self.wrong_short_datetime = f"{utc_date} " + (
            f"{utc:%H:%M}" if fr else f"{utc.hour}:30 a.m."
        )
        self.oncall = f"{self.day:%d/%m} 21h30" if fr else f"{self.day.month}/{self.day:%d} 9:30 pm"
        self.wrong_oncall = (
            f"{utc:%d/%m} {utc.hour}h30" if fr else f"{utc.month}/{utc:%d} {utc.hour}:30 am"
        )

    def check(self, text: str, *, iso=False, short=False, oncall=False, where=""):
        if iso:
            assert self.iso in text, (where, self.iso, text[:3000])
            assert self.wrong_iso not in text, (where, self.wrong_iso)
        if short:
            assert self.short_datetime in text, (where, self.short_datetime, text[:3000])
            assert self.wrong_short_datetime not in text, (where, self.wrong_short_datetime)
        if oncall:
            assert self.oncall in text, (where, self.oncall, text[:3000])
            assert self.wrong_oncall not in text, (where, self.wrong_oncall)


def cells(xlsx: bytes) -> list[str]:
    """Every non-empty cell of every sheet, as text (a date cell as "YYYY-MM-DD HH:MM:SS")."""
    book = load_workbook(io.BytesIO(xlsx))
    out = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            out += [
                v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) else str(v)
                for v in row
                if v is not None
            ]
    return out


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    )


@pytest.fixture
def evening(request, make_account, make_user):
    """The account, its member (with an e-mail address) and everything at 21:30 on the 19th."""
    from portal.billing.services import ingest_billable, ingest_billing_lines
    from portal.oncall.services import upsert_schedule, upsert_shift

    summer, language = request.param
    local = boundary_evening(summer)
    account = make_account("4000", "TEST", language=language)
    today = timezone.now().astimezone(TORONTO).date()
    account.retention_days = (today - local.date()).days + 10
    account.save()
    user = make_user("alice", account, language=language, email="alice@example.com")
    call = add_recording(make_call(account, started_at=local, call_id="C2130"))
    message = make_message(account, taken_at=local, call_id="C2130", message_id="M2130")
    ingest_billable(
        [
            {
                "transaction_id": "T2130",
                "account": "4000",
                "at": local.isoformat(),
                "description": "Call",
                "number": "5145550123",
                "agent": "CL2",
                "statistic_s": 90,
            }
        ]
    )
    ingest_billing_lines(
        [
            {
                "line_id": "L2130",
                "billing_number": account.billing_number,
                "date": local.date().isoformat(),
                "description": "Call Center Services",
                "amount": "34.56",
                "kind": "charge",
            }
        ]
    )
    schedule, _ = upsert_schedule(account, "S1", "Rotation")
    upsert_shift(schedule, "SH1", start=local, end=local + dt.timedelta(hours=2), name="Soir")
    return {
        "account": account,
        "user": user,
        "call": call,
        "message": message,
        "reading": Reading(local, language),
        "local": local,
    }


SEASONS = [
    pytest.param((False, "en"), id="winter-en"),
    pytest.param((True, "en"), id="summer-en"),
    pytest.param((False, "fr"), id="winter-fr"),
    pytest.param((True, "fr"), id="summer-fr"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("evening", SEASONS, indirect=True)
def test_every_page_and_export_reads_the_time_in_the_account_zone(client, evening, smtp_inbox):  # noqa: F811
    from portal.stats.models import ReportSubscription
    from portal.stats.schedules import send_due

    client.force_login(evening["user"])
    r: Reading = evening["reading"]
    day = r.day.isoformat()
    next_day = (r.day + dt.timedelta(days=1)).isoformat()

    def url(name, **kw):
        return reverse(name, kwargs={"account_number": "4000", **kw})

    def page(name, query=None, **kw):
        response = client.get(url(name, **kw), query or {})
        assert response.status_code == 200, (name, response.status_code)
        return text_of(response)

    # Inbox: the list of the 19th has it, the 20th does not; the message and its history.
    listed = page("inbox", {"start": day, "end": day})
    r.check(listed, iso=True, where="inbox list")
    assert (
        "M2130"
        not in client.get(url("inbox"), {"start": next_day, "end": next_day}).content.decode()
    )
    message = page("message_detail", message_id="M2130")
    r.check(message, iso=True, where="message")
    assert f"{day} 21:30:00" in message and f"{day} 21:34:00" in message  # taken, delivered

    # Call log (the 19th's dates), its Details and Voice dialogs.
    dates = {"preset": "dates", "start_date": day, "end_date": day}
    r.check(page("calls", dates), iso=True, where="call log")
    nothing = page("calls", {"preset": "dates", "start_date": next_day, "end_date": next_day})
    assert "C2130" not in nothing
    r.check(page("call_details", call_id="C2130"), iso=True, where="details")
    r.check(page("call_voice", call_id="C2130"), iso=True, where="voice")

    # Billable Calls: in the cycle that ends on the 19th, not in the one starting on the 20th.
    billable = page("billable", {"cycle": day})
    r.check(billable, short=True, where="billable calls")
    cycle_end = r.short_date
    assert re.search(
        r"selected[^>]*>[^<]*– " + re.escape(cycle_end),
        client.get(url("billable"), {"cycle": day}).content.decode(),
    ), "the selected cycle ends on the 19th"
    assert "9:30" not in page("billable", {"cycle": next_day}).replace("9:30 p.m.", "")
    assert r.short_datetime not in page("billable", {"cycle": next_day})

    # Billing History: the statement line of the 19th.
    assert r.short_date in page("billing")

    # Statistics of the 19th: one call, in the 21:00 hour and on the 19th.
    stats = client.get(url("stats"), {"start": day, "end": day}).content.decode()
    hours = re.findall(r"<th scope=\"row\">(\d\d):00</th><td class=\"num\">(\d+)</td>", stats)
    assert [h for h, n in hours if n != "0"] == ["21"], hours
    days = re.findall(r"<th scope=\"row\">([\d/]+)</th><td class=\"num\">(\d+)</td>", stats)
    assert days == [(r.short_date, "1")], days
    after = client.get(url("stats"), {"start": next_day, "end": next_day}).content.decode()
    assert re.findall(r"<th scope=\"row\">[\d/]+</th><td class=\"num\">(\d+)</td>", after) == ["0"]

    # On call: the day view and its PDF.
    oncall = {"schedule": "S1", "view": "day", "date": day}
    r.check(page("oncall", oncall), oncall=True, where="on call")
    pdf = client.get(url("oncall_pdf"), oncall)
    assert pdf.status_code == 200
    r.check(pdf_text(pdf.content), oncall=True, where="on-call PDF")

    # Exports: the inbox's CSV and Excel, the call log's Excel, the billable calls' Excel.
    for fmt in ("csv", "xlsx"):
        response = client.post(url("inbox_export") + f"?start={day}&end={day}", {"format": fmt})
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            found = [c for row in rows for c in row]
        else:
            found = cells(content)
        assert f"{day} 21:30:00" in found, (fmt, found)
    calls_xlsx = client.get(url("calls_excel"), dates)
    assert f"{day} 21:30:00" in cells(b"".join(calls_xlsx.streaming_content))
    billable_xlsx = client.get(url("billable_export"), {"cycle": day})
    assert f"{day} 21:30:00" in cells(billable_xlsx.content)

    # E-mailed reports, received by a real SMTP server: the billable calls, the call log,
    # and the scheduled daily report of the 19th (sent the next morning).
    client.post(url("billable_email") + f"?cycle={day}", {"email": "alice@example.com"})
    client.post(
        url("calls_email") + "?" + "&".join(f"{k}={v}" for k, v in dates.items()),
        {"email": "alice@example.com"},
    )
    ReportSubscription.objects.create(
        account=evening["account"], emails="alice@example.com", frequency="daily"
    )
    morning = dt.datetime.combine(r.day + dt.timedelta(days=1), dt.time(8), tzinfo=TORONTO)
    assert len(send_due(morning)) == 1
    assert len(smtp_inbox.messages) == 3
    for received in smtp_inbox.messages:
        attached = [c for _name, data in smtp_inbox.attachments(received) for c in cells(data)]
        assert f"{day} 21:30:00" in attached, received["Subject"]
        assert r.wrong_iso not in " ".join(attached)
    scheduled = smtp_inbox.messages[2].get_body().get_content()
    assert "Total Calls: 1" in scheduled or "Total des appels : 1" in scheduled.replace(
        "\u00a0", " "
    ), scheduled


@pytest.mark.django_db
@pytest.mark.parametrize("evening", SEASONS[:2], indirect=True)
def test_the_back_office_lists_read_the_time_in_the_account_zone(client, evening, make_user):
    staff = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    staff_login(client, staff)  # tests/twofactor.py
    local = evening["local"]
    expected = f"{local:%Y-%m-%d} 21:30 {local.tzname()}"  # EST in winter, EDT in summer
    for changelist in ("billing/billabletransaction", "calls/call", "inbox/message"):
        response = client.get(f"/admin/{changelist}/")
        assert response.status_code == 200
        assert expected in text_of(response), changelist
