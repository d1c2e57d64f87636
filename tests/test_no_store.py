"""Cache-Control: no-store (portal.nostore) on every client page, action, export, recording
and PDF — the whole tenancy walk, as a member, as an outsider (their 404) and signed out
(the redirect) — on the back office, the sign-in page, the calendar feeds and every kind of
API answer, errors included; and not on static files, which keep their ten-year lifetime."""

import pytest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from tests.api.helpers import a_call, wav_bytes
from tests.test_tenancy_walk import CASES, _request, _url

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store", (response.status_code, response.headers)
    assert "Expires" not in response


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_every_client_url_is_no_store_for_a_member(case, member_client, account):
    response = _request(member_client, case, _url(case, account))
    expected = (
        case.member_status if isinstance(case.member_status, tuple) else (case.member_status,)
    )
    assert response.status_code in expected
    assert_no_store(response)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # exports and recordings: read to the end


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_and_for_an_outsider_and_someone_signed_out(case, outsider_client, anon_client, account):
    url = _url(case, account)
    outsider = _request(outsider_client, case, url)
    assert outsider.status_code == 404
    assert_no_store(outsider)
    signed_out = _request(anon_client, case, url)
    assert signed_out.status_code == 302
    assert_no_store(signed_out)


def test_the_downloads_by_name(member_client, account):
    """The files a person keeps: the call log's workbook, a recording, the on-call PDF,
    the history's CSV, the billable calls' and the statistics' workbooks."""
    from tests.calls.helpers import add_recording, make_call
    from tests.oncall.helpers import seed_schedule

    call = add_recording(make_call(account))
    seed_schedule(account)
    n = account.number
    urls = [
        reverse("calls_excel", args=[n]),
        reverse("call_recording", args=[n, call.call_id]),
        reverse("oncall_pdf", args=[n]),
        reverse("oncall_history_csv", args=[n]),
        reverse("billable_export", args=[n]),
        reverse("stats_export", args=[n]) + "?start=2023-03-01&end=2023-03-22",
    ]
    for url in urls:
        response = member_client.get(url)
        assert response.status_code == 200, url
        assert response.get("Content-Disposition", "").startswith("attachment") or (
            response["Content-Type"].startswith("audio/")
        ), url
        assert_no_store(response)


def test_the_sign_in_page_the_home_page_and_a_missing_page(client, member_client, account):
    assert_no_store(client.get(reverse("login")))
    assert_no_store(member_client.get(reverse("root"), follow=True))
    missing = member_client.get("/a/4000/no-such-page/")
    assert missing.status_code == 404
    assert_no_store(missing)


def test_the_back_office(admin_client, account):
    for url in ("/admin/", reverse("admin:accounts_account_changelist"),
                reverse("admin:accounts_account_change", args=[account.pk])):  # fmt: skip
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response)


def test_the_calendar_feeds(client, account):
    from portal.oncall import feeds
    from tests.oncall.helpers import seed_schedule

    schedule, _first, _second, _anthony, luc = seed_schedule(account)
    for feed in (feeds.rotate(account, schedule=schedule), feeds.rotate(account, contact=luc)):
        response = client.get(reverse("oncall_ical", kwargs={"token": feed.token}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert_no_store(response)
    assert_no_store(client.get(reverse("oncall_ical", kwargs={"token": "revoked-or-made-up"})))


def test_api_answers_and_errors(api, make_token, account):
    ingest = make_token("ingest")
    reader = make_token("client", accounts=["4000"])
    assert (
        api(
            "post",
            "/api/v1/ingest/calls",
            ingest,
            json={"calls": [a_call(started_at=timezone.now().isoformat())]},
        ).status_code
        == 200
    )
    put = api(
        "put", "/api/v1/ingest/calls/15319140/recording", ingest, data=wav_bytes(),
        content_type="audio/wav",
    )  # fmt: skip
    assert put.status_code in (200, 201)
    listed = api("get", "/api/v1/accounts/4000/calls", reader)
    [call] = listed.json()["results"]
    answers = {
        "list": listed,
        "messages": api("get", "/api/v1/accounts/4000/messages", reader),
        "billable": api("get", "/api/v1/accounts/4000/billable", reader),
        "recording": api("get", call["recording_url"], reader),
        "on call (the dispatch's own view)": api("get", "/api/v1/accounts/4000/oncall", reader),
        "openapi": api("get", "/api/v1/openapi.json"),
        "401": api("get", "/api/v1/accounts/4000/calls"),
        "403": api("get", "/api/v1/accounts/5000/calls", reader),
        "404": api("get", "/api/v1/accounts/4000/calls/nope/recording", reader),
        "422": api("get", "/api/v1/accounts/4000/messages?limit=501", reader),
        "400": api("post", "/api/v1/ingest/calls", ingest, data="{not json"),
        "422 body": api("post", "/api/v1/ingest/calls", ingest, json={"calls": [{"x": 1}]}),
        "401 on call": api("get", "/api/v1/accounts/4000/oncall"),
    }
    expected = {"list": 200, "messages": 200, "billable": 200, "recording": 200,
                "on call (the dispatch's own view)": 200, "openapi": 200, "401": 401,
                "403": 403, "404": 404, "422": 422, "400": 400, "422 body": 422,
                "401 on call": 401}  # fmt: skip
    assert {k: r.status_code for k, r in answers.items()} == expected
    for name, response in answers.items():
        assert response["Cache-Control"] == "no-store", name
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)


def test_static_files_are_not_no_store(client):
    response = client.get(static("portal/portal.css"))
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
