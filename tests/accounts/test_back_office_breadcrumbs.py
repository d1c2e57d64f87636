"""The back office's breadcrumbs name each app as its index and sidebar do, in the page's
language (they read the app's verbose_name: "Accounts" in a French page otherwise)."""

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", ["Client accounts and logins", "Calls and recordings"]),
        ("fr", ["Comptes clients et utilisateurs", "Appels et enregistrements"]),
    ],
)
def test_the_breadcrumbs_name_the_app_in_the_pages_language(admin_client, language, words):
    admin_client.cookies["django_language"] = language
    with translation.override(language):
        for path, word in zip(
            ("/admin/accounts/auditlog/", "/admin/calls/call/"), words, strict=True
        ):
            page = admin_client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert page.status_code == 200
            crumbs = page.content.decode().split('<div class="breadcrumbs">', 1)[1]
            crumbs = crumbs.split("</div>", 1)[0]
            assert word in crumbs, crumbs
