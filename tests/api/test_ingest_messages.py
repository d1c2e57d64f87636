"""POST /api/v1/ingest/messages: messages by message_id, their dispatch events appended."""

import pytest

from portal.inbox.models import Message, MessageEvent
from tests.api.helpers import MESSAGES, a_message

pytestmark = pytest.mark.django_db


def test_a_message_is_stored_with_its_form_in_order_and_its_events(api, ingest, account):
    r = api("post", MESSAGES, ingest, json={"messages": [a_message()]})
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 1, "updated": 0, "unchanged": 0}
    message = Message.objects.get()
    assert message.subject == "RENDEZ-VOUS"
    assert message.fields == [["Prénom", "Julie"], ["Tel", "(514) 521-0000"]]
    assert message.status == "open" and message.urgent is False
    assert list(message.events.order_by("at").values_list("kind", "channel")) == [
        ("taken", ""),
        ("delivered", "email"),
    ]


def test_replaying_stores_no_event_twice_and_new_events_are_appended(api, ingest, account):
    batch = {"messages": [a_message()]}
    api("post", MESSAGES, ingest, json=batch)
    r = api("post", MESSAGES, ingest, json=batch)
    assert r.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert MessageEvent.objects.count() == 2

    later = a_message()
    later["events"] = [
        {"at": "2023-04-28T08:40:00-04:00", "kind": "read", "channel": "portal", "recipient": None}
    ]
    r = api("post", MESSAGES, ingest, json={"messages": [later]})
    assert r.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert MessageEvent.objects.count() == 3


def test_status_and_urgency_changes_update_the_message(api, ingest, account):
    api("post", MESSAGES, ingest, json={"messages": [a_message()]})
    r = api("post", MESSAGES, ingest, json={"messages": [a_message(status="closed", urgent=True)]})
    assert r.json()["updated"] == 1
    message = Message.objects.get()
    assert (message.status, message.urgent) == ("closed", True)


def test_one_bad_message_stores_nothing(api, ingest, account):
    batch = [
        a_message("1"),
        a_message("2", taken_at="2023-04-28 08:32"),
        a_message("3", account="9999"),
        a_message("4", status="archived"),
        a_message("5", events=[{"at": "2023-04-28T08:32:00-04:00", "kind": "shouted"}]),
        a_message("6", fields=[["only a label"]]),
    ]
    r = api("post", MESSAGES, ingest, json={"messages": batch})
    assert r.status_code == 422
    found = {(e["index"], e["field"]) for e in r.json()["errors"]}
    assert (1, "taken_at") in found
    assert (2, "account") in found
    assert (3, "status") in found
    assert (4, "events.0.kind") in found
    assert any(index == 5 and field.startswith("fields.0") for index, field in found)
    assert not Message.objects.exists()
    assert not MessageEvent.objects.exists()
