"""The staff back office in a real browser, in French: clients are kept out."""

import pytest

from tests.twofactor import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


def test_staff_use_the_back_office_in_french(page, live_server, make_user, account, shoot):
    from portal.accounts.models import Membership

    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="fr")
    client_login = make_user("marie", account, role=Membership.USER)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/admin/")
    # Before sign-in the browser's language (English here); then the staff member's French.
    # The back office's sign-in is the portal's: password, then the code (tests/twofactor.py).
    staff_sign_in(page, staffer)
    page.get_by_role("link", name="Portail client · administration").wait_for()
    shoot(page, "back-office-home")

    page.goto(f"{live_server.url}/admin/accounts/user/{client_login.pk}/change/")
    page.locator(".select2-selection__rendered", has_text="4000-TEST").wait_for()
    shoot(page, "back-office-login")

    page.goto(f"{live_server.url}/admin/api/apitoken/add/")
    page.locator("#id_name").fill("plateforme")
    page.locator("#id_scope").select_option("ingest")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    message = page.locator(".messagelist .warning")
    assert "Le nouveau jeton est pt_" in message.inner_text()
    shoot(page, "back-office-token")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_client_is_kept_out_of_the_back_office(page, live_server, make_user, account):
    make_user("marie", account)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("User Name").fill("marie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Enter", exact=True).click()
    page.locator(".errornote").wait_for()  # signed in, but not allowed in the back office
    assert "/admin/login/" in page.url
