"""The per-login limit on e-mailed reports, in a real browser (English and French, desktop
and phone): on Billable Calls, "Email Report" sends the report; pressed again past the
limit (one an hour here), the page says why and when another may go, and the real SMTP
server receives nothing more."""

import pytest

from tests.stats.smtp import smtp_inbox  # noqa: F401, F811
from tests.web.wp_flows import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    language_of,
    open_section,
    press,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED = {
    "en": "You have e-mailed 1 report in the last hour, the most allowed. Nothing was sent. "
    "You can e-mail another report in 60 minutes.",
    "fr": "Vous avez envoyé 1 rapport par courriel dans la dernière heure, le maximum permis. "
    "Rien n’a été envoyé. Vous pourrez envoyer un autre rapport par courriel dans 60 minutes.",
}


@pytest.mark.parametrize("phone,locale", BROWSERS, ids=BROWSER_IDS)
def test_email_report_past_the_hourly_limit_says_so_and_sends_nothing(
    phone,
    locale,
    settings,
    live_server,
    new_page,
    make_account,
    make_user,
    smtp_inbox,  # noqa: F811
    axe,
    shoot,
):
    settings.PORTAL = {**settings.PORTAL, "REPORT_EMAILS_PER_HOUR": 1}
    language = language_of(locale)
    w = WORDS[language]
    account = make_account("4000", "TEST", language=language)
    make_user("alice", account, language=language, email="alice@example.com")

    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, language)
    open_section(page, w["billable"], phone)
    page.get_by_role("heading", name=w["billable"], level=1).wait_for()

    address = page.get_by_label(w["email_to"])
    assert address.input_value() == "alice@example.com"
    press(page.get_by_role("button", name=w["email"]), phone, navigates=True)
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text=w["sent"]).inner_text() == w["sent"]
    assert len(smtp_inbox.messages) == 1

    page.get_by_label(w["email_to"]).fill("boss@example.com")
    press(page.get_by_role("button", name=w["email"]), phone, navigates=True)
    page.wait_for_load_state()
    refused = page.get_by_role("status").filter(has_text=REFUSED[language][:20])
    assert refused.inner_text().replace("\u00a0", " ") == REFUSED[language]
    assert page.get_by_role("heading", name=w["billable"], level=1).is_visible()
    shoot(page, f"report-email-limit-{'phone' if phone else 'desktop'}-{language}")
    axe(page)
    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.messages[0]["To"] == "alice@example.com"
