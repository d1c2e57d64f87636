"""The Messages section, as the manual describes it."""

import csv
import datetime as dt
import io
import zoneinfo

import openpyxl
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AuditLog
from portal.inbox.models import Message
from portal.inbox.services import MessageFilter, find_messages, period_bounds
from tests.calls.helpers import add_recording, make_call, make_message

TORONTO = zoneinfo.ZoneInfo("America/Toronto")


def inbox_url(acct, **query):
    from urllib.parse import urlencode

    url = reverse("inbox", kwargs={"account_number": acct.number})
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def test_the_inbox_lists_the_accounts_messages_newest_first(member_client, account, other_account):
    old = make_message(account, ago=dt.timedelta(days=2), subject="OLDER")
    new = make_message(account, ago=dt.timedelta(hours=1), subject="NEWER")
    make_message(other_account, subject="SOMEONE ELSE")
    html = member_client.get(inbox_url(account)).content.decode()
    assert html.index("NEWER") < html.index("OLDER")
    assert "SOMEONE ELSE" not in html
    assert old.message_id in html and new.message_id in html


def test_a_keyword_finds_a_message_without_its_accents(member_client, account):
    make_message(account, fields=[["Modèle", "XR-200"]], subject="SERVICE")
    make_message(account, fields=[["Serie", "10906256AJ"]], subject="AUTRE")
    html = member_client.get(
        inbox_url(account, q="modele", filtered=1, options=["open", "closed", "urgent"])
    ).content.decode()
    assert "SERVICE" in html and "AUTRE" not in html
    assert (
        "AUTRE"
        in member_client.get(
            inbox_url(account, q="10906256aj", filtered=1, options=["open"])
        ).content.decode()
    )


def test_the_webportal_fields_narrow_the_search(account, make_account):
    a = make_message(account, call_id="15319140", agent="ELD")
    make_message(account, call_id="999", agent="KAL")
    found = find_messages([account], MessageFilter(call_id="15319140"))
    assert list(found) == [a]
    assert list(find_messages([account], MessageFilter(agent="eld"))) == [a]
    assert (
        find_messages([account], MessageFilter(billing_number=account.billing_number)).count() == 2
    )
    assert find_messages([account], MessageFilter(billing_number="nope")).count() == 0


def test_the_three_option_boxes(account):
    open_ = make_message(account, subject="O")
    closed = make_message(account, subject="C", status="closed")
    urgent_closed = make_message(account, subject="U", status="closed", urgent=True)

    def ids(*boxes):
        return {m.pk for m in find_messages([account], MessageFilter(boxes=set(boxes)))}

    assert ids("open", "closed", "urgent") == {open_.pk, closed.pk, urgent_closed.pk}
    assert ids("open") == {open_.pk}
    assert ids("closed") == {closed.pk, urgent_closed.pk}
    assert ids("urgent") == {urgent_closed.pk}
    assert ids() == set()


def test_quick_periods_follow_the_accounts_zone_across_a_dst_weekend(account):
    # Sunday 2024-03-10 02:00 in Toronto the clocks go forward: "Yesterday" is 23 hours long.
    now = dt.datetime(2024, 3, 11, 12, 0, tzinfo=TORONTO)
    lo, hi = period_bounds("yesterday", TORONTO, now)
    assert lo == dt.datetime(2024, 3, 10, 0, 0, tzinfo=TORONTO)
    assert hi.astimezone(dt.UTC) - lo.astimezone(dt.UTC) == dt.timedelta(hours=23)
    lo, hi = period_bounds("today", TORONTO, now)
    assert lo.astimezone(dt.UTC).hour == 4  # midnight EDT is 04:00 UTC
    lo, _hi = period_bounds("week", TORONTO, now)
    assert lo == dt.datetime(2024, 3, 5, 0, 0, tzinfo=TORONTO)


def test_today_and_yesterday_on_the_page(member_client, account):
    tz = account.tz
    local_now = timezone.now().astimezone(tz)
    midnight = dt.datetime.combine(local_now.date(), dt.time.min, tzinfo=tz)
    make_message(account, taken_at=midnight + dt.timedelta(minutes=1), subject="TODAYS")
    make_message(account, taken_at=midnight - dt.timedelta(hours=3), subject="YESTERDAYS")
    today = member_client.get(inbox_url(account, period="today")).content.decode()
    assert "TODAYS" in today and "YESTERDAYS" not in today
    yesterday = member_client.get(inbox_url(account, period="yesterday")).content.decode()
    assert "YESTERDAYS" in yesterday and "TODAYS" not in yesterday


def test_a_date_range_with_the_end_before_the_start_is_refused_clearly(member_client, account):
    make_message(account, subject="HIDDEN")
    response = member_client.get(inbox_url(account, start="2024-05-02", end="2024-05-01"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end date must not be before the start date." in html
    assert "HIDDEN" not in html


def test_a_login_with_several_accounts_sees_them_all_at_once(
    client, make_user, account, make_account
):
    second = make_account("4001", "SECOND")
    make_message(account, subject="FIRST-ACCOUNT")
    make_message(second, subject="SECOND-ACCOUNT")
    client.force_login(make_user("both", account, second))
    mine = client.get(inbox_url(account)).content.decode()
    assert "FIRST-ACCOUNT" in mine and "SECOND-ACCOUNT" not in mine
    everything = client.get(inbox_url(account, account="all")).content.decode()
    assert "FIRST-ACCOUNT" in everything and "SECOND-ACCOUNT" in everything
    assert "All my accounts" in everything


def test_the_account_filter_cannot_reach_an_account_of_someone_else(
    member_client, account, other_account
):
    make_message(other_account, subject="NOT-YOURS")
    html = member_client.get(inbox_url(account, account=other_account.number)).content.decode()
    assert "NOT-YOURS" not in html


def test_a_message_shows_the_webportal_layout_and_its_history(member_client, account):
    taken = dt.datetime(2024, 3, 10, 9, 16, 44, tzinfo=TORONTO)
    m = make_message(account, taken_at=timezone.now() - dt.timedelta(hours=2), urgent=True)
    m.taken_at = taken  # shown in the account's zone
    url = reverse(
        "message_detail", kwargs={"account_number": account.number, "message_id": m.message_id}
    )
    html = member_client.get(url).content.decode()
    assert f"Message ID:</dt><dd>{m.message_id}" in html
    assert "RENDEZ-VOUS" in html and "Modèle:" in html and "XR-200" in html
    assert "Delivery history" in html
    assert "e-mail initiated to info@compagnie.ca" in html
    assert "e-mail completed to info@compagnie.ca" in html
    assert "Delivered" in html and "Urgent" in html
    local = m.events.get(kind="taken").at.astimezone(account.tz).strftime("%Y-%m-%d %H:%M:%S")
    assert local in html


def test_the_history_reads_as_the_webportals_on_the_message_and_in_details(member_client, account):
    """The seed: "email initiated to …", "email completed to …", "Delivered", "Taken", in
    that order within the same time, on the message page and in the call's Details."""
    import re

    make_call(account, call_id="777", kind="transaction")
    m = make_message(account, call_id="777")
    t = m.events.get(kind="initiated").at
    m.events.update(at=t)  # all four in the same second, as in the seed
    pages = [
        reverse("message_detail", args=[account.number, m.message_id]),
        reverse("call_details", args=[account.number, "777"]),
    ]
    for url in pages:
        html = member_client.get(url).content.decode()
        lines = re.findall(r"</time> ([^<]+)</li>", html)
        assert lines == [
            "e-mail initiated to info@compagnie.ca",
            "e-mail completed to info@compagnie.ca",
            "Delivered",
            "Taken",
        ], (url, lines)


def test_the_history_is_in_french_for_a_french_login(client, make_user, account):
    client.force_login(make_user("fr", account, language="fr"))
    m = make_message(account)
    html = client.get(
        reverse("message_detail", args=[account.number, m.message_id])
    ).content.decode()
    assert "Envoi de l&#x27;Histoire" in html or "Envoi de l'Histoire" in html


def test_closing_and_reopening_is_recorded(member_client, member, account):
    m = make_message(account)
    url = reverse("message_status", args=[account.number, m.message_id])
    assert member_client.post(url, {"status": "closed"}).status_code == 302
    m.refresh_from_db()
    assert m.status == Message.CLOSED and m.closed_by == member and m.closed_at is not None
    page = member_client.get(reverse("message_detail", args=[account.number, m.message_id]))
    assert "Closed by member on" in page.content.decode()
    member_client.post(url, {"status": "open"})
    m.refresh_from_db()
    assert m.status == Message.OPEN and m.closed_by is None
    actions = list(AuditLog.objects.filter(object_id=str(m.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["message.close", "message.reopen"]


def test_a_bad_status_changes_nothing(member_client, account):
    m = make_message(account)
    member_client.post(
        reverse("message_status", args=[account.number, m.message_id]), {"status": "x"}
    )
    m.refresh_from_db()
    assert m.status == Message.OPEN


def _export(client, account, fmt, ids=(), **query):
    from urllib.parse import urlencode

    url = reverse("inbox_export", args=[account.number])
    if query:
        url += "?" + urlencode(query, doseq=True)
    return client.post(url, {"format": fmt, "ids": list(ids)})


def test_csv_download_of_all_matching_messages(member_client, account):
    make_message(account, subject="=cmd|' /C calc'!A0", fields=[["Modèle", "+33"]])
    make_message(account, subject="PLAIN")
    response = _export(member_client, account, "csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert int(response["Content-Length"]) > 0
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Account", "Message ID", "Taken"]
    subjects = [r[3] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in subjects and "PLAIN" in subjects
    assert any("Modèle: '+33" in r[4] or "Modèle: +33" in r[4] for r in rows[1:])
    assert AuditLog.objects.filter(action="messages.export").count() == 1


def test_excel_download_of_the_checked_messages(member_client, account):
    a = make_message(account, subject="@SUM(A1)")
    make_message(account, subject="NOT CHECKED")
    response = _export(member_client, account, "xlsx", ids=[a.message_id])
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == a.message_id and rows[1][3] == "@SUM(A1)"
    assert sheet.cell(2, 4).data_type == "s" and sheet.cell(2, 4).quotePrefix


def test_retention_hides_old_messages_and_purge_deletes_rows_and_files(
    member_client, account, settings, capsys
):
    account.retention_days = 60
    account.save()
    old = make_message(account, ago=dt.timedelta(days=61), subject="TOO-OLD")
    kept = make_message(account, ago=dt.timedelta(days=59), subject="STILL-HERE")
    old_call = add_recording(make_call(account, ago=dt.timedelta(days=61)))
    path = old_call.recording.file.path
    make_call(account, ago=dt.timedelta(days=10))
    html = member_client.get(inbox_url(account, period="")).content.decode()
    assert "STILL-HERE" in html and "TOO-OLD" not in html
    call_command("purge_expired", "--batch-size", "1")
    out = capsys.readouterr().out
    assert "Removed 1 messages, 1 calls, 1 recordings." in out
    assert not Message.objects.filter(pk=old.pk).exists()
    assert Message.objects.filter(pk=kept.pk).exists()
    import os

    assert not os.path.exists(path)


def test_retention_is_per_account(account):
    account.retention_days = 10
    account.save()
    make_message(account, ago=dt.timedelta(days=11))
    assert find_messages([account], MessageFilter()).count() == 0


def test_purge_expired_has_help():
    from portal.inbox.management.commands.purge_expired import Command

    assert "retention" in Command.help


def test_new_messages_arrive_on_an_open_inbox(member_client, account):
    since = timezone.now()
    make_message(account, subject="BRAND-NEW")
    url = reverse("inbox_poll", args=[account.number])
    html = member_client.get(url, {"since": since.isoformat()}).content.decode()
    assert "BRAND-NEW" in html and 'hx-swap-oob="afterbegin:#message-rows"' in html
    again = member_client.get(url, {"since": timezone.now().isoformat()}).content.decode()
    assert "BRAND-NEW" not in again


def test_a_rows_values_are_escaped_and_its_time_is_the_accounts(member_client, account):
    taken = (timezone.now() - dt.timedelta(days=2)).replace(second=0, microsecond=0)
    m = make_message(
        account,
        taken_at=taken,
        subject='<script>alert("x")</script>',
        fields=[["A&B", '"quoted"'], ["Modèle", "<b>XR</b>"]],
        message_id="m<1>",
        urgent=True,
    )
    response = member_client.get(inbox_url(account, filtered=1, options=["open", "urgent"]))
    html = response.content.decode()
    assert "<script>alert" not in html and "<b>XR</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "A&amp;B: &quot;quoted&quot; · Modèle: &lt;b&gt;XR&lt;/b&gt;" in html
    row = html[html.index('id="msg-m&lt;1&gt;"') - 30 :]
    row = row[: row.index("</tr>")]
    assert 'class="urgent"' in row
    assert taken.astimezone(account.tz).strftime("%Y-%m-%d %H:%M") in row
    assert f'href="{reverse("message_detail", args=[account.number, m.message_id])}?back=' in row
    assert "badge urgent-badge" in row and "badge open-badge" in row


def test_back_to_the_messages_returns_to_the_list_it_came_from(client, make_user, account):
    from portal.accounts.models import Account

    other = Account.objects.create(number="5230", name="OTHER", timezone="America/Toronto")
    client.force_login(make_user("both", account, other))
    m = make_message(other, subject="FROM THE OTHER ONE")
    listing = "/a/4000/messages/?account=all&filtered=1&options=open"
    html = client.get(listing).content.decode()
    link = html.split('href="/a/5230/messages/')[1].split('"')[0].replace("&amp;", "&")
    page = client.get(f"/a/5230/messages/{link}").content.decode()
    assert "FROM THE OTHER ONE" in page
    assert 'href="/a/4000/messages/?account=all&amp;filtered=1&amp;options=open"' in page
    # Closing keeps the way back.
    r = client.post(f"/a/5230/messages/{m.message_id}/status/", {"status": "closed",
                    "back": "/a/4000/messages/?account=all"})  # fmt: skip
    assert "back=%2Fa%2F4000%2Fmessages%2F%3Faccount%3Dall" in r["Location"]
    # Anything else than one of this login's inbox pages leads to the account's inbox.
    for bad in ("https://evil.example/", "//evil.example/a/4000/messages/", "/a/9999/messages/",
                "/a/4000/calls/", "javascript:alert(1)"):  # fmt: skip
        page = client.get(f"/a/5230/messages/{m.message_id}/", {"back": bad}).content.decode()
        assert 'href="/a/5230/messages/">' in page, bad


def test_with_no_box_ticked_the_inbox_says_what_to_do(member_client, account):
    make_message(account)
    html = member_client.get(inbox_url(account, filtered=1)).content.decode()
    assert "Tick Open, Closed or Urgent (or several) to see messages." in html
    html = member_client.get(inbox_url(account, filtered=1, options=["open"])).content.decode()
    assert "Tick Open, Closed or Urgent" not in html


def test_all_my_accounts_shows_each_row_with_its_own_account_zone_and_link(
    client, make_user, account, make_account
):
    """The list query leaves the account out of its SQL; each row still gets its own."""
    paris = make_account("4002", "PARIS", timezone="Europe/Paris")
    taken = (timezone.now() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    mine = make_message(account, taken_at=taken, subject="TORONTO-ROW")
    theirs = make_message(paris, taken_at=taken, subject="PARIS-ROW")
    client.force_login(make_user("both", account, paris))
    html = client.get(inbox_url(account, account="all")).content.decode()
    for message, acct in ((mine, account), (theirs, paris)):
        row = html[html.index(f'id="msg-{message.message_id}"') :]
        row = row[: row.index("</tr>")]
        assert f">{acct.number}</td>" in row  # the Account column
        assert taken.astimezone(acct.tz).strftime("%Y-%m-%d %H:%M") in row
        assert f'href="/a/{acct.number}/messages/{message.message_id}/?back=' in row
