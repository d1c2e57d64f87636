"""In a real browser: a scheduled report's e-mail is read off a real SMTP server, its unsubscribe
link opened (signed out), the button pressed by its label, the confirmation read; the next run
sends nothing to that address. English and French, desktop and phone, without JavaScript too;
axe-core on each page (with JavaScript: axe is a script)."""

import datetime as dt
import re

import pytest

from portal.clock import clock_at
from portal.stats import schedules
from portal.stats.models import ReportSubscription
from tests.conftest import CHROMIUM  # noqa: F401 (the browser the fixtures launch)
from tests.stats.smtp import smtp_inbox  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UTC = dt.UTC

WORDS = {
    "en": {
        "confirm": "Stop this scheduled report?",
        "button": "Unsubscribe",
        "done": "You are unsubscribed",
        "no_longer": "will no longer receive the daily report of the account 4000-TEST",
        "gone": "Not subscribed",
    },
    "fr": {
        "confirm": "Arrêter ce rapport programmé\u00a0?",
        "button": "Se désabonner",
        "done": "Vous êtes désabonné",
        "no_longer": "ne recevra plus le rapport quotidien du compte 4000-TEST",
        "gone": "Pas abonné",
    },
}


def run(day):
    with clock_at(dt.datetime(2026, 3, day, 12, 0, tzinfo=UTC)):
        return schedules.send_due()


@pytest.mark.parametrize(
    "language, locale, phone, javascript",
    [
        ("en", "en-US", False, True),
        ("fr", "fr-CA", False, True),
        ("fr", "fr-CA", True, True),
        ("en", "en-US", False, False),
    ],
)
def test_unsubscribing_from_the_link_of_the_email(
    browser,
    new_page,
    live_server,
    make_account,
    settings,
    smtp_inbox,  # noqa: F811
    axe,
    shoot,
    language,
    locale,
    phone,
    javascript,
):
    settings.PORTAL_BASE_URL = live_server.url
    account = make_account("4000", "TEST")
    sub = ReportSubscription.objects.create(
        account=account,
        emails="boss@example.com, desk@example.com",
        frequency="daily",
        language=language,
    )
    ReportSubscription.objects.filter(pk=sub.pk).update(
        created_at=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    )
    run(2)
    words = WORDS[language]
    message = next(m for m in smtp_inbox.messages if m["To"] == "boss@example.com")
    body = message.get_body().get_content()
    link = re.search(r"(http://\S+/reports/unsubscribe/\S+/)", body).group(1)
    assert message["List-Unsubscribe"].strip() == f"<{link}>"

    if javascript:
        page = new_page(phone=phone, locale=locale)
    else:
        context = browser.new_context(locale=locale, java_script_enabled=False)
        page = context.new_page()
    page.goto(link)
    page.get_by_role("heading", name=words["confirm"]).wait_for()
    assert "boss@example.com" in page.inner_text("main")
    check = axe if javascript else (lambda page: None)  # axe runs as a script in the page
    check(page)
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, f"report-unsubscribe-{language}-{'phone' if phone else 'desktop'}")
    # Opening the page changed nothing.
    sub.refresh_from_db()
    assert sub.addresses == ["boss@example.com", "desk@example.com"]

    page.get_by_role("button", name=words["button"]).click()
    page.get_by_role("heading", name=words["done"]).wait_for()
    assert words["no_longer"] in page.get_by_role("status").inner_text()
    check(page)
    shoot(page, f"report-unsubscribed-{language}-{'phone' if phone else 'desktop'}")

    before = len(smtp_inbox.messages)
    run(3)
    assert [m["To"] for m in smtp_inbox.messages[before:]] == ["desk@example.com"]

    # The link again: nothing to leave, and no button.
    page.goto(link)
    page.get_by_role("heading", name=words["gone"]).wait_for()
    assert page.get_by_role("button", name=words["button"]).count() == 0
    check(page)
    if not javascript:
        context.close()
