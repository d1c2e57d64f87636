"""Dates at the ends of the calendar (years 1 and 9999), where Python cannot even add a day
or change zones: a clear refusal or today's page, never a 500 (portal.dates)."""

import pytest

from tests.calls.helpers import make_call, make_message

pytestmark = pytest.mark.django_db

FAR = ["9999-12-31", "0001-01-01"]
FAR_INSTANTS = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00%2B14:00"]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize(
    "path",
    [
        "/a/4000/messages/?filtered=1&options=open&start={day}",
        "/a/4000/messages/?filtered=1&options=open&end={day}",
        "/a/4000/calls/?preset=dates&start_date={day}",
        "/a/4000/calls/?preset=dates&end_date={day}",
        "/a/4000/calls/excel/?preset=dates&end_date={day}",
        "/a/4000/stats/?start={day}&end={day}",
        "/a/4000/billable/?start={day}&end={day}",
        "/a/4000/billable/?start={day}",
        "/a/4000/oncall/?date={day}",
    ],
)
def test_a_far_date_on_a_page_is_never_a_500(member_client, account, path, day):
    make_message(account)
    make_call(account)
    r = member_client.get(path.format(day=day))
    assert r.status_code in (200, 302, 400), r.status_code  # 400: the form, with its message


@pytest.mark.parametrize("since", FAR_INSTANTS)
def test_a_far_since_on_the_live_inbox_is_no_500(member_client, account, since):
    r = member_client.get(f"/a/4000/messages/new/?since={since}")
    assert r.status_code == 200


def test_a_far_date_in_the_message_form_says_why(member_client, account):
    html = member_client.get("/a/4000/messages/?filtered=1&options=open&end=9999-12-31")
    assert "Choose a date between the years 1900 and 2999." in html.content.decode()


@pytest.mark.parametrize("value", FAR + FAR_INSTANTS)
def test_a_far_date_on_billable_calls_is_no_500(api, make_token, account, value):
    """Billable calls keep to the last 60 days: a date before is brought within, a date
    beyond the portal's years is refused."""
    r = api("get", f"/api/v1/accounts/4000/billable?start={value}&end={value}",
            make_token("client", [account]))  # fmt: skip
    assert r.status_code < 500


@pytest.mark.parametrize("value", FAR + FAR_INSTANTS + ["9999-12-31T23:00:00"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/4000/messages?start={v}",
        "/api/v1/accounts/4000/messages?end={v}",
        "/api/v1/accounts/4000/calls?start={v}",
        "/api/v1/accounts/4000/calls?end={v}",
        "/api/v1/statistics?accounts=4000&start={v}&end={v}",
        "/api/v1/accounts/4000/oncall?at={v}",
    ],
)
def test_a_far_date_in_the_api_is_a_4xx(api, make_token, account, path, value):
    scope = "oncall:read" if "oncall" in path else "client"
    r = api("get", path.format(v=value), make_token(scope, [account]))
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])


@pytest.mark.parametrize(
    "path",
    [
        "/a/4000/billable/email/?start=0001-01-01&end=0001-02-01",
        "/a/4000/calls/email/?preset=dates&end_date=9999-12-31",
        "/a/4000/stats/email/?start=9999-12-31&end=9999-12-31",
        "/a/4000/messages/export/?filtered=1&options=open&end=9999-12-31",
    ],
)
def test_a_far_date_on_a_form_post_is_never_a_500(member_client, account, path):
    r = member_client.post(path, {"to": "someone@example.com", "format": "csv"})
    assert r.status_code in (200, 302, 400), r.status_code
