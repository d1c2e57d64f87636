"""The audit trail in a browser (issue 13, item 6): a person signs in, searches the Inbox and
the Call Log by typing into their fields, opens a call's voice dialog and plays it; the audit
trail then holds each of those reads, with what was typed."""

import datetime as dt

import pytest

from portal.accounts.models import AuditLog
from tests.calls.helpers import add_recording, make_call, make_message, wav_bytes
from tests.web.call_log_flow import WORDS as CALLS
from tests.web.call_log_flow import wait_until
from tests.web.inbox_pages import WORDS as INBOX
from tests.web.inbox_pages import sign_in_and_open_inbox, subjects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_searches_and_the_voice_dialog_are_in_the_audit_trail(
    new_page, live_server, make_account, make_user, lang, shoot
):
    account = make_account("4000", "TEST")
    make_user("reader", account, language=lang)
    make_message(account, message_id="M-7001", subject="RAPPEL", body="Rappeler Luc Lambert.")
    make_message(account, message_id="M-7002", subject="LIVRAISON", body="Livraison demain.")
    call = add_recording(
        make_call(account, call_id="C-7001", caller_id="5145550001", ago=dt.timedelta(minutes=50)),
        wav_bytes(8),
    )
    make_call(account, call_id="C-7002", caller_id="4385559999", ago=dt.timedelta(minutes=40))
    page = new_page(locale={"en": "en-US", "fr": "fr-CA"}[lang])

    # The Inbox: a keyword typed and searched.
    sign_in_and_open_inbox(page, live_server, "reader", lang)
    w = INBOX[lang]
    page.get_by_label(w["keyword"], exact=True).fill("Lambert")
    page.get_by_role("button", name=w["retrieve"]).click()
    page.wait_for_load_state()
    assert subjects(page) == ["RAPPEL"]

    # The Call Log: a caller ID typed, the previous three hours, searched; then Voice.
    c = CALLS[lang]
    page.get_by_role("navigation").get_by_role("link", name=c["menu"]).click()
    page.wait_for_url("**/calls/")
    page.get_by_label(c["three"]).check()
    page.get_by_label(c["caller"], exact=True).fill("5145550001")
    page.get_by_role("button", name=c["search"]).click()
    page.wait_for_load_state()
    assert page.locator("td:text-is('C-7001')").count() == 1
    assert page.locator("td:text-is('C-7002')").count() == 0
    page.get_by_role("link", name=c["voice"]).first.click()
    dialog = page.locator("#call-dialog")
    dialog.locator("[data-play]").wait_for()
    dialog.locator("[data-play]").click()
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime > 0.2")
    shoot(page, f"audit-trail-voice-{lang}")

    entries = list(AuditLog.objects.filter(actor="reader").order_by("id"))
    reads = [e for e in entries if e.action not in ("login",)]
    searches = [e for e in reads if e.action == "message.search"]
    assert searches[-1].detail["q"] == "Lambert"
    assert searches[-1].detail["shown"] == ["M-7001"]
    call_searches = [e for e in reads if e.action == "call.search"]
    assert call_searches[-1].detail["caller_id"] == "5145550001"
    assert call_searches[-1].detail["preset"] == "3hours"
    assert call_searches[-1].detail["shown"] == ["C-7001"]
    voice = [e for e in reads if e.action == "call.voice"]
    assert [(e.object_type, e.object_id) for e in voice] == [("calls.call", call.call_id)]
    wait_until(page, "document.querySelector('#call-dialog audio').currentTime > 0.5")
    played = AuditLog.objects.filter(action="recording.play", actor="reader")
    assert [(e.object_id, e.account.number) for e in played] == [("C-7001", "4000")]
    for e in reads:
        assert e.ip == "127.0.0.1" and e.account.number == "4000" and e.user.username == "reader"
