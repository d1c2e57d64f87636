"""The back office's "Who saw what" (the audit log): read only, filterable by account, person,
action and dates, searchable, times in the account's zone, exportable (CSV, Excel, JSON
lines); and staff reading an account's data in the back office is recorded, once for every
admin (portal/accounts/staff_reads.py)."""

import csv
import datetime as dt
import decimal
import io
import json

import pytest
from django.contrib import admin
from openpyxl import load_workbook

from portal.accounts.models import AuditLog
from portal.accounts.staff_reads import StaffReadsAudited, account_path
from tests.calls.helpers import add_recording, make_call, make_message
from tests.twofactor import staff_login

pytestmark = pytest.mark.django_db
UTC = dt.UTC
LIST = "/admin/accounts/auditlog/"


@pytest.fixture
def staff(make_user):
    return make_user("staffer", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    return staff_login(client, staff)


def entry(at, action, account=None, actor="member", object_id="", **detail):
    return AuditLog.objects.create(
        at=at,
        action=action,
        account=account,
        actor=actor,
        ip="203.0.113.7",
        object_id=object_id,
        detail=detail,
    )


@pytest.fixture
def trail(account, other_account):
    return {
        # 2026-11-20 02:30 UTC is 21:30 the evening before in Toronto (EST).
        "view": entry(dt.datetime(2026, 11, 20, 2, 30, tzinfo=UTC), "recording.play", account),
        "search": entry(
            dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
            "calls.export",
            account,
            actor="api:clinic-app",
            object_id="=HYPERLINK(1)",  # what a caller could plant
            caller_id="5149150123",
        ),
        "other": entry(
            dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "stats.view", other_account, "outsider"
        ),
    }


def listed(client, query="") -> list[int]:
    """The entries of the trail the list shows (not the reads of the list itself, which are
    recorded as it is shown)."""
    response = client.get(LIST + query)
    assert response.status_code == 200
    return sorted(o.pk for o in response.context["cl"].result_list if o.action != "admin.list")


# --- who may look ------------------------------------------------------------------------


def test_clients_and_visitors_never_see_the_audit_log(
    member_client, outsider_client, client, make_user
):
    from django.test import Client

    unverified = Client()  # staff signed in without their second factor
    unverified.force_login(make_user("nocode", is_staff=True, is_superuser=True))
    for someone in (member_client, outsider_client, client, unverified):
        for url in (LIST, f"{LIST}export/jsonl/", f"{LIST}export/csv/"):
            response = someone.get(url)
            assert response.status_code == 302, url
            assert "login" in response["Location"] or "two-factor" in response["Location"]
    assert not AuditLog.objects.filter(action__in=["admin.list", "audit.export"]).exists()


def test_nobody_adds_changes_or_deletes_an_entry(staff_client, trail):
    view = trail["view"]
    page = staff_client.get(LIST).content.decode()
    assert f'href="{LIST}add/"' not in page
    assert 'name="action"' not in page  # no bulk delete
    assert staff_client.get(LIST + "add/").status_code == 403
    assert staff_client.get(f"{LIST}{view.pk}/delete/").status_code == 403
    response = staff_client.post(f"{LIST}{view.pk}/change/", {"action": "nothing"})
    assert response.status_code == 403
    detail = staff_client.get(f"{LIST}{view.pk}/change/").content.decode()
    assert 'name="_save"' not in detail
    assert AuditLog.objects.get(pk=view.pk).action == "recording.play"


# --- filters, search, times ----------------------------------------------------------------


def test_filter_by_account_person_action_and_dates(staff_client, trail, account):
    view, search, other = trail["view"].pk, trail["search"].pk, trail["other"].pk
    acc = f"account__id__exact={account.pk}"
    assert listed(staff_client, f"?{acc}") == sorted([view, search])
    assert listed(staff_client, "?actor=outsider") == [other]
    assert listed(staff_client, f"?{acc}&actor=api:clinic-app") == [search]
    assert listed(staff_client, "?action=recording.play") == [view]
    # Days in the account's zone: the 21:30 play was on the 19th in Toronto.
    assert listed(staff_client, f"?{acc}&since=2026-11-19&until=2026-11-19") == [view]
    assert listed(staff_client, f"?{acc}&since=2026-11-20") == [search]
    # Without an account, days are UTC: 02:30 UTC is on the 20th.
    assert listed(staff_client, "?since=2026-11-20&until=2026-11-22") == sorted([view, other])


def test_the_filters_offer_the_people_and_actions_of_the_account(staff_client, trail, account):
    page = staff_client.get(f"{LIST}?account__id__exact={account.pk}").content.decode()
    assert "By person" in page
    assert "api:clinic-app" in page and ">member<" in page
    assert ">outsider<" not in page  # not in this account's trail
    assert "By action" in page
    assert "Recording played" in page  # the action in words
    assert "Call log exported" in page
    assert 'name="since"' in page and 'type="date"' in page


def test_a_wrong_day_is_said_and_lists_nothing(staff_client, trail):
    response = staff_client.get(LIST + "?since=2026-13-01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "“2026-13-01” is not a date: write it as YYYY-MM-DD" in page
    assert list(response.context["cl"].result_list) == []
    reversed_days = staff_client.get(LIST + "?since=2026-11-20&until=2026-11-01")
    assert "The “From” day comes after the “To” day." in reversed_days.content.decode()


def test_search_by_person_object_or_address(staff_client, trail):
    assert listed(staff_client, "?q=clinic-app") == [trail["search"].pk]
    assert len(listed(staff_client, "?q=203.0.113.7")) == 3


def test_times_are_in_the_accounts_zone(staff_client, trail, account):
    page = staff_client.get(f"{LIST}?account__id__exact={account.pk}").content.decode()
    assert "2026-11-19 21:30:00 EST" in page
    detail = staff_client.get(f"{LIST}{trail['view'].pk}/change/").content.decode()
    assert "times in America/Toronto" in detail
    assert "9:30 p.m." in detail


def test_the_audit_log_in_french(staff_client, staff, trail, account):
    staff.language = "fr"
    staff.save()
    page = staff_client.get(f"{LIST}?account__id__exact={account.pk}").content.decode()
    assert "Par personne" in page
    assert "Enregistrement écouté" in page
    assert "Exporter en CSV" in page


# --- the account's page links to it ---------------------------------------------------------


def test_the_accounts_page_links_to_who_saw_what(staff_client, account):
    page = staff_client.get(f"/admin/accounts/account/{account.pk}/change/").content.decode()
    assert f'href="{LIST}?account__id__exact={account.pk}"' in page
    assert ">Who saw what<" in page


# --- exports -------------------------------------------------------------------------------


def _export(client, fmt, query=""):
    response = client.get(f"{LIST}export/{fmt}/{query}")
    assert response.status_code == 200, response
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_the_export_follows_the_filters_oldest_first_in_three_formats(staff_client, trail, account):
    query = f"?account__id__exact={account.pk}"
    lines = _export(staff_client, "jsonl", query).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["action"] for r in rows] == ["recording.play", "calls.export"]
    assert rows[0]["at"] == "2026-11-20T02:30:00+00:00"
    assert rows[1]["actor"] == "api:clinic-app"
    assert {r["account"] for r in rows} == {"4000"}

    text = _export(staff_client, "csv", query).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == ["Time", "Time zone", "Person", "Address", "Action"]
    # The JSON lines export just before is in the trail now (an export never holds itself).
    assert [r[5] for r in table[1:]] == ["recording.play", "calls.export", "audit.export"]
    assert table[1][0] == "2026-11-19 21:30:00"  # the account's zone
    assert table[1][1] == "America/Toronto"
    assert table[1][4] == "Recording played"
    assert table[2][8] == "'=HYPERLINK(1)"  # text, never a formula

    sheet = load_workbook(io.BytesIO(_export(staff_client, "xlsx", query))).active
    values = list(sheet.iter_rows(values_only=True))
    header = values.index(tuple(table[0]))
    data = values[header + 1 :]
    assert [r[5] for r in data][:2] == ["recording.play", "calls.export"]
    assert [r[5] for r in data][2:] == ["audit.export", "audit.export"]
    assert data[0][0] == dt.datetime(2026, 11, 19, 21, 30)  # a real date, in the zone
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # never a formula


def test_the_export_of_a_person_and_dates(staff_client, trail):
    rows = _export(staff_client, "jsonl", "?actor=outsider&since=2026-11-01").decode()
    assert [json.loads(r)["action"] for r in rows.splitlines()] == ["stats.view"]


def test_an_export_is_recorded_and_a_wrong_day_exports_nothing(staff_client, trail, account):
    _export(staff_client, "csv", f"?account__id__exact={account.pk}&action=recording.play")
    done = AuditLog.objects.get(action="audit.export")
    assert done.actor == "staffer"
    assert done.account == account
    assert done.detail["format"] == "csv"
    assert done.detail["criteria"]["action"] == "recording.play"
    response = staff_client.get(f"{LIST}export/jsonl/?since=nope", follow=True)
    assert response.redirect_chain[0][0].startswith(LIST + "?since=nope")
    assert "“nope” is not a date" in response.content.decode()
    assert AuditLog.objects.filter(action="audit.export").count() == 1
    assert staff_client.get(f"{LIST}export/pdf/").status_code == 404


# --- staff reads recorded ------------------------------------------------------------------


def test_every_admin_of_an_accounts_data_records_reads_and_only_those():
    audited = {
        model._meta.label_lower: account_path(model)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, StaffReadsAudited)
    }
    for label, path in {
        "inbox.message": "account",
        "calls.call": "account",
        "calls.recording": "call__account",
        "billing.billabletransaction": "account",
        "billing.billingline": "billing_number",
        "directory.contact": "account",
        "directory.infopage": "account",
        "oncall.schedule": "account",
        "oncall.shift": "schedule__account",
        "accounts.auditlog": "account",
    }.items():
        assert audited.get(label) == path, label
    for label in ("accounts.account", "accounts.user", "calls.agent", "api.apitoken"):
        assert label not in audited


def test_opening_a_message_is_recorded(staff_client, account):
    message = make_message(account)
    assert staff_client.get(f"/admin/inbox/message/{message.pk}/change/").status_code == 200
    read = AuditLog.objects.get(action="admin.view")
    assert (read.actor, read.account, read.object_type, read.object_id) == (
        "staffer",
        account,
        "inbox.message",
        str(message.pk),
    )
    assert read.ip == "127.0.0.1"


def test_a_recording_and_a_billing_line_find_their_account(staff_client, account):
    from portal.billing.models import BillingLine

    call = add_recording(make_call(account))
    staff_client.get(f"/admin/calls/recording/{call.recording.pk}/change/")
    line = BillingLine.objects.create(
        line_id="L1",
        billing_number=account.billing_number,
        date=dt.date(2026, 11, 1),
        description="Service",
        amount=decimal.Decimal("10.00"),
        kind="charge",
    )
    staff_client.get(f"/admin/billing/billingline/{line.pk}/change/")
    reads = {r.object_type: r for r in AuditLog.objects.filter(action="admin.view")}
    assert reads["calls.recording"].account == account
    assert reads["calls.recording"].object_id == str(call.recording.pk)
    assert reads["billing.billingline"].account == account


def test_a_list_records_its_criteria_and_one_entry_per_account_shown(
    staff_client, account, other_account
):
    mine = [make_message(account), make_message(account)]
    theirs = make_message(other_account)
    staff_client.get("/admin/inbox/message/?status__exact=open&q=RENDEZ")
    lists = {r.account: r for r in AuditLog.objects.filter(action="admin.list")}
    assert set(lists) == {account, other_account}
    assert sorted(lists[account].detail["ids"]) == sorted(str(m.pk) for m in mine)
    assert lists[other_account].detail["ids"] == [str(theirs.pk)]
    for read in lists.values():
        assert read.detail["criteria"] == {"status__exact": "open", "q": "RENDEZ"}
        assert read.detail["count"] == 3
        assert read.object_type == "inbox.message"
        assert read.actor == "staffer"


def test_an_empty_list_of_one_account_is_recorded_for_it(staff_client, account):
    staff_client.get(f"/admin/calls/call/?account__id__exact={account.pk}&q=nothing")
    [read] = AuditLog.objects.filter(action="admin.list")
    assert read.account == account
    assert read.detail["ids"] == []
    assert read.detail["criteria"]["q"] == "nothing"


def test_reading_the_audit_log_is_recorded(staff_client, trail, account):
    staff_client.get(f"{LIST}?account__id__exact={account.pk}")
    [read] = AuditLog.objects.filter(action="admin.list")
    assert read.object_type == "accounts.auditlog"
    assert read.account == account
    assert sorted(read.detail["ids"]) == sorted(str(trail[k].pk) for k in ("view", "search"))
    staff_client.get(f"{LIST}{trail['other'].pk}/change/")
    opened = AuditLog.objects.get(action="admin.view")
    assert opened.object_id == str(trail["other"].pk)
    assert opened.account == trail["other"].account


def test_what_is_not_an_accounts_data_is_not_recorded(staff_client, account):
    for url in ["/admin/calls/agent/", "/admin/accounts/account/", "/admin/accounts/user/"]:
        assert staff_client.get(url).status_code == 200
    assert staff_client.get(f"/admin/accounts/account/{account.pk}/change/").status_code == 200
    assert not AuditLog.objects.filter(action__startswith="admin.").exists()


def test_a_staff_change_is_not_recorded_as_a_read(staff_client, account):
    from portal.directory.models import Contact

    contact = Contact.objects.create(account=account, external_id="c1", name="Luc")
    staff_client.get(f"/admin/directory/contact/{contact.pk}/change/")
    assert AuditLog.objects.filter(action="admin.view").count() == 1
    staff_client.post(
        f"/admin/directory/contact/{contact.pk}/change/",
        {"account": account.pk, "external_id": "c1", "name": "Luc B."},
    )
    assert AuditLog.objects.filter(action="admin.view").count() == 1
    contact.refresh_from_db()
    assert contact.name == "Luc B."  # the change itself is in Django's admin history


def test_on_call_pages_of_the_back_office_are_recorded_with_their_account(staff_client, account):
    from portal.oncall import services
    from tests.oncall.helpers import STAFF, TORONTO

    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    start = dt.datetime(2026, 12, 2, 8, 0, tzinfo=TORONTO)
    shift, _ = services.upsert_shift(
        schedule, "day", start=start, end=start + dt.timedelta(hours=8), actor=STAFF
    )
    assert staff_client.get(f"/admin/oncall/shift/{shift.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/oncall/schedule/{schedule.pk}/change/").status_code == 200
    assert staff_client.get("/admin/oncall/shift/?q=day").status_code == 200
    opened = {r.object_type: r for r in AuditLog.objects.filter(action="admin.view")}
    assert opened["oncall.shift"].account == account
    assert opened["oncall.shift"].object_id == str(shift.pk)
    assert opened["oncall.schedule"].account == account
    [listed_shifts] = AuditLog.objects.filter(action="admin.list", object_type="oncall.shift")
    assert listed_shifts.account == account
    assert listed_shifts.detail["ids"] == [str(shift.pk)]
    assert listed_shifts.detail["criteria"] == {"q": "day"}
