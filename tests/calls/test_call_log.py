"""The Call Log and its recordings, as the manual describes them."""

import datetime as dt
import io
import zipfile
from urllib.parse import urlencode

import openpyxl
from django.urls import reverse

from portal.accounts.models import AuditLog
from portal.calls.services import CallFilter, find_calls, parse_range
from tests.calls.helpers import add_recording, make_call, make_message, wav_bytes


def calls_url(acct, **query):
    url = reverse("calls", kwargs={"account_number": acct.number})
    return f"{url}?{urlencode(query)}" if query else url


def test_the_previous_hour_is_the_default_search(member_client, account):
    make_call(account, ago=dt.timedelta(minutes=20), call_id="15325576")
    make_call(account, ago=dt.timedelta(hours=2), call_id="15324056")
    html = member_client.get(calls_url(account)).content.decode()
    assert "15325576" in html and "15324056" not in html
    html = member_client.get(calls_url(account, preset="3hours")).content.decode()
    assert "15325576" in html and "15324056" in html


def test_since_midnight_and_specific_dates(member_client, account):
    make_call(account, ago=dt.timedelta(days=3), call_id="33333")
    day = (dt.datetime.now(account.tz) - dt.timedelta(days=3)).date()
    html = member_client.get(
        calls_url(account, preset="dates", start_date=day.isoformat(), end_date=day.isoformat())
    ).content.decode()
    assert "33333" in html
    assert "33333" not in member_client.get(calls_url(account, preset="midnight")).content.decode()


def test_results_split_into_the_last_7_days_and_the_archive(member_client, account):
    make_call(account, ago=dt.timedelta(days=2), call_id="RECENT1", duration_s=120)
    make_call(account, ago=dt.timedelta(days=20), call_id="ARCHIVED1", duration_s=174)
    make_call(account, ago=dt.timedelta(days=70), call_id="EXPIRED1")
    start = (dt.datetime.now(account.tz) - dt.timedelta(days=90)).date().isoformat()
    html = member_client.get(calls_url(account, start_date=start)).content.decode()
    results, archive = html.split('id="archive-title"')
    assert "RECENT1" in results and "ARCHIVED1" not in results
    assert "ARCHIVED1" in archive
    assert "EXPIRED1" not in html
    assert "00:02:00" in results and "00:02:54" in archive
    assert "Total Duration" in html and ">4.9</strong>" in html  # 294 s = 4.9 minutes


def test_a_caller_id_is_found_however_it_is_written(member_client, account):
    make_call(account, caller_id="5147753875", call_id="FOUND1")
    make_call(account, caller_id="4185550000", call_id="OTHER1")
    for caller in ("(514) 775-3875", "514-775-3875", "514.775.3875", "7753875"):
        html = member_client.get(calls_url(account, caller_id=caller)).content.decode()
        assert "FOUND1" in html and "OTHER1" not in html, caller


def test_advanced_options_narrow_the_search(account, make_account):
    keep = make_call(
        account, agent="ELD", station="155", duration_s=72, quality=90, caller_id="5149150123"
    )
    make_call(account, agent="DOM", station="14", duration_s=102, quality=40, caller_id="418")
    make_call(account, agent="ELD", station="155", duration_s=600, quality=90, caller_id="")

    def ids(**kw):
        return {c.call_id for c in find_calls([account], CallFilter(**kw))}

    assert keep.call_id in ids(agent="eld", station="155", max_duration_s=120, min_quality=80)
    assert len(ids(agent="eld", station="155", max_duration_s=120, min_quality=80)) == 1
    assert ids(caller_id="915012") == {keep.call_id}
    assert ids(call_id=keep.call_id) == {keep.call_id}
    assert len(ids(min_duration_s=100)) == 2
    assert len(ids(account_name="tes")) == 3 and ids(account_name="nope") == set()
    assert len(ids(billing_number=account.billing_number)) == 3
    assert ids(max_quality=50) == ids(max_quality=40)


def test_a_bad_criterion_is_explained_and_lists_nothing(member_client, account):
    make_call(account, call_id="HIDDEN1")
    html = member_client.get(
        calls_url(account, min_duration="5", max_duration="1")
    ).content.decode()
    assert "The maximum duration must not be less than the minimum duration." in html
    assert "HIDDEN1" not in html


def test_details_show_the_message_dispatched_on_a_transaction(member_client, account):
    call = make_call(account, kind="transaction", call_id="15320440")
    make_message(account, call_id="15320440", subject="RENDEZ-VOUS")
    html = member_client.get(
        reverse("call_details", args=[account.number, call.call_id])
    ).content.decode()
    assert "RENDEZ-VOUS" in html and "info@compagnie.ca" in html


def test_voice_and_download_appear_where_there_is_a_recording(member_client, account):
    add_recording(make_call(account, call_id="15319140"))
    make_call(account, call_id="15319141")
    html = member_client.get(calls_url(account)).content.decode()
    assert reverse("call_voice", args=[account.number, "15319140"]) in html
    assert reverse("call_voice", args=[account.number, "15319141"]) not in html
    voice = member_client.get(
        reverse("call_voice", args=[account.number, "15319140"])
    ).content.decode()
    assert "Call Information" in voice and "5149150123" in voice and "<audio" in voice


def test_the_recording_answers_range_requests_with_206(member_client, member, account):
    data = wav_bytes(2)
    call = add_recording(make_call(account), data)
    url = reverse("call_recording", args=[account.number, call.call_id])
    whole = member_client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    part = member_client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = member_client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    assert member_client.get(url, HTTP_RANGE=f"bytes={len(data)}-").status_code == 416
    assert AuditLog.objects.filter(action="recording.play", user=member).count() == 1
    download = member_client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditLog.objects.filter(action="recording.download").count() == 1


def test_parse_range_edges():
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-", 100) == (0, 99)
    assert parse_range("bytes=90-200", 100) == (90, 99)
    assert parse_range("bytes=100-", 100) is False


def test_a_recording_of_another_account_is_a_404_by_url(member_client, account, other_account):
    theirs = add_recording(make_call(other_account))
    for name in ("call_recording", "call_voice", "call_details"):
        # Their call asked for under my account, and under theirs.
        assert (
            member_client.get(reverse(name, args=[account.number, theirs.call_id])).status_code
            == 404
        )
        assert (
            member_client.get(
                reverse(name, args=[other_account.number, theirs.call_id])
            ).status_code
            == 404
        )


def test_download_selected_is_a_zip_of_the_checked_recordings(
    member_client, account, other_account
):
    a = add_recording(make_call(account), wav_bytes(1))
    b = add_recording(make_call(account), wav_bytes(2))
    theirs = add_recording(make_call(other_account))
    response = member_client.post(
        reverse("calls_download", args=[account.number]),
        {"ids": [a.call_id, b.call_id, theirs.call_id]},
    )
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 2 and all(n.endswith(".wav") for n in names)
    assert archive.read(next(n for n in names if a.call_id in n)) == wav_bytes(1)
    assert AuditLog.objects.filter(action="recordings.download").count() == 1


def test_download_selected_takes_the_checked_calls_of_all_my_accounts(
    client, make_user, make_account, account, other_account
):
    """With "All my accounts", checked calls of the login's other accounts are in the zip;
    another login's never are."""
    third = make_account("6000", "THIRD")
    client.force_login(make_user("both", account, third))
    mine = add_recording(make_call(account), wav_bytes(1))
    also_mine = add_recording(make_call(third), wav_bytes(2))
    theirs = add_recording(make_call(other_account))
    response = client.post(
        reverse("calls_download", args=[account.number]) + "?account=all",
        {"ids": [mine.call_id, also_mine.call_id, theirs.call_id]},
    )
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 2
    assert all(any(c.call_id in n for n in names) for c in (mine, also_mine))
    assert not any(theirs.call_id in n for n in names)
    logged = AuditLog.objects.filter(action="recordings.download")
    assert sorted(e.account.number for e in logged) == ["4000", "6000"]


def test_excel_says_voice_only_where_there_is_a_recording(member_client, account):
    add_recording(make_call(account, call_id="REC1"))
    make_call(account, call_id="PLAIN1")
    make_call(account, call_id="TX1", kind="transaction")
    response = member_client.get(reverse("calls_excel", args=[account.number]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    info = {row[9]: row[10] for row in sheet.iter_rows(min_row=2, values_only=True) if row[9]}
    assert info == {"REC1": "Voice", "PLAIN1": None, "TX1": "Details"}


def test_open_in_excel(member_client, account):
    make_call(account, caller_id="=1+1", call_id="15325576")
    response = member_client.get(reverse("calls_excel", args=[account.number]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Start" and rows[1][9] == "15325576" and rows[1][7] == "=1+1"
    assert sheet.cell(2, 8).data_type == "s"
    assert AuditLog.objects.filter(action="calls.export").count() == 1


def test_email_report_arrives_with_the_spreadsheet(member_client, account, smtp_server):
    make_call(account, call_id="15325576")
    response = member_client.post(
        reverse("calls_email", args=[account.number]) + "?preset=3hours",
        {"email": "boss@client.ca"},
    )
    assert response.status_code == 302
    assert len(smtp_server) == 1
    mail = smtp_server[0]
    assert mail["To"] == "boss@client.ca"
    attachments = [p for p in mail.walk() if p.get_filename()]
    assert attachments[0].get_filename().endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(attachments[0].get_payload(decode=True))).active
    assert any(row[9] == "15325576" for row in sheet.iter_rows(values_only=True))
    assert AuditLog.objects.filter(action="calls.email").count() == 1


def test_email_report_refuses_a_bad_address(member_client, account, smtp_server):
    response = member_client.post(
        reverse("calls_email", args=[account.number]), {"email": "nope"}, follow=True
    )
    assert "Enter a valid e-mail address." in response.content.decode()
    assert smtp_server == []


def test_a_rows_values_are_escaped_and_its_links_and_time_are_right(member_client, account):
    voice = add_recording(make_call(account, ago=dt.timedelta(minutes=10), call_id="V<1>"))
    make_call(account, ago=dt.timedelta(minutes=20), call_id="T1", kind="transaction",
              caller_name='<b>"Zoë" & co</b>', station="<14>")  # fmt: skip
    make_call(account, ago=dt.timedelta(minutes=30), call_id="PLAIN1", duration_s=3725)
    html = member_client.get(calls_url(account)).content.decode()
    assert "<b>" not in html and "<14>" not in html
    assert "&lt;b&gt;&quot;Zoë&quot; &amp; co&lt;/b&gt;" in html and "&lt;14&gt;" in html
    marker = 'name="ids" value="'
    rows = {r.split(marker, 1)[1].split('"', 1)[0]: r for r in html.split("<tr>") if marker in r}
    v = rows["V&lt;1&gt;"]
    voice_url = reverse(
        "call_voice", kwargs={"account_number": account.number, "call_id": voice.call_id}
    )
    assert f'href="{voice_url}"' in v and "?download=1" in v and "Voice" in v
    started = voice.started_at.astimezone(account.tz).strftime("%Y-%m-%d %H:%M")
    assert f'aria-label="Play the call of {started}"' in v and f"</span> {started}</a>" in v
    assert "Details" in rows["T1"] and "Voice" not in rows["T1"]
    plain = rows["PLAIN1"]
    assert "Details" not in plain and "Voice" not in plain and "01:02:05" in plain
    assert (
        "F-CAROLANE" in plain
        and f'<td class="c-client" data-label="Client">{account.number}</td>' in plain
    )


def test_an_empty_section_says_so_in_french(member_client, account):
    member_client.cookies["django_language"] = "fr"
    html = member_client.get(calls_url(account)).content.decode()
    assert "Aucun appel dans cette section pour ces critères." in html
