"""Scheduled reports in the back office, in a real browser: staff sign in with their code, open
"Scheduled reports", narrow the list to one account by its filter, read the last period sent
and the periods pending, pause one by the action's label and see it paused, then delete it
(confirmed). English and French; axe on the list."""

import datetime as dt
import re

import pytest

from portal.accounts.models import AuditLog
from portal.stats.models import ReportDelivery, ReportSubscription
from tests.twofactor import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UTC = dt.UTC

WORDS = {
    "en": {
        "model": "Scheduled reports",
        "action": "Action",
        "pause": "Pause the selected scheduled reports",
        "delete": "Delete selected scheduled reports",
        "go": "Go",
        "paused": "1 scheduled report paused.",
        "status": "Paused",
        "sure": "Yes, I’m sure",
    },
    "fr": {
        "model": "Rapports programmés",
        "action": "Action",
        "pause": "Mettre en pause les rapports programmés sélectionnés",
        "delete": "Supprimer les rapports programmés sélectionnés",
        "go": "Envoyer",
        "paused": "1 rapport programmé mis en pause.",
        "status": "En pause",
        "sure": "Oui, je suis sûr",
    },
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_staff_pause_and_delete_a_scheduled_report(
    lang, new_page, live_server, make_account, make_user, axe, shoot
):
    w = WORDS[lang]
    account = make_account("4000", "TEST")
    other = make_account("5000", "OTHER")
    staff = make_user("staffer", is_staff=True, is_superuser=True, language=lang)
    mine = ReportSubscription.objects.create(
        account=account, emails="boss@example.com", frequency="daily"
    )
    ReportSubscription.objects.create(account=other, emails="chef@example.com", frequency="weekly")
    yesterday = dt.date.today() - dt.timedelta(days=2)
    ReportDelivery.objects.create(
        subscription=mine,
        period_start=yesterday,
        period_end=yesterday,
        sent_at=dt.datetime.now(UTC),
        sent_to="boss@example.com",
    )

    page = new_page(locale="fr-CA" if lang == "fr" else "en-US")
    page.goto(f"{live_server.url}/admin/")
    staff_sign_in(page, staff, lang)
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name=w["model"], exact=True).click()
    # The account filter, in the filters' side panel.
    page.locator("#changelist-filter").get_by_role("link", name="4000-TEST", exact=True).click()
    page.wait_for_url(re.compile(rf"account__id__exact={account.pk}"))
    table = page.locator("#result_list")
    assert "boss@example.com" in table.inner_text()
    assert "chef@example.com" not in table.inner_text()
    axe(page)
    shoot(page, f"report-back-office-{lang}")

    page.get_by_role("checkbox", name=re.compile("boss@example.com")).check()
    page.get_by_role("combobox", name=re.compile("^" + w["action"])).select_option(label=w["pause"])
    page.get_by_role("button", name=w["go"], exact=True).click()
    page.get_by_text(w["paused"]).wait_for()
    assert w["status"] in page.locator("#result_list").inner_text()
    mine.refresh_from_db()
    assert mine.paused_at is not None
    assert AuditLog.objects.filter(action="report.paused", actor="staffer").count() == 1

    page.get_by_role("checkbox", name=re.compile("boss@example.com")).check()
    page.get_by_role("combobox", name=re.compile("^" + w["action"])).select_option(
        label=w["delete"]
    )
    page.get_by_role("button", name=w["go"], exact=True).click()
    page.get_by_role("button", name=w["sure"]).click()
    page.wait_for_url(re.compile(r"/admin/stats/reportsubscription/"))
    assert not ReportSubscription.objects.filter(pk=mine.pk).exists()
    assert AuditLog.objects.filter(action="report.deleted", actor="staffer").count() == 1
