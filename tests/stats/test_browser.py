"""In a real browser, French and English: run a filtered report, see the charts, export it,
e-mail it."""

import io

import pytest
from openpyxl import load_workbook

from tests.stats.examples import french_example


def sign_in(page, live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_client_runs_exports_and_emails_a_filtered_report(
    language, live_server, page, shoot, make_account, make_user, smtp_inbox
):
    from portal.calls.services import ingest_calls

    account = make_account("4000", "TEST", language=language)
    user = make_user("alice", account, language=language, email="alice@example.com")
    ingest_calls(french_example())
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/a/4000/stats/")
    words = {
        "fr": ("Du", "Au", "Appels après", "Afficher les statistiques", "Total des appels entrants",
               "Ouvrir dans Excel", "Envoyer le rapport par e-mail", "Le rapport a été envoyé"),
        "en": ("From", "To", "Calls after", "Retrieve Stats", "Total Incoming Calls",
               "Open in Excel", "Email Report", "The report was sent"),
    }[language]  # fmt: skip
    page.get_by_label(words[0], exact=True).fill("2023-03-01")
    page.get_by_label(words[1], exact=True).fill("2023-03-22")
    page.get_by_label(words[2]).fill("08:00")
    page.get_by_role("button", name=words[3]).click()
    page.wait_for_load_state()
    row = page.locator('tr[data-key="total_incoming"]')
    assert words[4] in row.inner_text()
    assert row.locator("td.num").first.inner_text() == "61"
    assert page.locator("svg.chart[role=img]").count() == 4
    shoot(page, f"stats-report-{language}")
    page.locator("svg.chart").first.scroll_into_view_if_needed()
    page.locator(".charts").screenshot(path=str(shoot(page, f"stats-charts-{language}")))
    with page.expect_download() as download:
        page.get_by_role("link", name=words[5]).click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert any(r[1] == 61 for r in sheet.iter_rows(values_only=True))
    page.get_by_role("button", name=words[6]).click()
    page.wait_for_load_state()
    assert words[7] in page.locator(".flash").inner_text()
    shoot(page, f"stats-emailed-{language}")
    assert len(smtp_inbox.messages) == 1
