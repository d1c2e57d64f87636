"""The one spreadsheet and CSV writer (portal.sheets), and every file the portal produces
through it: no formula ever, real dates and durations, bold frozen headers, widths that fit,
the totals the pages show."""

import csv
import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter

from portal import sheets
from portal.stats.models import ReportSubscription
from tests.calls.helpers import make_call, make_message
from tests.stats.examples import english_example, ingest, ingest_billable
from tests.stats.smtp import smtp_inbox  # noqa: F401 (a fixture)

NASTY = ['=HYPERLINK("http://x","y")', "+1-514", "@SUM(A1)", "-2+3", "=1", "#N/A", "\tx"]
TORONTO = ZoneInfo("America/Toronto")


def check_workbook(data: bytes):
    """Every sheet: no formula (neither as a cell type nor in the XML), the header row bold
    and frozen, every column at least as wide as its header and at most the cap."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate, cell.value)
        assert ws.freeze_panes, ws.title
        header_row = int(re.sub(r"[A-Z]+", "", ws.freeze_panes)) - 1
        header = [c for c in ws[header_row] if c.value is not None]
        assert header, ws.title
        for cell in header:
            assert cell.font.b, (ws.title, cell.value)
            width = ws.column_dimensions[get_column_letter(cell.column)].width
            assert min(len(str(cell.value)), sheets.CAP) <= width <= sheets.CAP, cell.value
    return wb


def header_row(ws) -> int:
    return int(re.sub(r"[A-Z]+", "", ws.freeze_panes)) - 1


def rows_after_header(ws):
    return list(ws.iter_rows(min_row=header_row(ws) + 1))


# --- the writer ------------------------------------------------------------------------------


def test_no_string_is_ever_stored_as_a_formula_and_csv_cells_are_quoted():
    table = sheets.Table([sheets.Column("Name"), sheets.Column("Other")], [[v, v] for v in NASTY])
    wb = check_workbook(sheets.xlsx_bytes([sheets.Sheet("=SHEET", [table], lines=["=TITLE"])]))
    ws = wb.active
    assert ws["A1"].value == "=TITLE" and ws["A1"].data_type == "s"
    got = [(r[0].value, r[0].data_type, r[0].quotePrefix) for r in rows_after_header(ws)]
    expected = [(v, "s", v[0] in "=+-@\t") for v in NASTY]
    assert got == expected
    out = io.StringIO()
    assert sheets.write_csv(table, out) == len(NASTY)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["'" + v if v[0] in "=+-@\t" else v for v in NASTY]


def test_dates_and_durations_are_real_values_with_formats_and_no_time_zone():
    utc = dt.datetime(2026, 1, 15, 17, 30, 5, tzinfo=dt.UTC)
    table = sheets.Table(
        [
            sheets.Column("Start", sheets.DATETIME),
            sheets.Column("Duration", sheets.DURATION),
            sheets.Column("Stat", sheets.MINUTES_SECONDS),
            sheets.Column("Mins", sheets.ONE_DECIMAL),
        ],
        [[utc, dt.timedelta(hours=26, seconds=7), dt.timedelta(seconds=105), 4.9]],
        totals=[["Total", dt.timedelta(hours=26, seconds=7), None, 4.9]],
        tz=TORONTO,
    )
    wb = check_workbook(sheets.xlsx_bytes([sheets.Sheet("S", [table])]))
    start, duration, stat, mins = rows_after_header(wb.active)[0]
    assert start.value == dt.datetime(2026, 1, 15, 12, 30, 5)  # Toronto, naive
    assert is_date_format(start.number_format) and start.number_format == sheets.DATETIME
    assert duration.value == dt.timedelta(hours=26, seconds=7)
    assert duration.number_format == "[hh]:mm:ss"
    assert stat.value == dt.timedelta(seconds=105) and stat.number_format == "[mm]:ss"
    assert mins.value == 4.9 and mins.number_format == "0.0"
    with zipfile.ZipFile(io.BytesIO(sheets.xlsx_bytes([sheets.Sheet("S", [table])]))) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="B2"[^>]* t="n"', xml)  # a number, not text
    out = io.StringIO()
    sheets.write_csv(table, out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[1] == ["2026-01-15 12:30:05", "26:00:07", "01:45", "4.9"]
    assert rows[2] == [] and rows[3] == ["Total", "26:00:07", "", "4.9"]


def test_widths_fit_the_content_long_text_wraps_headers_bold_and_frozen_totals_after():
    long = "word " * 40
    table = sheets.Table(
        [sheets.Column("A very long header name"), sheets.Column("N"), sheets.Column("Text")],
        [["x", "1234567890123", long], ["y", "z", "two\nlines"]],
        totals=[["Total", 3, None]],
    )
    ws = check_workbook(sheets.xlsx_bytes([sheets.Sheet("S", [table])])).active
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths[0] >= len("A very long header name")
    assert len("1234567890123") < widths[1] < 20
    assert widths[2] == sheets.CAP
    assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1])
    assert ws["C2"].alignment.wrap_text and ws["C3"].alignment.wrap_text
    assert not ws["A2"].font.b
    assert [c.value for c in ws[4]] == [None, None, None]  # a blank row, then the totals
    assert ws["A5"].value == "Total" and ws["A5"].font.b and ws["B5"].value == 3


def test_characters_a_workbook_cannot_hold_are_dropped():
    table = sheets.Table([sheets.Column("T")], [["bell\x07 and nul\x00"]])
    ws = check_workbook(sheets.xlsx_bytes([sheets.Sheet("S", [table])])).active
    assert ws["A2"].value == "bell and nul"


# --- every file the portal produces --------------------------------------------------------


def page_total(html: str) -> str:
    m = re.search(r'class="grand-total".*?<strong[^>]*>([^<]+)</strong>', html, re.S)
    assert m, "the page shows no Total Duration"
    return m.group(1).strip()


@pytest.mark.django_db
def test_the_call_log_excel_file_and_its_email(member_client, account, smtp_inbox):  # noqa: F811
    account.name = "=EVIL()"
    account.save()
    for i, nasty in enumerate(NASTY[:4]):
        make_call(
            account,
            ago=dt.timedelta(minutes=10 + i),
            caller_name=nasty,
            caller_id=NASTY[i + 1],
            duration_s=291,
        )
    make_call(account, ago=dt.timedelta(days=9), duration_s=3725)  # in the Archive
    start = (timezone.now().astimezone(account.tz) - dt.timedelta(days=20)).date()
    query = f"?start_date={start.isoformat()}"
    html = member_client.get(reverse("calls", args=[account.number]) + query).content.decode()
    response = member_client.get(reverse("calls_excel", args=[account.number]) + query)
    data = b"".join(response.streaming_content)
    ws = check_workbook(data).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Start", "Duration", "Duration (mins)"]
    rows = [r for r in rows_after_header(ws) if r[9].value]
    assert len(rows) == 5
    names = {r[8].value for r in rows}
    assert set(NASTY[:4]) <= names
    assert {r[3].value for r in rows} == {"=EVIL()"}
    newest = rows[0]
    assert isinstance(newest[0].value, dt.datetime) and is_date_format(newest[0].number_format)
    assert newest[1].value == dt.timedelta(seconds=291) and newest[1].number_format == "[hh]:mm:ss"
    assert rows[-1][1].value == dt.timedelta(seconds=3725)
    [total] = [r for r in ws.iter_rows() if r[0].value == "Total Duration"]
    assert total[2].value == float(page_total(html)) == 81.5  # 19.4 + 62.1, as the page adds
    assert total[0].font.b
    member_client.post(
        reverse("calls_email", args=[account.number]) + query, {"email": "boss@client.ca"}
    )
    [(name, content)] = smtp_inbox.attachments(smtp_inbox.messages[0])
    ws = check_workbook(content).active
    assert [r for r in ws.iter_rows(values_only=True) if r[0] == "Total Duration"][0][2] == (
        float(page_total(html))
    )


def billable_items(day):
    stats = [90, 195, 120, 45]
    return [
        {
            "transaction_id": f"T-{i}",
            "account": "4000",
            "at": f"{day}T{8 + i:02d}:37:00-04:00",
            "description": NASTY[i],
            "number": NASTY[i + 1],
            "caller_name": NASTY[i + 2],
            "agent": "CL2",
            "statistic_s": s,
        }
        for i, s in enumerate(stats)
    ]


@pytest.mark.django_db
def test_the_billable_excel_file_has_the_page_totals(
    member_client,
    account,
    make_token,
    api,
    smtp_inbox,  # noqa: F811
):
    today = timezone.now().astimezone(account.tz).date()
    ingest_billable(api, make_token(), billable_items(today.isoformat()))
    html = member_client.get(reverse("billable", args=["4000"])).content.decode()
    shown = dict(re.findall(r'<span data-total="(\w+)">([^<]*)</span>', html))
    assert shown == {"calls": "4", "stats": "7.50", "average": "1.88"}
    data = member_client.get(reverse("billable_export", args=["4000"])).content
    ws = check_workbook(data).active
    assert ws.title == "Billable Calls"
    header = header_row(ws)
    assert [c.value for c in ws[header]][:1] == ["Date/Time"]
    rows = [r for r in rows_after_header(ws) if isinstance(r[0].value, dt.datetime)]
    assert len(rows) == 4
    assert {r[1].value for r in rows} == set(NASTY[:4])
    assert is_date_format(rows[0][0].number_format)
    by_time = sorted(rows, key=lambda r: r[0].value)
    first = dt.datetime.fromisoformat(f"{today.isoformat()}T08:37:00-04:00")
    assert by_time[0][0].value == first.astimezone(account.tz).replace(tzinfo=None)
    assert [r[5].value for r in by_time] == [dt.timedelta(seconds=s) for s in (90, 195, 120, 45)]
    assert by_time[0][5].number_format == "[mm]:ss"
    totals = {r[0].value: r[1] for r in ws.iter_rows() if str(r[0].value).endswith(":")}
    assert totals["Total Calls:"].value == int(shown["calls"])
    assert f"{totals['Total Stats:'].value:.2f}" == shown["stats"]
    assert f"{totals['Average Stat/Call:'].value:.2f}" == shown["average"]
    assert totals["Total Stats:"].number_format == "0.00" and totals["Total Calls:"].font.b
    member_client.post(reverse("billable_email", args=["4000"]), {"email": "a@example.com"})
    [(_name, content)] = smtp_inbox.attachments(smtp_inbox.messages[0])
    check_workbook(content)


@pytest.mark.django_db
def test_the_statistics_excel_file_its_email_and_the_scheduled_report(
    member_client,
    account,
    make_token,
    api,
    smtp_inbox,  # noqa: F811
):
    account.name = '=HYPERLINK("http://x","y")'
    account.save()
    ingest(api, make_token(), english_example())
    period = {"start": "2023-03-01", "end": "2023-03-22"}
    data = member_client.get(reverse("stats_export", args=["4000"]), period).content
    ws = check_workbook(data).active
    assert ws["A1"].value == account.name and ws["A1"].data_type == "s"
    figures = {r[0].value: r for r in rows_after_header(ws)}
    wait = figures["Avg Wait for Operator, Agent Calls (secs)"]
    assert wait[1].value == 11.6 and wait[1].number_format == "0.0"
    assert figures["Total Incoming Calls"][1].value == 1
    assert figures["Total Incoming Calls"][3].alignment.wrap_text
    member_client.post(
        reverse("stats_email", args=["4000"]) + "?start=2023-03-01&end=2023-03-22",
        {"email": "boss@example.com"},
    )
    [(_name, content)] = smtp_inbox.attachments(smtp_inbox.messages[0])
    check_workbook(content)

    ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="daily", billable=True, language="fr"
    )
    yesterday = timezone.now().astimezone(account.tz).date() - dt.timedelta(days=1)
    ingest_billable(api, make_token(), billable_items(yesterday.isoformat()))
    call_command("send_scheduled_reports", stdout=io.StringIO())
    [(_name, content)] = smtp_inbox.attachments(smtp_inbox.messages[1])
    wb = check_workbook(content)
    assert wb.sheetnames == ["Statistiques", "Appels facturables"]
    totals = list(wb["Appels facturables"].iter_rows(values_only=True))[-3:]
    assert [r[1] for r in totals] == [4, 7.5, 1.88]


def _export(client, account, fmt):
    return client.post(reverse("inbox_export", args=[account.number]), {"format": fmt})


@pytest.mark.django_db
def test_the_message_downloads_in_csv_and_excel(member_client, account):
    taken = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    make_message(
        account,
        taken_at=taken,
        subject=NASTY[0],
        body=NASTY[1] + "\n" + "long line " * 20,
        fields=[["Note", NASTY[2]]],
    )
    data = b"".join(_export(member_client, account, "xlsx").streaming_content)
    ws = check_workbook(data).active
    assert [c.value for c in ws[1]][:3] == ["Account", "Message ID", "Taken"]
    row = ws[2]
    local = taken.astimezone(account.tz).replace(tzinfo=None)
    assert row[2].value == local and is_date_format(row[2].number_format)
    assert row[3].value == NASTY[0] and row[3].data_type == "s"
    assert row[4].value == "Note: " + NASTY[2] and row[5].alignment.wrap_text
    assert ws.column_dimensions["F"].width == sheets.CAP
    text = b"".join(_export(member_client, account, "csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Account", "Message ID", "Taken"]
    assert rows[1][2] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert rows[1][3] == "'" + NASTY[0] and rows[1][5].startswith("'+1-514")


# --- formula injection through the e-mailed and scheduled copies (issue 13, item 9) -------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)"]


def _text_cells(data: bytes) -> dict[str, set]:
    """Each sheet's string cells, after check_workbook found no formula in any of them."""
    wb = check_workbook(data)
    return {
        ws.title: {c.value for row in ws.iter_rows() for c in row if c.data_type == "s"}
        for ws in wb.worksheets
    }


@pytest.mark.django_db
def test_every_emailed_and_scheduled_workbook_keeps_caller_names_and_agents_as_text(
    member_client,
    account,
    make_token,
    api,
    smtp_inbox,  # noqa: F811
):
    """Callers named, and agents coded, like formulas: in the Call Log's, the Billable
    Calls' and the Statistics' e-mailed workbooks and in the scheduled report (received by
    the real SMTP server), every one is a text cell, none a formula."""
    yesterday = timezone.now().astimezone(account.tz).date() - dt.timedelta(days=1)
    noon = dt.datetime.combine(yesterday, dt.time(12), tzinfo=account.tz)
    for i, nasty in enumerate(FORMULAS):
        make_call(
            account,
            started_at=noon + dt.timedelta(minutes=i),
            caller_name=nasty,
            agent=nasty,
            duration_s=120,
            queued_s=1,
            assigned_s=3,
            answered_s=5,
            work_s=100,
        )
    ingest_billable(
        api,
        make_token(),
        [
            {
                "transaction_id": f"F-{i}",
                "account": "4000",
                "at": (noon + dt.timedelta(minutes=i)).isoformat(),
                "description": "Call",
                "number": "5145550123",
                "caller_name": nasty,
                "agent": nasty,
                "statistic_s": 60,
            }
            for i, nasty in enumerate(FORMULAS)
        ],
    )
    day = yesterday.isoformat()
    member_client.post(
        reverse("calls_email", args=["4000"]) + f"?start_date={day}&end_date={day}",
        {"email": "boss@example.com"},
    )
    member_client.post(
        reverse("billable_email", args=["4000"]) + f"?start={day}&end={day}",
        {"email": "boss@example.com"},
    )
    member_client.post(
        reverse("stats_email", args=["4000"]) + f"?start={day}&end={day}",
        {"email": "boss@example.com"},
    )
    ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="daily", billable=True
    )
    call_command("send_scheduled_reports", stdout=io.StringIO())
    assert len(smtp_inbox.messages) == 4
    workbooks = [
        content for m in smtp_inbox.messages for _name, content in smtp_inbox.attachments(m)
    ]
    assert len(workbooks) == 4
    calls, billable, stats, scheduled = (_text_cells(data) for data in workbooks)
    assert set(FORMULAS) <= calls["Call Log"]  # caller names and agents
    assert set(FORMULAS) <= billable["Billable Calls"]
    assert set(FORMULAS) <= stats["Statistics"]  # the per-agent breakdown
    assert set(FORMULAS) <= scheduled["Statistiques"] or set(FORMULAS) <= scheduled["Statistics"]
    assert set(FORMULAS) <= (scheduled.get("Appels facturables") or scheduled["Billable Calls"])


@pytest.mark.django_db
def test_the_on_call_history_csv_quotes_a_name_that_looks_like_a_formula(member_client, account):
    """The history's "Who" (a login's name: "+1" and "-1" are valid user names) and a
    contact named like a formula: quoted in the CSV, text in the workbook."""
    from portal.oncall import services
    from portal.oncall.services import Actor
    from tests.oncall.helpers import STAFF, contact

    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    start = timezone.now() + dt.timedelta(days=2)
    shift, _ = services.upsert_shift(
        schedule, "w1", start=start, end=start + dt.timedelta(days=7), actor=STAFF
    )
    services.assign(shift, contact(account, "x", FORMULAS[0]), actor=Actor(name="+1"))
    services.unassign(shift, actor=Actor(name="-1"))
    response = member_client.get(reverse("oncall_history_csv", args=["4000"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    who = [row[1] for row in rows[1:]]
    assert "'+1" in who and "'-1" in who
    cells = [cell for row in rows for cell in row]
    assert any(FORMULAS[0] in cell for cell in cells)
    assert not [c for c in cells if c.startswith(sheets.FORMULA_START)], cells
    data = member_client.get(reverse("oncall_history_xlsx", args=["4000"])).content
    [texts] = _text_cells(data).values()
    assert {"+1", "-1"} <= texts
    assert any(FORMULAS[0] in v for v in texts)


def test_no_module_but_portal_sheets_writes_a_spreadsheet_or_csv():
    """The one writer: no other module of the portal imports a spreadsheet writer or writes
    CSV (a new export, in a page, the back office or a command, goes through portal.sheets).
    Reading CSV (csv.reader, e.g. Asterisk's Master.csv at ingest) writes nothing."""
    from pathlib import Path

    root = Path(sheets.__file__).parent
    writers = re.compile(
        r"^\s*(import|from)\s+(openpyxl|xlsxwriter|xlwt|pyexcel)\b"
        r"|\bcsv\.(writer|DictWriter)\b|^\s*from\s+csv\s+import\b[^\n]*\b(writer|DictWriter)\b",
        re.M,
    )
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "sheets.py" and writers.search(path.read_text())
    ]
    assert offenders == []
    # The pattern finds what it must (the test would pass for nothing otherwise).
    assert writers.search("import openpyxl\n") and writers.search("w = csv.writer(out)\n")
    assert writers.search("from csv import DictWriter\n")
    assert not writers.search("import csv\nrows = csv.reader(text)\n")
