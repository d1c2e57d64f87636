"""A NUL character (%00) in a path names nothing: 404, in the API's JSON shape for the API,
before any view could store or look up such a name (PostgreSQL refuses NUL in text, SQLite
would store it). In a query value it never gets a 500."""

import pytest

from portal.inbox.models import Message
from portal.oncall.models import Schedule

pytestmark = pytest.mark.django_db

SHIFT = {"start": "2023-05-01T07:30:00-04:00", "end": "2023-05-02T07:30:00-04:00"}


@pytest.mark.parametrize(
    "method, path, scope, body",
    [
        ("put", "/api/v1/accounts/40%0000", "provision", {"name": "X"}),
        ("put", "/api/v1/accounts/4000/contacts/c%001", "provision", {"name": "X"}),
        ("get", "/api/v1/accounts/40%0000/calls", "ingest", None),
        ("get", "/api/v1/accounts/4000/calls/1%002/recording", "client", None),
        ("put", "/api/v1/accounts/4000/schedules/0%001", "provision", {"name": "X"}),
        ("put", "/api/v1/accounts/4000/schedules/01/shifts/a%00", "provision", SHIFT),
        ("delete", "/api/v1/accounts/4000/schedules/01/shifts/a%00", "provision", None),
        ("get", "/api/v1/accounts/40%0000/oncall", "oncall:read", None),
        ("post", "/api/v1/accounts/40%0000/oncall", "oncall:read", {}),
    ],
)
def test_a_nul_in_an_api_path_is_a_404(api, make_token, account, method, path, scope, body):
    r = api(method, path, make_token(scope, [account]), json=body)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}
    assert not Schedule.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/4000/messages?cursor=%00",
        "/api/v1/accounts/4000/calls?cursor=%00",
        "/api/v1/accounts/4000/oncall?role=%00",
        "/api/v1/statistics?accounts=40%0000&from=2023-01-01T00:00:00Z&to=2023-02-01T00:00:00Z",
        "/api/v1/accounts/4000/billable?cycle=%00",
    ],
)
def test_a_nul_in_an_api_query_is_never_a_500(api, make_token, account, path):
    scope = "oncall:read" if "oncall" in path else "client"
    r = api("get", path, make_token(scope, [account]))
    assert r.status_code < 500, r.content[:200]


@pytest.mark.parametrize(
    "path",
    [
        "/a/4000/messages/m%001/",
        "/a/40%0000/messages/",
        "/a/4000/calls/1%002/voice/",
        "/a/4000/messages/?q=%00&filtered=1",
        "/a/4000/calls/?caller_id=%00&call_number=%00",
        "/a/4000/directory/?q=%00",
        "/a/4000/oncall/?q=%00&role=%00&schedule=%00&shift=%00&contact=%00&date=%00",
        "/a/4000/billing/?number=%00",
        "/a/4000/billable/?cycle=%00&start=%00",
        "/a/4000/stats/?account=%00&agent=%00",
        "/switch/?account=%00&section=%00",
    ],
)
def test_a_nul_on_a_client_page_is_never_a_500(member_client, account, path):
    Message.objects.all()  # (the account exists; the member signed in)
    r = member_client.get(path)
    assert r.status_code in (200, 302, 404), r.status_code
    if path.startswith("/a/") and "?" in path and r.status_code == 404:
        assert "%00" in path.split("?")[0]  # a NUL in the query alone is no 404
    if "%00" in path.split("?")[0]:
        assert r.status_code == 404


def test_nuls_are_taken_out_of_a_pages_search(member_client, account):
    account.contacts.create(external_id="c1", name="Luc Lambert", phone1="5145550102")
    account.contacts.create(external_id="c2", name="Anthony Giosi")
    page = member_client.get("/a/4000/directory/?q=Lu%00c").content.decode()
    assert "Luc Lambert" in page and "Anthony Giosi" not in page


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "django_language"])
def test_a_nul_in_a_cookie_is_never_a_500(client, account, cookie):
    client.cookies[cookie] = "\x00abcdefghijkl"
    for path in ("/", "/login/", "/a/4000/messages/"):
        assert client.get(path).status_code in (200, 302), path
