"""The seed's example in a real browser, in French and in English, screenshots kept.

Shifts 4/24 7:30 am – 5/01 7:30 am and 5/01 7:30 am – 5/08 7:30 am (2023): assign Anthony
Giosi to the second; override it by Luc Lambert from 05/01/2023 7:30 AM to 05/03/2023 7:30 AM
after trying 04/30/2023 7:30 AM and seeing the seed's error; UnAssign the override and
Anthony Giosi is back. The calendar colours and "Total hours assigned" follow.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from portal.oncall.models import Assignment
from tests.oncall.helpers import seed_schedule

WORDS = {
    "en": {
        "assign": "Assign",
        "override": "Override",
        "unassign": "UnAssign",
        "save": "Save",
        "dialog_assign": "Assignment Selection",
        "dialog_override": "Shift Override",
        "error": "The Start time cannot occur before the original shift start time.",
        "total": "Total hours assigned:",
        "row": "5/01 7:30 am",
    },
    "fr": {
        "assign": "Assigner",
        "override": "Remplacement",
        "unassign": "Désassigner",
        "save": "Enregistrer",
        "dialog_assign": "Choix de l'assignation",
        "dialog_override": "Remplacement de quart",
        "error": "L'heure de début ne peut pas précéder l'heure de début du quart original.",
        "total": "Total des heures assignées\u00a0:",
        "row": "01/05 7h30",
    },
}


def sign_in(page, live_server, user):
    c = Client()
    c.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": c.cookies["sessionid"].value, "url": live_server.url}]
    )


def coverage(page, day):
    return page.locator(f'td[data-date="{day}"]').get_attribute("data-coverage")


def total(page):
    return page.locator(".oc-total").get_attribute("data-total-hours")


def pick(page, shift):
    page.locator(f"#shift-{shift.pk} td").nth(1).click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_seeds_example(page, live_server, make_user, account, shoot, lang):
    w = WORDS[lang]
    account.language = lang
    account.save()
    _schedule, _first, second, _anthony, _luc = seed_schedule(account)
    sign_in(page, live_server, make_user(f"client-{lang}", account, language=lang))
    page.goto(f"{live_server.url}/a/4000/oncall/?date=2023-05-01")
    assert page.locator(".schedule-title").inner_text() == "01 Horaire"
    assert coverage(page, "2023-05-02") == "none" and total(page) == "0.00"
    assert w["total"] in page.locator(".oc-total").inner_text()
    shoot(page, f"oncall-{lang}-1-empty")

    # Assign Anthony Giosi to the second shift.
    pick(page, second)
    page.get_by_role("button", name=w["assign"], exact=True).click()
    dialog = page.locator("#oncall-dialog")
    dialog.get_by_role("heading", name=w["dialog_assign"]).wait_for()
    dialog.locator("#assign-contact").select_option(label="Anthony Giosi")
    shoot(page, f"oncall-{lang}-2-assign-dialog")
    dialog.get_by_role("button", name=w["assign"], exact=True).click()
    page.wait_for_url("**shift=*")
    assert coverage(page, "2023-05-01") == "partial"
    assert coverage(page, "2023-05-02") == "full"
    assert coverage(page, "2023-04-30") == "none"
    assert total(page) == "168.00"
    page.locator(f"#shift-{second.pk}").locator("summary", has_text="Anthony Giosi").click()
    assert "514 555 0101" in page.locator(f"#shift-{second.pk}").inner_text()
    shoot(page, f"oncall-{lang}-3-assigned")

    # Override by Luc Lambert: first from 04/30 (refused), then from 05/01.
    pick(page, second)
    page.get_by_role("button", name=w["override"], exact=True).click()
    dialog.get_by_role("heading", name=w["dialog_override"]).wait_for()
    dialog.locator("#ov-start").fill("2023-04-30T07:30")
    dialog.locator("#ov-end").fill("2023-05-03T07:30")
    dialog.locator("#ov-contact").select_option(label="Luc Lambert")
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    page.locator("#dlg-error").wait_for()
    assert page.locator("#dlg-error").inner_text() == w["error"]
    shoot(page, f"oncall-{lang}-4-override-refused")
    assert not Assignment.objects.filter(kind="override").exists()
    dialog.locator("#ov-start").fill("2023-05-01T07:30")
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    expect(page.locator(f"#shift-{second.pk} .oc-contacts")).to_contain_text("Luc Lambert")
    row = page.locator(f"#shift-{second.pk}")
    assert "Luc Lambert" in row.inner_text() and "Anthony Giosi" in row.inner_text()
    assert total(page) == "168.00" and coverage(page, "2023-05-02") == "full"
    shoot(page, f"oncall-{lang}-5-overridden")

    # UnAssign the override: Anthony Giosi is back for the whole shift.
    pick(page, second)
    page.get_by_role("button", name=w["unassign"], exact=True).click()
    dialog.get_by_role("button", name=f"{w['unassign']} Luc Lambert").click()
    row = page.locator(f"#shift-{second.pk}")
    expect(row.locator(".oc-contacts")).not_to_contain_text("Luc Lambert")
    assert "Anthony Giosi" in row.inner_text()
    assert total(page) == "168.00"
    shoot(page, f"oncall-{lang}-6-override-removed")
    assert second.assignments.filter(revoked_at=None).get().contact_name == "Anthony Giosi"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_on_a_phone(browser, live_server, make_user, account, shoot):
    seed_schedule(account)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    sign_in(page, live_server, make_user("phone", account))
    page.goto(f"{live_server.url}/a/4000/oncall/?date=2023-05-01")
    assert page.locator(".oc-month").is_visible()
    shoot(page, "oncall-en-phone")
    context.close()
