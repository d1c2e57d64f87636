"""Every client URL, with the three people: a member, a member of another account, and
someone signed out. A URL pattern under /a/<account_number>/ without a case fails the walk."""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import AccessCase

TESTS = Path(__file__).parent


def all_cases() -> list[AccessCase]:
    cases = []
    for path in sorted(TESTS.glob("*/access_cases.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access_cases")
        cases.extend(module.CASES)
    return cases


CASES = all_cases()


def account_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and prefix.startswith("a/<str:account_number>/"):
                if p.name:
                    names.add(p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_account_url_has_an_access_case():
    covered = {c.name for c in CASES}
    missing = account_url_names() - covered
    assert not missing, f"URL patterns without an access test: {sorted(missing)}"


def _url(case: AccessCase, account) -> str:
    kwargs = case.setup(account) if case.setup else {}
    return reverse(case.name, kwargs={"account_number": account.number, **kwargs})


def _request(client, case: AccessCase, url: str):
    return (
        getattr(client, case.method)(url, case.data)
        if case.data
        else getattr(client, case.method)(url)
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_a_member_reaches_it(case, member_client, account):
    response = _request(member_client, case, _url(case, account))
    expected = (
        case.member_status if isinstance(case.member_status, tuple) else (case.member_status,)
    )
    assert response.status_code in expected


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_a_member_of_another_account_gets_404(case, outsider_client, account):
    assert _request(outsider_client, case, _url(case, account)).status_code == 404


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_someone_signed_out_is_sent_to_sign_in(case, anon_client, account):
    response = _request(anon_client, case, _url(case, account))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
