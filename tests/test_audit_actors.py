"""Who the audit trail names (contract, "Audit trail": `actor` is a user name or
"api:<token name>"): an API request is its token's, for writes (ingest, provisioning) as for
reads, even when the same client also carries a signed-in session's cookie."""

import json

import pytest

from portal.accounts.models import AuditLog
from tests.api.helpers import CALLS, a_call

pytestmark = pytest.mark.django_db


def post(client, token, path, body):
    return client.post(
        path, json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_an_api_write_is_the_tokens(client, make_token, account):
    token = make_token("ingest", name="platform")
    assert post(client, token, CALLS, {"calls": [a_call("1")]}).status_code == 200
    entry = AuditLog.objects.get(action="api.ingest.calls")
    assert (entry.actor, entry.user_id) == ("api:platform", None)


def test_an_api_request_with_a_session_cookie_too_is_still_the_tokens(
    member_client, make_token, account
):
    token = make_token("ingest", name="platform")
    assert post(member_client, token, CALLS, {"calls": [a_call("2")]}).status_code == 200
    write = AuditLog.objects.get(action="api.ingest.calls")
    assert (write.actor, write.user_id) == ("api:platform", None)
    reader = make_token("client", accounts=[account], name="crm")
    answer = member_client.get("/api/v1/accounts/4000/calls", HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert answer.status_code == 200
    read = AuditLog.objects.get(action="call.search")
    assert (read.actor, read.user_id) == ("api:crm", None)


def test_a_page_is_the_persons(member_client, member, account):
    assert member_client.get("/a/4000/").status_code == 200
    entry = AuditLog.objects.get(action="home.view")
    assert (entry.actor, entry.user_id) == ("member", member.pk)
