"""Control characters in names (portal/text.py): refused where names come in — the
provisioning API (422 in the contract's shape, naming the field, nothing stored) and the
back office (the form says why beside the field) — and written safely where names go out,
so that a name stored before the check holds a line break without any 500: the calendar
feeds stay valid iCalendar, report and alert e-mails go out with a subject on one line (and
no header slipped in through it)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from portal import text
from portal.accounts.models import Account
from portal.directory.models import Contact
from portal.oncall import feeds, services
from portal.oncall.models import Schedule, Shift
from tests.conftest import free_port
from tests.oncall.helpers import STAFF, TORONTO, contact
from tests.stats.smtp import Inbox

pytestmark = pytest.mark.django_db

BAD = ["Clinic\nEvil", "Clinic\r\nBcc: evil@example.com", "tab\there", "nul\x00", "del\x7f",
       "nel\x85", "line\u2028separator"]  # fmt: skip
SMUGGLER = "TEST\r\nBcc: evil@example.com"
MESSAGE_EN = "Line breaks, tabs and other control characters are not allowed here."
MESSAGE_FR = (
    "Les sauts de ligne, les tabulations et les autres caractères de contrôle ne sont pas "
    "permis ici."
)


# --- the helpers --------------------------------------------------------------------------


def test_single_line_and_multi_line():
    assert text.single_line("a\r\nb\tc\x00d\u2028e ") == "a b c d e"
    assert text.single_line(None) == ""
    assert text.multi_line("a\r\nb\rc\x07d\te") == "a\nb\ncde"
    for bad in BAD:
        assert text.has_control(bad), repr(bad)
        assert not text.has_control(text.single_line(bad)), repr(bad)
    assert not text.has_control("Clinique Saint-Jean — « Horaire » 01")


# --- provisioning API: 422, the field named, nothing stored --------------------------------


@pytest.fixture
def provision(api, make_token):
    token = make_token("provision")
    return lambda method, path, body=None: api(method, path, token, json=body)


def _errors(response):
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    return {e["field"]: e["message"] for e in body["errors"]}


@pytest.mark.parametrize("bad", BAD)
def test_an_account_name_with_a_control_character_is_422(provision, bad):
    response = provision("put", "/api/v1/accounts/4100", {"name": bad, "language": "en"})
    errors = _errors(response)
    assert set(errors) == {"name"}
    if "\x00" not in bad:  # a NUL is refused earlier, by the API's own check of text
        assert errors["name"] == MESSAGE_EN
    assert not Account.objects.filter(number="4100").exists()


def test_an_update_is_refused_whole_and_every_bad_field_is_listed(provision, account):
    body = {"name": "New\nname", "billing_number": "78\t4000", "language": "fr"}
    errors = _errors(provision("put", "/api/v1/accounts/4000", body))
    assert set(errors) == {"name", "billing_number"}
    account.refresh_from_db()
    assert (account.name, account.billing_number, account.language) == ("TEST", "784000", "en")


def test_a_contact_with_a_control_character_is_422(provision, account):
    body = {"name": "Luc\r\nLambert", "phones": ["514 555-0101", "514\n555"], "sms": "5\x0b1"}
    errors = _errors(provision("put", "/api/v1/accounts/4000/contacts/luc", body))
    assert set(errors) == {"name", "phones.1", "sms"}
    assert not Contact.objects.filter(account=account).exists()
    ok = provision("put", "/api/v1/accounts/4000/contacts/luc", {"name": "Luc Lambert"})
    assert ok.status_code == 200


def test_a_schedule_and_a_shift_with_a_control_character_are_422(provision, account):
    errors = _errors(provision("put", "/api/v1/accounts/4000/schedules/01", {"name": "01\nH"}))
    assert errors == {"name": MESSAGE_EN}
    assert _errors(
        provision("put", "/api/v1/accounts/4000/schedules/0%0A1", {"name": "01 Horaire"})
    ) == {"schedule_id": MESSAGE_EN}
    assert not Schedule.objects.exists()
    assert provision("put", "/api/v1/accounts/4000/schedules/01", {"name": "01"}).status_code == 200
    shift = {"start": "2031-05-01T07:30:00-04:00", "end": "2031-05-08T07:30:00-04:00"}
    path = "/api/v1/accounts/4000/schedules/01/shifts/w1"
    assert set(
        _errors(provision("put", path, {**shift, "name": "Rot\nation", "role": "O\tC"}))
    ) == {
        "name",
        "role",
    }
    assert _errors(provision("put", path + "%0D", shift)) == {"shift_id": MESSAGE_EN}
    assert not Shift.objects.exists()


def test_the_services_refuse_them_too(account):
    """What the back office's actions (a schedule's copy) and commands call."""
    with pytest.raises(services.OnCallError) as refused:
        services.upsert_schedule(account, "01", "01\nHoraire", actor=STAFF)
    assert refused.value.field == "name"
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    start = dt.datetime(2031, 5, 1, 7, 30, tzinfo=TORONTO)
    with pytest.raises(services.OnCallError) as refused:
        services.upsert_shift(
            schedule, "w1", start=start, end=start + dt.timedelta(days=7), role="O\nC"
        )
    assert refused.value.field == "role"
    with pytest.raises(services.OnCallError):
        services.copy_schedule(schedule, "02", "02\r\nHoraire", actor=STAFF)
    assert Schedule.objects.count() == 1 and not Shift.objects.exists()


# --- the back office: the form says why, nothing saved ------------------------------------


def _account_form(**values):
    data = {
        "number": "4100",
        "name": "Clinique",
        "billing_number": "",
        "language": "fr",
        "timezone": "America/Toronto",
        "retention_days": 60,
        "oncall_users_may_change": "on",
        # the memberships' inline, empty
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    data.update(values)
    return data


@pytest.mark.parametrize("field", ["name", "number", "billing_number"])
def test_staff_get_the_reason_beside_the_field(admin_client, field):
    url = reverse("admin:accounts_account_add")
    response = admin_client.post(url, _account_form(**{field: "41\r\n00"}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {field: [MESSAGE_EN]}
    assert MESSAGE_EN in response.content.decode()
    assert not Account.objects.filter(number__startswith="41").exists()
    ok = admin_client.post(url, _account_form())
    assert ok.status_code == 302, ok.context["adminform"].form.errors
    assert Account.objects.filter(number="4100").exists()


def test_in_french_too(admin_client, account):
    admin_client.cookies["django_language"] = "fr"
    url = reverse("admin:accounts_account_change", args=[account.pk])
    response = admin_client.post(
        url, _account_form(number="4000", name="TEST\nX"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    assert MESSAGE_FR in response.content.decode()
    account.refresh_from_db()
    assert account.name == "TEST"


def test_a_contact_and_a_schedule_in_the_back_office(admin_client, account):
    url = reverse("admin:directory_contact_add")
    data = {"account": account.pk, "external_id": "luc", "name": "Luc\nLambert", "phone1": "",
            "phone2": "", "phone3": "", "sms": "", "email": ""}  # fmt: skip
    response = admin_client.post(url, data)
    assert response.context["adminform"].form.errors == {"name": [MESSAGE_EN]}
    assert not Contact.objects.exists()
    url = reverse("admin:oncall_schedule_add")
    response = admin_client.post(url, {"account": account.pk, "external_id": "01",
                                       "name": "01\tHoraire"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"name": [MESSAGE_EN]}
    assert not Schedule.objects.exists()


# --- names stored before the check: the feeds -------------------------------------------


@pytest.fixture
def old_names(account):
    """An account, a schedule, a shift and a contact whose names hold line breaks, stored
    as older versions allowed (straight into the table, no check)."""
    schedule, _ = services.upsert_schedule(account, "01", "01 Horaire", actor=STAFF)
    start = dt.datetime.combine(
        timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=3),
        dt.time(7, 30),
        tzinfo=TORONTO,
    )
    shift, _ = services.upsert_shift(
        schedule, "w1", start=start, end=start + dt.timedelta(days=7), actor=STAFF
    )
    luc = contact(account, "luc", "Luc Lambert")
    services.assign(shift, luc, actor=STAFF)
    Account.objects.filter(pk=account.pk).update(name=SMUGGLER)
    Schedule.objects.filter(pk=schedule.pk).update(name="01\nHoraire\r\nX-EVIL:1")
    Shift.objects.filter(pk=shift.pk).update(name="Rota\ntion", role="O\x0bC")
    # PostgreSQL never stored a NUL (it refuses them in text); SQLite did.
    nul = "" if connection.vendor == "postgresql" else "\x00"
    Contact.objects.filter(pk=luc.pk).update(name="Luc\r\nLambert" + nul)
    account.refresh_from_db()
    schedule.refresh_from_db()
    luc.refresh_from_db()
    return account, schedule, luc


def _lines_are_clean(body: bytes):
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n")[:-1]:
        assert b"\n" not in line and b"\r" not in line, line
        assert not text.has_control(line.decode()), line
        assert not line.startswith(b"X-EVIL"), line


def test_a_schedule_feed_with_old_names_is_valid_icalendar(client, old_names):
    account, schedule, _luc = old_names
    response = client.get(
        reverse("oncall_ical", kwargs={"token": feeds.rotate(account, schedule=schedule).token})
    )
    assert response.status_code == 200
    _lines_are_clean(response.content)
    cal = Calendar.from_ical(response.content)
    assert str(cal["x-wr-calname"]) == "4000-TEST Bcc: evil@example.com — 01 Horaire X-EVIL:1"
    [event] = cal.walk("VEVENT")
    assert str(event["summary"]) == "Rota tion O C (0): Luc Lambert"
    assert "Luc" in str(event["description"])


def test_a_contact_feed_with_old_names_is_valid_icalendar(client, old_names):
    account, _schedule, luc = old_names
    response = client.get(
        reverse("oncall_ical", kwargs={"token": feeds.rotate(account, contact=luc).token})
    )
    assert response.status_code == 200
    _lines_are_clean(response.content)
    cal = Calendar.from_ical(response.content)
    assert str(cal["x-wr-calname"]) == "4000-TEST Bcc: evil@example.com — Luc Lambert"
    [event] = cal.walk("VEVENT")
    assert str(event["summary"]) == "01 Horaire X-EVIL:1: Rota tion O C (0)"


# --- names stored before the check: the e-mails -----------------------------------------


class EnvelopeInbox(Inbox):
    """The real SMTP server's inbox, keeping each envelope's recipients as well."""

    def __init__(self):
        super().__init__()
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.recipients.append(list(envelope.rcpt_tos))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def inbox(settings):
    from aiosmtpd.controller import Controller

    box, port = EnvelopeInbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    try:
        yield box
    finally:
        controller.stop()


def _one_clean_message(inbox, to: str):
    [message] = inbox.messages
    assert inbox.recipients == [[to]]
    assert message["Bcc"] is None
    subject = message["Subject"]
    assert "\n" not in subject and "\r" not in subject
    return subject.strip()  # the parser keeps the space of a folded encoded subject


@pytest.fixture
def smuggling_account(account):
    Account.objects.filter(pk=account.pk).update(name=SMUGGLER)
    account.refresh_from_db()
    return account


def test_the_billable_calls_email_has_a_clean_subject(member_client, smuggling_account, inbox):
    url = reverse("billable_email", args=["4000"])
    response = member_client.post(url, {"email": "boss@example.com"}, follow=True)
    assert response.status_code == 200
    assert "The report was sent to boss@example.com." in response.content.decode()
    subject = _one_clean_message(inbox, "boss@example.com")
    assert subject == "Billable Calls — 4000-TEST Bcc: evil@example.com"


def test_the_statistics_email_has_a_clean_subject(member_client, smuggling_account, inbox):
    url = reverse("stats_email", args=["4000"]) + "?start=2023-03-01&end=2023-03-22"
    response = member_client.post(url, {"email": "boss@example.com"}, follow=True)
    assert response.status_code == 200
    assert _one_clean_message(inbox, "boss@example.com") == (
        "Statistics — 4000-TEST Bcc: evil@example.com"
    )


def test_the_scheduled_report_has_a_clean_subject(smuggling_account, inbox):
    from portal.stats.models import ReportSubscription

    ReportSubscription.objects.create(
        account=smuggling_account, emails="boss@example.com", frequency="daily", language="en"
    )
    call_command("send_scheduled_reports", stdout=io.StringIO())
    subject = _one_clean_message(inbox, "boss@example.com")
    assert subject.startswith("4000-TEST Bcc: evil@example.com: report from ")


def test_the_gap_alert_has_a_clean_subject(smuggling_account, make_user, inbox):
    make_user("boss", smuggling_account, email="boss@example.com")
    schedule, _ = services.upsert_schedule(smuggling_account, "01", "01 Horaire", actor=STAFF)
    start = timezone.now() + dt.timedelta(days=1)
    services.upsert_shift(
        schedule, "t", start=start, end=start + dt.timedelta(hours=8), actor=STAFF
    )
    call_command("oncall_gap_alerts", "--days", "3", stdout=io.StringIO(), stderr=io.StringIO())
    subject = _one_clean_message(inbox, "boss@example.com")
    assert subject.startswith("4000-TEST Bcc: evil@example.com: nobody is on call")
