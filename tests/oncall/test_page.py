"""The On Call page as a member sees it, with the seed's example."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.oncall import services
from portal.oncall.models import Assignment, Shift
from portal.oncall.services import Actor
from tests.oncall.helpers import local, seed_schedule

pytestmark = pytest.mark.django_db
ME = Actor(name="tester")


def url(name, **params):
    from urllib.parse import urlencode

    return reverse(name, kwargs={"account_number": "4000"}) + (
        "?" + urlencode(params) if params else ""
    )


def test_the_only_schedule_is_selected_and_both_shifts_are_listed(member_client, account):
    seed_schedule(account)
    html = member_client.get(url("oncall", date="2023-05-01")).content.decode()
    assert "01 Horaire" in html
    assert "4/24 7:30 am" in html and "5/01 7:30 am" in html and "5/08 7:30 am" in html
    assert 'data-assigned="0"' in html and 'data-unassigned="2"' in html
    assert "Total hours assigned:" in html
    assert 'data-total-hours="0.00"' in html


def test_clients_see_no_button_to_create_or_delete_schedules(member_client, account):
    seed_schedule(account)
    html = member_client.get(url("oncall", date="2023-05-01")).content.decode()
    assert "/admin/" not in html
    for forged in ("/admin/oncall/shift/add/", "/admin/oncall/schedule/"):
        r = member_client.post(forged, {"name": "x"})
        assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert Shift.objects.count() == 2


def test_colours_and_total_follow_the_assignment(member_client, account):
    _s, _first, second, anthony, _luc = seed_schedule(account)
    html = member_client.get(url("oncall", date="2023-05-01")).content.decode()
    assert 'data-date="2023-05-02" data-coverage="none"' in html
    services.assign(second, anthony, actor=ME)
    html = member_client.get(url("oncall", date="2023-05-01")).content.decode()
    assert 'data-date="2023-05-01" data-coverage="partial"' in html
    assert 'data-date="2023-05-02" data-coverage="full"' in html
    assert 'data-date="2023-04-30" data-coverage="none"' in html
    assert 'data-total-hours="168.00"' in html
    assert 'data-assigned="1"' in html and 'data-unassigned="1"' in html


def test_assign_through_the_dialog_without_javascript(member_client, account):
    _s, _first, second, anthony, _luc = seed_schedule(account)
    r = member_client.get(url("oncall_assign", shift=second.pk))
    assert "Assignment Selection" in r.content.decode()
    r = member_client.post(
        url("oncall_assign"),
        {"shift": second.pk, "version": second.version, "contact": anthony.pk, "comment": "hello"},
    )
    assert r.status_code == 302
    assert Assignment.objects.get().contact == anthony


def test_the_override_dialog_shows_the_seeds_message_and_saves_nothing(member_client, account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    second.refresh_from_db()
    r = member_client.post(
        url("oncall_override"),
        {
            "shift": second.pk,
            "version": second.version,
            "contact": luc.pk,
            "start": "2023-04-30T07:30",
            "end": "2023-05-03T07:30",
        },
    )
    assert r.status_code == 200
    assert "The Start time cannot occur before the original shift start time." in r.content.decode()
    assert not Assignment.objects.filter(kind="override").exists()


def test_a_stale_dialog_says_someone_else_changed_the_shift(member_client, account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    seen = second.version
    services.assign(second, anthony, actor=Actor(name="colleague"))
    r = member_client.post(
        url("oncall_assign"), {"shift": second.pk, "version": seen, "contact": luc.pk}
    )
    html = r.content.decode()
    assert "changed by someone else" in html and "Anthony Giosi" in html
    assert Assignment.objects.get(revoked_at=None).contact == anthony


def test_a_shift_of_another_account_is_404(member_client, account, other_account):
    _s, _first, second, _a, _l = seed_schedule(other_account)
    assert member_client.get(url("oncall_assign", shift=second.pk)).status_code == 404
    assert (
        member_client.post(
            url("oncall_unassign"), {"shift": second.pk, "target": "base"}
        ).status_code
        == 404
    )


def test_the_page_speaks_french(client, make_user, account):
    account.language = "fr"
    account.save()
    seed_schedule(account)
    user = make_user("fr-user", account, language="fr")
    client.force_login(user)
    html = client.get(url("oncall", date="2023-05-01")).content.decode()
    assert "Début" in html and "Quart" in html and "Ordre" in html and "Statut" in html
    assert "24/04 7h30" in html


def test_save_as_pdf(member_client, account):
    seed_schedule(account)
    r = member_client.get(url("oncall_pdf", date="2023-05-01"))
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_the_history_lists_every_change(member_client, account):
    _s, _first, second, anthony, _luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    html = member_client.get(url("oncall_history", schedule="01")).content.decode()
    assert "tester" in html and "Assign" in html


def test_the_history_reads_as_sentences_in_both_languages(member_client, member, account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.override(
        second,
        luc,
        dt.datetime(2023, 5, 1, 7, 30, tzinfo=account.tz),
        dt.datetime(2023, 5, 3, 7, 30, tzinfo=account.tz),
        actor=ME,
    )
    html = member_client.get(url("oncall_history", schedule="01")).content.decode()
    assert "Assigned: Anthony Giosi" in html
    assert "Override: Luc Lambert, 5/01 7:30 am – 5/03 7:30 am" in html
    assert "On call: Anthony Giosi, 5/03 7:30 am – 5/08 7:30 am" in html
    assert "{&#x27;" not in html and "&quot;" not in html  # no raw states
    member.language = "fr"
    member.save()
    html = member_client.get(url("oncall_history", schedule="01")).content.decode()
    assert "Assigné\u00a0: Anthony Giosi" in html
    assert "Remplacement\u00a0: Luc Lambert, 01/05 7h30 – 03/05 7h30" in html


def test_show_now_highlights_the_shift_covering_this_moment(member_client, account):
    schedule, *_ = seed_schedule(account)
    now = dt.datetime.now(dt.UTC)
    services.upsert_shift(
        schedule, "now", start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=1)
    )
    html = member_client.get(url("oncall", now="1")).content.decode()
    assert 'id="now"' in html and "highlight" in html
    assert local(2023, 5, 1)


@pytest.mark.parametrize("role", ["admin", "user"])
def test_a_client_of_another_account_cannot_touch_these_shifts(
    client, make_user, account, other_account, role
):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    o = services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=ME)
    client.force_login(make_user(f"other-{role}", other_account, role=role))
    posts = {
        "oncall_assign": {"shift": second.pk, "contact": luc.pk},
        "oncall_override": {
            "shift": second.pk,
            "contact": luc.pk,
            "start": "2023-05-02T07:30",
            "end": "2023-05-03T07:30",
        },
        "oncall_unassign": {"shift": second.pk, "target": o.pk},
        "oncall_swap": {"shift": second.pk, "other": _first.pk},
        "oncall_comment": {"shift": second.pk, "comment": "x"},
    }
    for name, data in posts.items():
        assert client.post(url(name), data).status_code == 404, name
        # and with its own account in the URL, the shift is still not found
        own = reverse(name, kwargs={"account_number": "5000"})
        assert client.post(own, data).status_code == 404, name
    assert Assignment.objects.filter(revoked_at=None).count() == 2
    assert not second.comments.exists()


def test_a_client_user_can_change_who_is_on_call(client, make_user, account):
    from portal.accounts.models import Membership

    _s, _first, second, anthony, _luc = seed_schedule(account)
    client.force_login(make_user("clerk", account, role=Membership.USER))
    r = client.post(url("oncall_assign"), {"shift": second.pk, "contact": anthony.pk})
    assert r.status_code == 302
    assert Assignment.objects.get().created_by_name == "clerk"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("view", ["month", "week", "day", "list"])
def test_a_date_at_the_ends_of_the_calendar_shows_today(member_client, account, day, view):
    seed_schedule(account)
    r = member_client.get(url("oncall", date=day, view=view))
    assert r.status_code == 200
    assert f'value="{day}"' not in r.content.decode()


def test_the_pdf_of_a_date_at_the_ends_of_the_calendar_is_todays(member_client, account):
    seed_schedule(account)
    r = member_client.get(url("oncall_pdf", date="9999-12-31"))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "9999" not in r["Content-Disposition"]


@pytest.mark.parametrize("start", ["9999-12-31T23:30", "0001-01-01T00:00"])
def test_an_override_at_the_ends_of_the_calendar_is_refused(member_client, account, start):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    second.refresh_from_db()
    r = member_client.post(
        url("oncall_override"),
        {"shift": second.pk, "version": second.version, "contact": luc.pk, "start": start,
         "end": "2023-05-03T07:30"},
    )  # fmt: skip
    assert r.status_code == 200
    # The form says why (portal.dates.local_instant: the portal's years).
    assert "Choose a date between the years 1900 and 2999." in r.content.decode()
    assert not Assignment.objects.filter(kind="override").exists()


def test_the_day_view_and_the_dialogs_write_dates_as_each_language_does(member_client, account):
    _s, _first, second, anthony, luc = seed_schedule(account)
    services.assign(second, anthony, actor=ME)
    services.override(second, luc, local(2023, 5, 1), local(2023, 5, 3), actor=ME)
    day = url("oncall", date="2023-05-01", view="day")
    unassign = url("oncall_unassign", shift=second.pk)
    html = member_client.get(day).content.decode()
    assert "Monday, May 01 2023" in html
    assert "Override: Luc Lambert, 5/01 7:30 am – 5/03 7:30 am" in html
    dialog = member_client.get(unassign).content.decode()
    assert "Override: Luc Lambert, 5/01/2023 7:30 am – 5/03/2023 7:30 am" in dialog
    member_client.cookies["django_language"] = "fr"
    html = member_client.get(day).content.decode()
    assert ">Lundi 1 mai 2023<" in html  # a heading: capitalised, French order
    assert "Remplacement\u00a0: Luc Lambert, 01/05 7h30 – 03/05 7h30" in html
    dialog = member_client.get(unassign).content.decode()
    assert "Remplacement\u00a0: Luc Lambert, 01/05/2023 7h30 – 03/05/2023 7h30" in dialog


def test_a_comment_in_the_table_shows_its_time_in_the_accounts_zone(member_client, account):
    from portal.oncall.models import ShiftComment

    _s, _first, second, anthony, _luc = seed_schedule(account)
    services.comment(second, "Call the backup first", actor=ME)
    at = ShiftComment.objects.get().at
    html = member_client.get(url("oncall", date="2023-05-01", comments="1")).content.decode()
    from portal.oncall.page import fmt

    assert fmt(at, account.tz, with_year=True) in html
    assert fmt(at, dt.UTC, with_year=True) not in html
