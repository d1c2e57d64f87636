"""create_api_token NAME --scope SCOPE [--account NUMBER ...]: prints the token once."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.models import AuditLog
from portal.api.models import ApiToken
from tests.api.helpers import CALLS, a_call

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def create(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_printed_token_works_and_only_its_hash_is_stored(api, account):
    raw, message = create("platform", "--scope", "ingest")
    assert raw.startswith("pt_") and len(raw) > 30
    assert "shown once" in message
    token = ApiToken.objects.get(name="platform")
    assert token.scope == "ingest"
    assert token.token_hash == ApiToken.hash(raw) and raw not in (token.token_hash, token.prefix)
    assert api("post", CALLS, raw, json={"calls": [a_call()]}).status_code == 200
    assert AuditLog.objects.filter(action="token.create", object_id=str(token.pk)).exists()


def test_a_client_token_is_limited_to_its_accounts(api, account, other_account):
    raw, _ = create("portal-widget", "--scope", "client", "--account", "5000")
    assert list(ApiToken.objects.get().accounts.values_list("number", flat=True)) == ["5000"]
    assert api("get", "/api/v1/accounts/4000/oncall", raw).status_code == 403


def test_several_accounts(account, other_account):
    create("dispatch", "--scope", "oncall:write", "--account", "4000", "--account", "5000")
    assert sorted(ApiToken.objects.get().accounts.values_list("number", flat=True)) == [
        "4000",
        "5000",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["x", "--scope", "client"], "needs at least one --account"),
        (["x", "--scope", "oncall:write"], "needs at least one --account"),
        (["x", "--scope", "ingest", "--account", "9999"], "Unknown account(s): 9999"),
        (["  ", "--scope", "ingest"], "The name must be"),
    ],
)
def test_refusals_store_no_token(account, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create(*args)
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused_by_the_command_line(account):
    with pytest.raises(CommandError):
        create("x", "--scope", "admin")
    assert not ApiToken.objects.exists()


def test_help_names_the_scopes():
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_token", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for word in ("--scope", "--account", "ingest", "provision", "oncall:read", "client"):
        assert word in result.stdout
