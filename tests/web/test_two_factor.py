"""Two-step verification in a real browser (issue 13, item 2): staff set it up from the QR
code's key read off the page and reach the back office only with a code; a client turns it on
in Settings and signs in with a recovery code (which then no longer works); an account that
requires it sends its logins to set it up; staff reset a client's; French and English, desktop
and phone, axe on every page, and the forms without JavaScript."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from portal.accounts.models import AuditLog
from tests.twofactor import code_from_secret, enrol, pass_code_step, staff_sign_in, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
W = {
    "en": {
        "user": "User Name",
        "password": "Password",
        "enter": "Enter",
        "code": "Code",
        "verify": "Verify",
        "step": "Two-step verification",
        "setup": "Turn on two-step verification",
        "turn_on": "Turn on",
        "codes": "Your recovery codes",
        "kept": "I have kept them",
        "download": "Download the codes",
        "wrong": "That code is not right.",
        "settings": "Settings",
        "sign_out": "Sign out",
        "on": "On",
        "required": "Your login must use two-step verification: set it up now to continue.",
        "left": "You signed in with a recovery code: 9 are left.",
    },
    "fr": {
        "user": "Nom",
        "password": "Mot de passe",
        "enter": "Entrez",
        "code": "Code",
        "verify": "Vérifier",
        "step": "Vérification en deux étapes",
        "setup": "Activer la vérification en deux étapes",
        "turn_on": "Activer",
        "codes": "Vos codes de secours",
        "kept": "Je les ai gardés",
        "download": "Télécharger les codes",
        "wrong": "Ce code n’est pas le bon.",
        "settings": "Paramètres",
        "sign_out": "Sortie",
        "on": "Activée",
        "required": "Votre accès doit utiliser la vérification en deux étapes\u00a0: "
        "activez-la maintenant pour continuer.",
        "left": "Vous vous êtes connecté avec un code de secours\u00a0: il en reste 9.",
    },
}


def password_step(page, username, lang="en"):
    w = W[lang]
    page.get_by_label(w["user"], exact=True).fill(username)
    page.get_by_label(w["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=w["enter"], exact=True).click()


def set_up_from_the_page(page, lang="en"):
    """On the setup page: read the key shown as text, compute the code as an app would,
    type it and turn it on; returns the recovery codes read off the next page."""
    w = W[lang]
    secret = page.locator(".two-factor-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret), secret
    qr = page.get_by_role("img", name=re.compile("QR"))
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    page.get_by_label(w["code"], exact=True).fill(code_from_secret(secret))
    page.get_by_role("button", name=w["turn_on"], exact=True).click()
    expect(page.get_by_role("heading", name=w["codes"])).to_be_visible()
    codes = page.locator(".recovery-code-list code").all_inner_texts()
    assert len(codes) == 10
    return codes


def test_staff_set_it_up_sign_out_and_sign_in_with_a_code(
    new_page, live_server, make_user, axe, shoot
):
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    page = new_page()
    page.goto(f"{live_server.url}/admin/")
    password_step(page, "staffer")
    # Sent to set it up before any back-office page.
    expect(page.get_by_role("heading", name=W["en"]["setup"])).to_be_visible()
    expect(page.get_by_text(W["en"]["required"])).to_be_visible()
    axe(page)
    shoot(page, "two-factor-setup-staff")
    # A wrong code first: said so, nothing turned on.
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Turn on", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(W["en"]["wrong"])
    assert not TOTPDevice.objects.filter(user=staffer, confirmed=True).exists()
    page.wait_for_timeout(1100)  # django-otp's throttling: 1 s after one wrong code, then 2, 4…
    set_up_from_the_page(page)
    axe(page)
    shoot(page, "two-factor-recovery-codes")
    page.get_by_role("button", name="I have kept them").click()
    expect(page.get_by_role("link", name="Client Portal · back office")).to_be_visible()
    assert page.url.endswith("/admin/")
    page.get_by_role("button", name="Log out").click()

    # Signing in again: the password, then the code; not before.
    page.goto(f"{live_server.url}/admin/accounts/account/")
    password_step(page, "staffer")
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    axe(page)
    shoot(page, "two-factor-code-step")
    page.goto(f"{live_server.url}/admin/")  # not signed in yet: back to the sign-in page
    expect(page.get_by_label("User Name")).to_be_visible()
    password_step(page, "staffer")
    page.get_by_label("Code", exact=True).fill("123456x")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text(W["en"]["wrong"])
    pass_code_step(page, staffer)
    expect(page.get_by_role("link", name="Client Portal · back office")).to_be_visible()
    actions = set(AuditLog.objects.filter(user=staffer).values_list("action", flat=True))
    assert {"two_factor.enrol", "two_factor.failed", "login"} <= actions


def test_staff_without_it_open_no_back_office_page(new_page, live_server, make_user, account):
    make_user("staffer", is_staff=True, is_superuser=True, language="en")
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/admin/")
    password_step(page, "staffer")
    for path in ["/admin/", "/admin/accounts/user/", "/admin/accounts/auditlog/", "/a/4000/"]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", name="Turn on two-step verification")).to_be_visible()
        assert "/two-factor/setup/" in page.url


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_client_turns_it_on_and_signs_in_with_a_recovery_code_once(
    lang, new_page, live_server, make_account, make_user, axe, shoot
):
    w = W[lang]
    account = make_account("4000", "TEST", language=lang)
    marie = make_user("marie", account, language=lang)
    page = new_page(locale="fr-CA" if lang == "fr" else "en-US")
    page.goto(f"{live_server.url}/")
    password_step(page, "marie", lang)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name=w["settings"]).click()
    section = page.get_by_role("region", name=w["step"])
    expect(section).to_be_visible()
    axe(page)
    shoot(page, f"two-factor-settings-off-{lang}")
    section.get_by_role("link", name=w["setup"]).click()
    expect(page.get_by_role("heading", name=w["setup"])).to_be_visible()
    axe(page)
    codes = set_up_from_the_page(page, lang)
    with page.expect_download() as download:
        page.get_by_role("link", name=w["download"]).click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert all(code in text for code in codes)
    page.get_by_role("button", name=w["kept"]).click()
    expect(page.get_by_role("region", name=w["step"])).to_contain_text(w["on"])
    shoot(page, f"two-factor-settings-on-{lang}")
    axe(page)
    page.get_by_role("button", name=w["sign_out"]).click()

    # The recovery code instead of the app's code: signed in, once.
    password_step(page, "marie", lang)
    expect(page.get_by_role("heading", name=w["step"])).to_be_visible()
    page.get_by_label(w["code"], exact=True).fill(codes[0])
    page.get_by_role("button", name=w["verify"]).click()
    expect(page.get_by_text(w["left"])).to_be_visible()
    assert page.url.endswith("/a/4000/")
    page.get_by_role("button", name=w["sign_out"]).click()
    password_step(page, "marie", lang)
    page.get_by_label(w["code"], exact=True).fill(codes[0])
    page.get_by_role("button", name=w["verify"]).click()
    expect(page.get_by_role("alert")).to_contain_text(w["wrong"])
    axe(page)
    assert "/login/code/" in page.url
    assert AuditLog.objects.filter(user=marie, action="two_factor.recovery_code_used").count() == 1


def test_a_client_turns_it_off_with_the_password(new_page, live_server, account, make_user, axe):
    marie = make_user("marie", account, language="en")
    enrol(marie)
    page = new_page()
    page.goto(f"{live_server.url}/a/4000/settings/")
    password_step(page, "marie")
    pass_code_step(page, marie)
    section = page.get_by_role("region", name="Two-step verification")
    section.get_by_label("Your password, to turn it off").fill("not my password")
    section.get_by_role("button", name="Turn off two-step verification").click()
    expect(
        page.get_by_text("Your password is not correct: two-step verification stays on.")
    ).to_be_visible()
    assert TOTPDevice.objects.filter(user=marie).exists()
    section = page.get_by_role("region", name="Two-step verification")
    section.get_by_label("Your password, to turn it off").fill(PASSWORD)
    section.get_by_role("button", name="Turn off two-step verification").click()
    expect(page.get_by_text("Two-step verification is off.")).to_be_visible()
    axe(page)
    assert not TOTPDevice.objects.filter(user=marie).exists()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_account_that_requires_it_sends_its_logins_to_set_it_up(
    lang, new_page, live_server, make_account, make_user, axe, shoot
):
    w = W[lang]
    account = make_account("4000", "TEST", language=lang, require_two_factor=True)
    make_user("marie", account, language=lang)
    page = new_page(phone=True, locale="fr-CA" if lang == "fr" else "en-US")
    page.goto(f"{live_server.url}/a/4000/messages/")
    password_step(page, "marie", lang)
    expect(page.get_by_text(w["required"])).to_be_visible()
    axe(page)
    shoot(page, f"two-factor-required-phone-{lang}")
    page.goto(f"{live_server.url}/a/4000/settings/")  # no page before it is set up
    expect(page.get_by_text(w["required"])).to_be_visible()
    set_up_from_the_page(page, lang)
    axe(page)
    page.get_by_role("button", name=w["kept"]).click()
    assert page.url.endswith("/a/4000/settings/")
    expect(page.get_by_role("region", name=w["step"])).to_contain_text(w["on"])


def test_staff_reset_a_clients_second_factor(new_page, live_server, account, make_user, axe):
    marie = make_user("marie", account, language="en")
    enrol(marie)
    staffer = make_user("staffer", is_staff=True, is_superuser=True, language="en")
    staff = new_page()
    staff.goto(f"{live_server.url}/admin/")
    staff_sign_in(staff, staffer)
    staff.get_by_role("link", name="Logins", exact=True).click()
    staff.get_by_role("link", name="marie", exact=True).click()
    staff.get_by_role("link", name="Reset two-step verification").click()
    expect(staff.get_by_text("Reset the two-step verification of marie?")).to_be_visible()
    axe(staff, "#content-main")
    staff.get_by_role("button", name="Reset two-step verification").click()
    expect(staff.locator(".messagelist")).to_contain_text("Two-step verification of marie is reset")
    entry = AuditLog.objects.get(action="two_factor.reset")
    assert entry.user == staffer and entry.detail["login"] == "marie"

    # Marie signs in with her password alone again.
    client = new_page()
    client.goto(f"{live_server.url}/")
    password_step(client, "marie")
    client.wait_for_url("**/a/4000/")


def test_without_javascript_the_forms_work(browser, live_server, account, make_user):
    marie = make_user("marie", account, language="en")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/a/4000/settings/two-step/")
        password_step(page, "marie")
        codes = set_up_from_the_page(page)
        page.get_by_role("button", name="I have kept them").click()
        page.get_by_role("button", name="Sign out").click()
        password_step(page, "marie")
        page.get_by_label("Code", exact=True).fill(totp_code(marie))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url("**/a/4000/")
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Settings").click()
        section = page.get_by_role("region", name="Two-step verification")
        section.get_by_role("button", name="Make new recovery codes").click()
        new_codes = page.locator(".recovery-code-list code").all_inner_texts()
        assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    finally:
        context.close()
