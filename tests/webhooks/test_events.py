"""What the platform hears, driven the way people and the platform act: a message closed and
reopened on its page, on-call changes through the oncall:write API, the On Call page and the
services; the receiver (a real HTTP server) checks each signature on the raw body."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from portal import clock
from portal.oncall import services as oncall
from portal.oncall.models import Assignment
from portal.webhooks.models import WebhookDelivery
from portal.webhooks.services import save_webhook
from tests.calls.helpers import make_message
from tests.oncall.helpers import contact, local
from tests.webhooks.conftest import SECRET

pytestmark = pytest.mark.django_db
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")
BEFORE_THE_SHIFTS = dt.datetime(2023, 1, 1, 12, tzinfo=dt.UTC)


def post_the_form(client, page_url: str, button: str):
    """Submit the page's form whose submit button says `button`, with its hidden fields."""
    html = client.get(page_url).content.decode()
    for form in re.findall(r"<form\b.*?</form>", html, re.S):
        if f">{button}</button>" in form:
            action = re.search(r'action="([^"]+)"', form).group(1)
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
            fields.pop("csrfmiddlewaretoken", None)
            return client.post(action.replace("&amp;", "&"), fields)
    raise AssertionError(f"no form with the button {button!r} on {page_url}")


def test_closing_and_reopening_on_the_message_page_is_sent(
    member_client, member, account, hook, receiver, django_capture_on_commit_callbacks
):
    message = make_message(account, urgent=True)
    page = reverse("message_detail", args=[account.number, message.message_id])
    with django_capture_on_commit_callbacks(execute=True):
        r = post_the_form(member_client, page, "Close the message")
    assert r.status_code == 302
    [closed] = receiver.wait_for(1)
    assert closed.signature_ok
    assert closed.headers["Content-Type"] == "application/json"
    assert closed.headers["X-Portal-Signature"] == receiver.expected_signature(closed.raw)
    body = closed.json
    assert set(body) == {"id", "event", "at", "account", "data"}
    assert body["event"] == "message.status_changed" and body["account"] == "4000"
    uuid.UUID(body["id"])
    assert closed.headers["X-Portal-Delivery"] == body["id"]
    data = body["data"]
    assert data["message_id"] == message.message_id
    assert data["account"] == "4000"
    assert (data["status"], data["kind"], data["actor"]) == ("closed", "closed", "member")
    assert ISO_WITH_OFFSET.match(data["at"]) and ISO_WITH_OFFSET.match(body["at"])
    message.refresh_from_db()
    at = dt.datetime.fromisoformat(data["at"])
    assert at == message.closed_at
    assert at.utcoffset() == message.closed_at.astimezone(account.tz).utcoffset()  # its zone

    with django_capture_on_commit_callbacks(execute=True):
        post_the_form(member_client, page, "Reopen")
    reopened = receiver.wait_for(2)[1].json
    assert reopened["data"]["status"] == "open" and reopened["data"]["kind"] == "reopened"
    assert reopened["id"] != body["id"]
    assert list(WebhookDelivery.objects.values_list("status", "tries")) == [("delivered", 1)] * 2


def test_a_member_of_another_account_closes_nothing_and_nothing_is_sent(
    client, outsider, account, hook, receiver, django_capture_on_commit_callbacks
):
    message = make_message(account)
    url = reverse("message_status", args=[account.number, message.message_id])
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"status": "closed"}).status_code == 404
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"status": "closed"})
    assert r.status_code == 302 and "/login" in r["Location"]
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_only_the_webhooks_that_want_the_event_and_the_account_get_it(
    member_client, account, other_account, receiver, django_capture_on_commit_callbacks
):
    def register(webhook_id, events, accounts):
        save_webhook(
            webhook_id,
            {"url": receiver.url + f"?{webhook_id}", "secret": SECRET, "events": events,
             "accounts": accounts},
        )  # fmt: skip

    register("mine", ["message.status_changed"], ["4000"])
    register("theirs", ["message.status_changed"], ["5000"])
    register("oncall-only", ["oncall.changed"], None)
    register("everyone", ["message.status_changed", "oncall.changed"], None)
    message = make_message(account)
    url = reverse("message_status", args=[account.number, message.message_id])
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url, {"status": "closed"})
    received = receiver.wait_for(2)
    assert sorted(r.path.split("?")[1] for r in received) == ["everyone", "mine"]


def _seeded(api, provision, account):
    base = "/api/v1/accounts/4000/schedules/01"
    assert api("put", base, provision, json={"name": "01 Horaire"}).status_code == 200
    r = api(
        "put",
        f"{base}/shifts/b",
        provision,
        json={"start": "2023-05-01T07:30:00-04:00", "end": "2023-05-08T07:30:00-04:00",
              "rank": 0, "name": "Rotation", "role": "OC"},
    )  # fmt: skip
    assert r.status_code == 200
    return contact(account, "anthony", "Anthony Giosi"), contact(account, "luc", "Luc Lambert")


def test_an_assignment_through_the_oncall_write_api_is_sent(
    api, make_token, account, hook, receiver, django_capture_on_commit_callbacks
):
    provision = make_token("provision", name="provisioning")
    writer = make_token("oncall:write", accounts=[account], name="dispatch")
    _seeded(api, provision, account)
    assert receiver.received == []  # provisioning a shift is not a change of who is on call
    base = "/api/v1/accounts/4000/schedules/01/shifts/b"
    with clock.clock_at(BEFORE_THE_SHIFTS), django_capture_on_commit_callbacks(execute=True):
        r = api("put", f"{base}/assignment", writer, json={"contact": "anthony"})
        assert r.status_code == 200, r.content
    [assigned] = receiver.wait_for(1)
    assert assigned.signature_ok
    body = assigned.json
    assert body["event"] == "oncall.changed" and body["account"] == "4000"
    data = body["data"]
    assert data["account"] == "4000"
    assert data["schedule"] == {"id": "01", "name": "01 Horaire"}
    assert data["shift"] == {
        "id": "b",
        "name": "Rotation",
        "role": "OC",
        "rank": 0,
        "start": "2023-05-01T07:30:00-04:00",
        "end": "2023-05-08T07:30:00-04:00",
    }
    assert (data["start"], data["end"]) == (data["shift"]["start"], data["shift"]["end"])
    assert data["action"] == "assign" and data["actor"] == "api:dispatch"
    assert data["before"] == [
        {"start": "2023-05-01T07:30:00-04:00", "end": "2023-05-08T07:30:00-04:00",
         "source": "unassigned", "contact": None}
    ]  # fmt: skip
    assert data["after"] == [
        {"start": "2023-05-01T07:30:00-04:00", "end": "2023-05-08T07:30:00-04:00",
         "source": "assignment", "contact": {"id": "anthony", "name": "Anthony Giosi"}}
    ]  # fmt: skip

    # An override of part of it, then its removal: the stretch is the override's.
    with clock.clock_at(BEFORE_THE_SHIFTS), django_capture_on_commit_callbacks(execute=True):
        r = api(
            "post",
            f"{base}/overrides",
            writer,
            json={"contact": "luc", "start": "2023-05-02T08:00:00-04:00",
                  "end": "2023-05-02T20:00:00-04:00", "comment": ""},
        )  # fmt: skip
        assert r.status_code == 201, r.content
        override_id = r.json()["override_id"]
        assert api("delete", f"{base}/overrides/{override_id}", writer).status_code == 200
        assert api("delete", f"{base}/assignment", writer).status_code == 200
    bodies = [r.json["data"] for r in receiver.wait_for(4)]
    override, removed, unassigned = bodies[1:]
    assert override["action"] == "override"
    assert (override["start"], override["end"]) == (
        "2023-05-02T08:00:00-04:00",
        "2023-05-02T20:00:00-04:00",
    )
    assert [e["contact"] and e["contact"]["id"] for e in override["after"]] == [
        "anthony",
        "luc",
        "anthony",
    ]
    assert removed["action"] == "unassign_override"
    assert [e["contact"]["id"] for e in removed["after"]] == ["anthony"]
    assert unassigned["action"] == "unassign"
    assert unassigned["after"][0]["source"] == "unassigned"
    assert all(r.signature_ok for r in receiver.received)


def test_an_assignment_on_the_on_call_page_and_a_swap_are_sent(
    member_client, account, hook, receiver, django_capture_on_commit_callbacks
):
    schedule, _ = oncall.upsert_schedule(account, "01", "01 Horaire", actor=oncall.SYSTEM)
    first, _ = oncall.upsert_shift(
        schedule, "a", start=local(2023, 4, 24), end=local(2023, 5, 1), actor=oncall.SYSTEM
    )
    second, _ = oncall.upsert_shift(
        schedule, "b", start=local(2023, 5, 1), end=local(2023, 5, 8), actor=oncall.SYSTEM
    )
    anthony, luc = contact(account, "anthony", "Anthony Giosi"), contact(account, "luc", "Luc")
    url = reverse("oncall_assign", kwargs={"account_number": "4000"})
    with clock.clock_at(BEFORE_THE_SHIFTS), django_capture_on_commit_callbacks(execute=True):
        r = member_client.post(
            url, {"shift": second.pk, "version": second.version, "contact": anthony.pk}
        )
        assert r.status_code == 302
        oncall.assign(first, luc, actor=oncall.Actor(name="staff"))
        oncall.swap(first, second, actor=oncall.Actor(name="staff"))
    assert Assignment.objects.filter(revoked_at=None).count() == 2
    received = receiver.wait_for(4)
    datas = [r.json["data"] for r in received]
    assert [(d["action"], d["shift"]["id"], d["actor"]) for d in datas] == [
        ("assign", "b", "member"),
        ("assign", "a", "staff"),
        ("swap", "a", "staff"),
        ("swap", "b", "staff"),
    ]
    assert datas[2]["before"][0]["contact"]["id"] == "luc"
    assert datas[2]["after"][0]["contact"]["id"] == "anthony"
    assert datas[3]["after"][0]["contact"]["id"] == "luc"


def test_a_contact_removed_is_sent_as_a_gap(
    api, make_token, account, hook, receiver, django_capture_on_commit_callbacks
):
    provision = make_token("provision", name="provisioning")
    anthony, _luc = _seeded(api, provision, account)
    shift = account.schedules.get().shifts.get()
    with clock.clock_at(BEFORE_THE_SHIFTS):
        oncall.assign(shift, anthony, actor=oncall.SYSTEM)
        receiver.received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = api("delete", "/api/v1/accounts/4000/contacts/anthony", provision)
            assert r.status_code == 200
    data = receiver.wait_for(1)[0].json["data"]
    assert data["action"] == "contact_removed"
    assert data["before"][0]["contact"]["id"] == "anthony"
    assert data["after"][0]["source"] == "unassigned" and data["after"][0]["contact"] is None


def test_a_change_refused_sends_nothing(
    api, make_token, account, hook, receiver, django_capture_on_commit_callbacks
):
    provision = make_token("provision", name="provisioning")
    writer = make_token("oncall:write", accounts=[account], name="dispatch")
    _seeded(api, provision, account)
    with django_capture_on_commit_callbacks(execute=True):  # the real clock: the shift is over
        r = api(
            "put",
            "/api/v1/accounts/4000/schedules/01/shifts/b/assignment",
            writer,
            json={"contact": "anthony"},
        )
    assert r.status_code == 422
    assert not WebhookDelivery.objects.exists() and receiver.received == []
