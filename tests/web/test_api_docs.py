"""The API documentation page, /api/v1/docs: Swagger UI served from the portal's own static
files shows every operation of /api/v1/openapi.json, under the portal's Content-Security-
Policy (no CDN, no inline script), to anyone (the document is public, as API docs are)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


@pytest.fixture
def watched(page):
    """The page, and what its browser said: console errors, CSP violations, and every URL it
    asked for."""
    seen = {"console": [], "violations": [], "requests": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: seen["requests"].append(r.url))
    # Reported by the document itself (securitypolicyviolation), before any of its scripts.
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) => {
            (window.__violations = window.__violations || []).push(
                e.violatedDirective + " " + e.blockedURI);
        });"""
    )
    return page, seen


def test_the_docs_page_shows_every_operation_under_the_csp(live_server, watched, shoot):
    page, seen = watched
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp

    page.locator(".swagger-ui .opblock").first.wait_for()
    document = page.evaluate("() => fetch('/api/v1/openapi.json').then(r => r.json())")
    expected = operations(document)

    blocks = page.locator(".swagger-ui .opblock")
    shown = set()
    for i in range(blocks.count()):
        block = blocks.nth(i)
        method = block.locator(".opblock-summary-method").inner_text().strip()
        path = block.locator(".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == expected
    assert len(expected) >= 25
    # Its title and the scheme of the tokens.
    page.get_by_text("Answering service portal — integration API").first.wait_for()
    assert page.get_by_role("button", name=re.compile("Authorize")).count() == 1

    # Open one: its answer's schema and its errors are shown.
    page.locator(".opblock-summary-path[data-path='/api/v1/accounts/{number}/messages']").click()
    opened = page.locator(".opblock.is-open")
    opened.get_by_text("Scope:").wait_for()
    for status in ("200", "401", "403", "404", "422"):
        assert opened.locator(f"tr.response[data-code='{status}']").count() == 1, status
    shoot(page, "api-docs")

    violations = page.evaluate("() => window.__violations || []")
    assert violations == []
    assert not [m for m in seen["console"] if "Content Security Policy" in m], seen["console"]
    # Nothing from another site (no CDN, no validator badge).
    foreign = [u for u in seen["requests"] if not u.startswith(live_server.url)]
    assert foreign == [] or all(u.startswith("data:") for u in foreign), foreign
    static = [u for u in seen["requests"] if "/static/ninja/" in u]
    assert any(re.search(r"swagger-ui-bundle\.[0-9a-f]{12}\.js$", u) for u in static), static


def test_the_docs_page_needs_no_sign_in(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # The assets under their hashed names from the portal's static files; no inline script.
    assert re.search(r'src="/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js"', html)
    assert re.search(r'href="/static/ninja/swagger-ui\.[0-9a-f]{12}\.css"', html)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "cdn" not in html.lower()
