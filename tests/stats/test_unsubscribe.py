"""The unsubscribe link of every scheduled report e-mail (issue 14, item 2): a signed link in the
body and in List-Unsubscribe (with List-Unsubscribe-Post, RFC 8058); opening it (GET) changes
nothing and shows a button; pressing it (POST), or a mail program's one-click POST, takes that
one address off the subscription; the next run sends nothing to it. No sign-in needed: a member,
a member of another account and someone signed out see the same pages."""

import datetime as dt
import re

import pytest
from django.test import Client

from portal.accounts.models import AuditLog
from portal.clock import clock_at
from portal.stats import schedules, subscriptions
from portal.stats.models import ReportSubscription

pytestmark = pytest.mark.django_db
UTC = dt.UTC
CREATED = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def subscribe(account, emails="boss@example.com, desk@example.com", language="en"):
    sub = ReportSubscription.objects.create(
        account=account, emails=emails, frequency="daily", language=language
    )
    ReportSubscription.objects.filter(pk=sub.pk).update(created_at=CREATED)
    sub.refresh_from_db()
    return sub


def run(day=3):
    with clock_at(dt.datetime(2026, 3, day, 12, 0, tzinfo=UTC)):
        return schedules.send_due()


def link_of(message) -> str:
    body = message.get_body().get_content()
    [url] = re.findall(r"https?://\S+/reports/unsubscribe/\S+/", body)
    return url


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_each_message_goes_to_one_address_with_its_own_link_and_rfc_8058_headers(
    account, smtp_inbox, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    sub = subscribe(account)
    run(day=2)  # 1 March
    boss, desk = sorted(smtp_inbox.messages, key=lambda m: m["To"])
    assert (boss["To"], desk["To"]) == ("boss@example.com", "desk@example.com")
    for message, address in ((boss, "boss@example.com"), (desk, "desk@example.com")):
        url = link_of(message)
        assert url.startswith("https://portal.example.com/reports/unsubscribe/")
        # (a long header is folded onto its next line: the value is what follows it)
        assert message["List-Unsubscribe"].strip() == f"<{url}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = path_of(url).split("/")[-2]
        assert subscriptions.read_token(token) == (sub.pk, address, "en")
        assert f"at {address}" in message.get_body().get_content()
    assert link_of(boss) != link_of(desk)


@pytest.mark.parametrize("who", ["member", "outsider", "signed_out"])
def test_opening_the_link_changes_nothing_whoever_opens_it(
    who, account, smtp_inbox, member_client, outsider_client
):
    sub = subscribe(account)
    run(day=2)
    url = path_of(link_of(smtp_inbox.messages[0]))
    browser = {"member": member_client, "outsider": outsider_client, "signed_out": Client()}[who]
    page = browser.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop this scheduled report?" in html
    assert '<button type="submit" class="primary wide">Unsubscribe</button>' in html
    assert smtp_inbox.messages[0]["To"] in html
    sub.refresh_from_db()
    assert sub.addresses == ["boss@example.com", "desk@example.com"]
    assert not AuditLog.objects.filter(action="report.unsubscribed").exists()


def test_pressing_the_button_unsubscribes_that_address_only_and_the_next_run_skips_it(
    account, smtp_inbox
):
    sub = subscribe(account)
    run(day=2)
    boss = next(m for m in smtp_inbox.messages if m["To"] == "boss@example.com")
    answer = Client().post(path_of(link_of(boss)))
    assert answer.status_code == 200
    assert "You are unsubscribed" in answer.content.decode()
    assert "will no longer receive the daily report of the account" in answer.content.decode()
    sub.refresh_from_db()
    assert sub.addresses == ["desk@example.com"]
    [entry] = AuditLog.objects.filter(action="report.unsubscribed")
    assert entry.actor == "boss@example.com" and entry.account == account
    assert entry.detail["address"] == "boss@example.com" and entry.detail["ended"] is False
    before = len(smtp_inbox.messages)
    run(day=3)  # 2 March: to the other address only
    assert [m["To"] for m in smtp_inbox.messages[before:]] == ["desk@example.com"]


def test_a_mail_programs_one_click_post_unsubscribes_without_a_csrf_token(account, smtp_inbox):
    sub = subscribe(account, emails="boss@example.com")
    run(day=2)
    mailer = Client(enforce_csrf_checks=True)
    url = path_of(smtp_inbox.messages[0]["List-Unsubscribe"].strip().strip("<>"))
    answer = mailer.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    # Its last address gone, the subscription ends.
    assert not ReportSubscription.objects.filter(pk=sub.pk).exists()
    assert AuditLog.objects.get(action="report.unsubscribed").detail["ended"] is True
    before = len(smtp_inbox.messages)
    assert run(day=5) == []
    assert len(smtp_inbox.messages) == before
    # The link again: nothing to leave, said so; nothing changes.
    again = Client().get(url)
    assert again.status_code == 200 and "Not subscribed" in again.content.decode()
    assert "Not subscribed" in Client().post(url).content.decode()
    assert AuditLog.objects.filter(action="report.unsubscribed").count() == 1


def test_a_forged_or_altered_link_is_not_found(account):
    sub = subscribe(account)
    token = subscriptions.unsubscribe_token(sub, "boss@example.com")
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "nothing", token + "x"):
        page = Client().get(f"/reports/unsubscribe/{bad}/")
        assert page.status_code == 404
        assert Client().post(f"/reports/unsubscribe/{bad}/").status_code == 404
    # Signed for another purpose (another salt): not an unsubscribe link.
    from django.core import signing

    other = signing.dumps([sub.pk, "boss@example.com", "en"], compress=True)
    assert Client().post(f"/reports/unsubscribe/{other}/").status_code == 404
    sub.refresh_from_db()
    assert sub.addresses == ["boss@example.com", "desk@example.com"]


def test_the_page_speaks_the_emails_language_unless_the_browser_chose(account, smtp_inbox):
    subscribe(account, emails="patron@example.com", language="fr")
    run(day=2)
    message = smtp_inbox.messages[0]
    assert "Pour ne plus le recevoir, ouvrez ce lien\u00a0:" in message.get_body().get_content()
    url = path_of(link_of(message))
    french = Client().get(url).content.decode()
    assert "Arrêter ce rapport programmé\u00a0?" in french and "Se désabonner" in french
    assert 'lang="fr"' in french
    chose_english = Client()
    chose_english.cookies["django_language"] = "en"
    assert "Stop this scheduled report?" in chose_english.get(url).content.decode()
    done = Client().post(url).content.decode()
    assert "Vous êtes désabonné" in done and "ne recevra plus le rapport quotidien" in done
