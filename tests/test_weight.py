"""Pages and static files travel compressed; static files are cached for good under hashed
names (WhiteNoise's compressed manifest storage, collected by `make`)."""

import gzip
import re

import pytest
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_a_page_is_sent_compressed(member_client, account):
    response = member_client.get(f"/a/{account.number}/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "<html" in html


def test_the_sign_in_page_names_hashed_static_files(client):
    html = client.get("/login/").content.decode()
    names = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert names
    for name in names:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", name), name


@pytest.mark.parametrize("name", ["portal/portal.css", "portal/portal.js"])
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_files_are_precompressed_and_cached_for_good(client, name, encoding):
    url = static(name)
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "immutable" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 31536000
    raw = client.get(url)  # a client that accepts no encoding gets the file itself
    assert "Content-Encoding" not in raw
    body = b"".join(raw.streaming_content)
    assert len(body) > len(b"".join(response.streaming_content))


def test_recordings_and_small_api_answers_are_not_recompressed(rf):
    from django.http import HttpResponse

    from portal.compression import CompressPagesMiddleware

    middleware = CompressPagesMiddleware(lambda request: None)
    audio = HttpResponse(b"x" * 5000, content_type="audio/mpeg")
    request = rf.get("/a/4000/calls/1/audio", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in middleware.process_response(request, audio)
    answer = HttpResponse(b"{}" * 500, content_type="application/json")
    request = rf.get("/api/v1/accounts/4000/oncall", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in middleware.process_response(request, answer)
    page = HttpResponse(b"<p>hello</p>" * 100, content_type="text/html; charset=utf-8")
    request = rf.get("/a/4000/", HTTP_ACCEPT_ENCODING="gzip")
    assert middleware.process_response(request, page)["Content-Encoding"] == "gzip"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_gets_the_hashed_stylesheet_compressed(page, live_server):
    answers = {}
    page.on("response", lambda r: answers.setdefault(r.url.split("/")[-1], r))
    page.goto(f"{live_server.url}/login/")
    css = [name for name in answers if name.startswith("portal.") and name.endswith(".css")]
    assert css and answers[css[0]].status == 200, answers
    assert answers[css[0]].headers.get("content-encoding") in ("br", "gzip")
    # The style is applied: the sign-in card is laid out by portal.css, not the browser's.
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
