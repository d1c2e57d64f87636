"""Confirm an urgent message (issue 15, item 3; contract "Additions of 2026-12"): a new
`confirmed` event (channel `portal`, the person as its recipient) in the dispatch history,
audited, sent as `message.status_changed`; one confirmation is enough. The service, then the
page's and the list's forms (plain POSTs with the CSRF token, and htmx's swap) with the three
people, the view-as refusal, the API and the downloads."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AuditLog
from portal.clock import clock_at
from portal.inbox.models import MessageEvent
from portal.inbox.services import confirm
from portal.webhooks.models import Webhook, WebhookDelivery
from tests.calls.helpers import make_message
from tests.twofactor import staff_login

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def urgent(account):
    return make_message(account, subject="FUITE", urgent=True, message_id="U-100")


@pytest.fixture
def hook(account):
    """A webhook of the platform that wants message.status_changed for every account."""
    return Webhook.objects.create(
        webhook_id="dispatch",
        url="http://127.0.0.1:9/hook",
        secret="s3cret",
        events=["message.status_changed"],
    )


def confirmations(message):
    return list(MessageEvent.objects.filter(message=message, kind="confirmed"))


def detail_url(message):
    return reverse("message_detail", args=[message.account.number, message.message_id])


def confirm_url(message):
    return reverse("message_confirm", args=[message.account.number, message.message_id])


def text_of(html: str) -> str:
    """The page's words, tags and repeated spaces left out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


# --- The service --------------------------------------------------------------------------


def test_confirming_stores_a_new_event_audits_and_sends_it(urgent, member, hook):
    before = list(MessageEvent.objects.filter(message=urgent).values_list("pk", "at", "kind"))
    when = dt.datetime(2026, 12, 1, 18, 5, tzinfo=dt.UTC)
    with clock_at(when):
        done = confirm(urgent, member)
    assert done.stored
    event = done.event
    assert (event.kind, event.channel, event.recipient, event.at) == (
        "confirmed",
        "portal",
        "member",
        when,
    )
    # A new event: every earlier one is still there as it was.
    after = set(MessageEvent.objects.filter(message=urgent).values_list("pk", "at", "kind"))
    assert set(before) < after and len(after) == len(before) + 1
    entry = AuditLog.objects.get(action="message.confirm")
    assert (entry.user, entry.account, entry.object_id) == (member, urgent.account, str(urgent.pk))
    assert entry.detail["message_id"] == "U-100"
    # One delivery of message.status_changed for the platform's webhook.
    delivery = WebhookDelivery.objects.get(webhook=hook)
    body = json.loads(delivery.body)
    assert body["event"] == "message.status_changed" and body["account"] == "4000"
    assert body["data"]["kind"] == "confirmed"
    assert body["data"]["message_id"] == "U-100"
    assert body["data"]["actor"] == "member"
    assert body["data"]["status"] == "open"
    # Times in the account's zone (Toronto), with their offset.
    assert body["data"]["at"] == "2026-12-01T13:05:00-05:00"


def test_a_second_press_changes_nothing_and_names_the_first(urgent, member, make_user, hook):
    first = confirm(urgent, member).event
    second = confirm(urgent, make_user("other", urgent.account))
    assert not second.stored and second.event == first
    assert confirmations(urgent) == [first]
    assert AuditLog.objects.filter(action="message.confirm").count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_a_confirmation_through_the_dispatch_counts(account, member, hook):
    """The on-call person answered the dispatch's SMS: the message is confirmed already."""
    taken = timezone.now() - dt.timedelta(minutes=20)
    m = make_message(
        account,
        urgent=True,
        taken_at=taken,
        events=[
            {"at": taken.isoformat(), "kind": "taken"},
            {
                "at": (taken + dt.timedelta(minutes=3)).isoformat(),
                "kind": "confirmed",
                "channel": "sms",
                "recipient": "+15145550101",
            },
        ],
    )
    done = confirm(m, member)
    assert not done.stored and done.event.recipient == "+15145550101"
    assert len(confirmations(m)) == 1 and not WebhookDelivery.objects.exists()


def test_a_message_that_is_not_urgent_is_not_confirmed(account, member, hook):
    m = make_message(account, urgent=False)
    done = confirm(m, member)
    assert not done.stored and done.event is None
    assert not confirmations(m) and not AuditLog.objects.filter(action="message.confirm")
    assert not WebhookDelivery.objects.exists()


# --- The message's page: a plain form, without JavaScript -----------------------------------


def test_a_member_confirms_on_the_message_page_with_the_csrf_form(account, member, urgent, hook):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    page = browser.get(detail_url(urgent)).content.decode()
    form = re.search(
        r'<form method="post" class="confirm-form" action="([^"]+)".*?</form>', page, re.S
    )
    assert form and form.group(1) == confirm_url(urgent)
    assert ">Confirm</button>" in form.group(0)
    back = re.search(r'name="back" value="([^"]+)"', form.group(0)).group(1)
    # Without the token the POST is refused and nothing is stored.
    assert browser.post(confirm_url(urgent), {"back": back}).status_code == 403
    assert not confirmations(urgent)
    token = CSRF.search(form.group(0)).group(1)
    answer = browser.post(confirm_url(urgent), {"csrfmiddlewaretoken": token, "back": back})
    assert answer.status_code == 302
    assert answer["Location"].startswith(detail_url(urgent) + "?back=")
    [event] = confirmations(urgent)
    assert (event.channel, event.recipient) == ("portal", "member")
    shown = text_of(browser.get(answer["Location"]).content.decode())
    assert "Message U-100 is confirmed: the dispatch stops escalating it." in shown
    local = event.at.astimezone(account.tz)
    assert f"{local:%Y-%m-%d %H:%M:%S} Confirmed by member (portal)" in shown
    assert f"Confirmed by member on {local:%Y-%m-%d %H:%M}" in shown
    assert ">Confirm</button>" not in shown  # no second button


def test_a_second_press_says_who_confirmed_and_when(member_client, member, urgent, account):
    with clock_at(dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)):
        confirm(urgent, member)
    answer = member_client.post(confirm_url(urgent), follow=True)
    assert (
        "Message U-100 was already confirmed by member on 2026-12-01 12:00: nothing was changed."
        in text_of(answer.content.decode())
    )
    assert len(confirmations(urgent)) == 1


def test_a_message_that_is_not_urgent_has_no_confirm_and_refuses_one(member_client, account):
    m = make_message(account, urgent=False)
    assert b"confirm-form" not in member_client.get(detail_url(m)).content
    answer = member_client.post(confirm_url(m), follow=True)
    assert "Only urgent messages are confirmed: nothing was changed." in text_of(
        answer.content.decode()
    )
    assert not confirmations(m)


def test_in_french(client, make_user, account, urgent):
    client.force_login(make_user("luc", account, language="fr"))
    page = text_of(client.get(detail_url(urgent)).content.decode())
    assert "Confirmer" in page and "Confirmation" in page
    answer = text_of(client.post(confirm_url(urgent), follow=True).content.decode())
    assert "Le message U-100 est confirmé : la répartition cesse de le relancer." in answer
    assert "Confirmé par luc (portail)" in answer
    assert "Confirmé par luc le " in answer


# --- The three people, and staff viewing as the client ---------------------------------------


def test_another_accounts_member_gets_404_and_nothing_changes(outsider_client, urgent):
    assert outsider_client.post(confirm_url(urgent)).status_code == 404
    assert not confirmations(urgent)


def test_someone_signed_out_goes_to_sign_in_and_nothing_changes(anon_client, urgent):
    answer = anon_client.post(confirm_url(urgent))
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not confirmations(urgent)


def test_staff_viewing_as_the_client_are_refused(make_user, account, urgent):
    staff = staff_login(Client(), make_user("staffer", is_staff=True, is_superuser=True))
    start = reverse("admin:accounts_account_view_as", args=[account.pk])
    assert staff.post(start, {"reason": "Ticket 77"}).status_code == 302
    assert staff.get(detail_url(urgent)).status_code == 200
    answer = staff.post(confirm_url(urgent))
    assert answer.status_code == 403
    assert "read-only: nothing was changed" in answer.content.decode()
    assert not confirmations(urgent)
    assert AuditLog.objects.filter(action="view_as.refused").exists()


# --- The list --------------------------------------------------------------------------------


def inbox_url(account):
    return reverse("inbox", args=[account.number])


def row_of(html: str, message_id: str) -> str:
    return re.search(rf'<tr [^>]*id="msg-{message_id}">.*?</tr>', html, re.S).group(0)


def test_the_list_has_confirm_on_urgent_rows_only(member_client, account, urgent):
    plain = make_message(account, subject="PLAIN", message_id="P-1")
    page = member_client.get(inbox_url(account)).content.decode()
    row = row_of(page, "U-100")
    assert f'action="{confirm_url(urgent)}"' in row and 'name="csrfmiddlewaretoken"' in row
    assert 'Confirm<span class="sr-only"> message U-100</span></button>' in row
    assert "confirm-form" not in row_of(page, plain.message_id)


def test_confirming_from_the_list_without_javascript(account, member, urgent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    listing = inbox_url(account) + "?options=urgent&filtered=1"
    row = row_of(browser.get(listing).content.decode(), "U-100")
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', row))
    assert fields["where"] == "list" and fields["back"] == listing.replace("&", "&amp;")
    fields["back"] = listing
    answer = browser.post(confirm_url(urgent), fields)
    assert answer.status_code == 302 and answer["Location"] == f"{listing}#msg-U-100"
    page = browser.get(answer["Location"]).content.decode()
    assert "Message U-100 is confirmed: the dispatch stops escalating it." in text_of(page)
    row = row_of(page, "U-100")
    assert "Confirmed by member" in row and "confirm-form" not in row
    assert len(confirmations(urgent)) == 1


def test_htmx_swaps_the_row_and_shows_the_answer(member_client, account, urgent):
    answer = member_client.post(
        confirm_url(urgent), {"where": "list", "back": inbox_url(account)}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.lstrip().startswith('<tr class="urgent" id="msg-U-100">')
    assert "Confirmed by member" in row_of(html, "U-100")
    assert 'id="confirm-answer" hx-swap-oob="innerHTML"' in html
    assert "Message U-100 is confirmed" in html
    # The answer is not left in the session for the next page.
    assert "is confirmed" not in member_client.get(inbox_url(account)).content.decode()


def test_the_list_shows_a_dispatch_confirmation(member_client, account):
    taken = timezone.now() - dt.timedelta(minutes=20)
    make_message(
        account,
        urgent=True,
        message_id="U-200",
        taken_at=taken,
        events=[
            {
                "at": (taken + dt.timedelta(minutes=3)).isoformat(),
                "kind": "confirmed",
                "channel": "sms",
                "recipient": "+15145550101",
            }
        ],
    )
    row = row_of(member_client.get(inbox_url(account)).content.decode(), "U-200")
    assert "Confirmed by +15145550101" in row and "confirm-form" not in row


def test_a_dispatch_confirmation_reads_as_the_seed_words_the_history(
    member_client, client, make_user, account
):
    """The platform's events keep the seed's wording ("email completed to info@…"), in both
    languages; only a press in the portal reads "Confirmed by …"."""
    taken = timezone.now() - dt.timedelta(minutes=20)
    m = make_message(
        account,
        urgent=True,
        message_id="U-300",
        taken_at=taken,
        events=[
            {
                "at": (taken + dt.timedelta(minutes=minutes)).isoformat(),
                "kind": kind,
                "channel": "sms",
                "recipient": "+15145550101",
            }
            for minutes, kind in ((1, "initiated"), (2, "completed"), (3, "confirmed"))
        ],
    )
    local = (taken + dt.timedelta(minutes=3)).astimezone(account.tz)
    shown = text_of(member_client.get(detail_url(m)).content.decode())
    assert f"{local:%Y-%m-%d %H:%M:%S} SMS confirmed to +15145550101" in shown
    assert "SMS completed to +15145550101" in shown
    assert "Confirmed by +15145550101 (" not in shown
    client.force_login(make_user("luc", account, language="fr"))
    shown = text_of(client.get(detail_url(m)).content.decode())
    assert f"{local:%Y-%m-%d %H:%M:%S} SMS confirmé à +15145550101" in shown
    assert "SMS complété à +15145550101" in shown
    assert "Confirmé par +15145550101 (" not in shown


# --- The API and the downloads ---------------------------------------------------------------


def test_the_api_shows_the_confirmation_and_ingest_accepts_confirmed(
    api, make_token, account, member, urgent
):
    event = confirm(urgent, member).event
    token = make_token("client", [account])
    listed = api("get", "/api/v1/accounts/4000/messages?urgent=true", token).json()
    [message] = [m for m in listed["results"] if m["message_id"] == "U-100"]
    assert {
        "at": event.at.astimezone(account.tz).isoformat(),
        "kind": "confirmed",
        "channel": "portal",
        "recipient": "member",
    } in message["events"]
    # The platform sends the same event back with the message: it is not stored twice; its
    # own confirmation (by voice) is stored like any other event.
    voice = {
        "at": "2026-12-01T09:00:00-05:00",
        "kind": "confirmed",
        "channel": "voice",
        "recipient": "+15145550102",
    }
    resent = {
        "message_id": "U-100",
        "account": "4000",
        "taken_at": urgent.taken_at.isoformat(),
        "subject": "FUITE",
        "urgent": True,
        "events": [message["events"][0], voice],
    }
    answer = api(
        "post", "/api/v1/ingest/messages", make_token("ingest"), json={"messages": [resent]}
    )
    assert answer.status_code == 200, answer.content
    assert sorted(e.channel for e in confirmations(urgent)) == ["portal", "voice"]


def test_the_download_says_who_confirmed_and_when(member_client, account, member, urgent):
    with clock_at(dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)):
        confirm(urgent, member)
    make_message(account, subject="PLAIN", message_id="P-2")
    answer = member_client.post(reverse("inbox_export", args=["4000"]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    by_id = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_id["U-100"]["Confirmed"] == "2026-12-01 12:00:00"
    assert by_id["U-100"]["Confirmed by"] == "member (portal)"
    assert by_id["P-2"]["Confirmed"] == "" and by_id["P-2"]["Confirmed by"] == ""
