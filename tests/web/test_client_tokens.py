"""Settings → API tokens in a real browser (issue 15, item 6): a client admin names a token,
ticks the account, creates it, reads it off the answer page, reads the account's messages
with it over HTTP against the live server, then revokes it and the same request gets 401.
In English and French, on a desktop and a phone; axe-clean."""

import json
import urllib.error
import urllib.request

import pytest

from tests.calls.helpers import make_message
from tests.web.portal_pages import (
    BROWSER_IDS,
    BROWSERS,
    WORDS,
    no_sideways_scroll,
    open_section,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "section": "API tokens",
        "name": "Token name",
        "create": "Create the token",
        "created": "Token “Front desk sync” created",
        "token": "Your token",
        "once": "it is shown only this once",
        "back": "Back to Settings",
        "revoke": "Revoke",
        "revoked": "The token “Front desk sync” is revoked.",
        "no_name": "Give the token a name.",
        "active": "Active",
    },
    "fr": {
        "section": "Jetons d’API",
        "name": "Nom du jeton",
        "create": "Créer le jeton",
        "created": "Jeton «\u00a0Front desk sync\u00a0» créé",
        "token": "Votre jeton",
        "once": "il n’est affiché que cette fois",
        "back": "Retour aux paramètres",
        "revoke": "Révoquer",
        "revoked": "Le jeton «\u00a0Front desk sync\u00a0» est révoqué.",
        "no_name": "Donnez un nom au jeton.",
        "active": "Actif",
    },
}


@pytest.fixture
def marie(make_account, make_user, other_account):
    account = make_account("4000", "TEST")
    make_message(account, message_id="M-4000")
    make_message(other_account, message_id="M-5000")
    return make_user("marie", account)  # a client admin of 4000


def read_messages(live_server, token: str, number: str = "4000"):
    """GET /api/v1/accounts/<number>/messages with the token: (status, JSON answer)."""
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/accounts/{number}/messages",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("phone, locale, lang", BROWSERS, ids=BROWSER_IDS)
def test_create_use_and_revoke_a_token(
    new_page, live_server, marie, axe, shoot, phone, locale, lang
):
    t = TEXT[lang]
    size = "phone" if phone else "desktop"
    page = new_page(phone=phone, locale=locale)
    sign_in(page, live_server, "marie", lang)
    open_section(page, lang, WORDS[lang]["settings"], phone=phone)
    page.wait_for_url("**/a/4000/settings/")
    section = page.get_by_role("region", name=t["section"])
    section.get_by_role("heading", name=t["section"]).wait_for()
    no_sideways_scroll(page)
    axe(page)

    # Without a name: said so, nothing made.
    section.get_by_role("button", name=t["create"]).click()
    page.get_by_role("alert").filter(has_text=t["no_name"]).wait_for()
    axe(page)

    # Name it, tick the account, create it: the token is shown once.
    section = page.get_by_role("region", name=t["section"])
    section.get_by_label(t["name"]).fill("Front desk sync")
    section.get_by_label("4000-TEST").check()
    section.get_by_role("button", name=t["create"]).click()
    page.get_by_role("heading", name=t["created"]).wait_for()
    page.get_by_text(t["once"]).wait_for()
    token = page.get_by_label(t["token"]).input_value()
    assert token.startswith("pt_") and len(token) > 20
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"client-token-created-{size}-{lang}")

    # It reads the account's messages, and no other account's.
    status, answer = read_messages(live_server, token)
    assert status == 200
    assert [m["message_id"] for m in answer["results"]] == ["M-4000"]
    assert read_messages(live_server, token, "5000")[0] == 403

    # Back on Settings: listed (without its value), then revoked.
    page.get_by_role("link", name=t["back"]).click()
    page.wait_for_url("**/a/4000/settings/**")
    section = page.get_by_role("region", name=t["section"])
    row = section.get_by_role("row").filter(has_text="Front desk sync")
    row.get_by_text(t["active"], exact=True).wait_for()
    assert token not in page.content()
    no_sideways_scroll(page)
    axe(page)
    shoot(page, f"client-token-list-{size}-{lang}")
    row.get_by_role("button", name=t["revoke"]).click()
    page.get_by_text(t["revoked"]).wait_for()
    axe(page)
    assert read_messages(live_server, token) == (401, {"detail": "Missing or invalid token."})
