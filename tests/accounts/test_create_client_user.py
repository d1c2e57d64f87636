"""The operations command: create_client_user USERNAME --account N [--account N] [--role R]."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.accounts.models import Membership, User

ROOT = Path(__file__).resolve().parents[2]


def run(monkeypatch, *args, password="a long pass phrase 7"):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("create_client_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_login_for_two_accounts(monkeypatch, make_account):
    make_account("4000", "TEST")
    make_account("4100", "DEUX")
    out = run(monkeypatch, "marie", "--account", "4000", "--account", "4100", "--role", "admin")
    assert "Created marie (admin) for account(s) 4000, 4100." in out
    user = User.objects.get(username="marie")
    assert user.check_password("a long pass phrase 7")
    assert not user.is_staff
    roles = {(m.account.number, m.role) for m in user.memberships.all()}
    assert roles == {("4000", Membership.ADMIN), ("4100", Membership.ADMIN)}


def test_the_role_is_client_user_by_default(monkeypatch, account):
    run(monkeypatch, "paul", "--account", "4000")
    assert Membership.objects.get(user__username="paul").role == Membership.USER


def test_an_unknown_account_is_a_clear_error_and_creates_nothing(monkeypatch, account):
    with pytest.raises(CommandError, match="Unknown account: 9999"):
        run(monkeypatch, "paul", "--account", "4000", "--account", "9999")
    assert not User.objects.filter(username="paul").exists()


def test_a_taken_user_name_is_refused(monkeypatch, member):
    with pytest.raises(CommandError, match="already taken"):
        run(monkeypatch, "MEMBER", "--account", "4000")


def test_a_weak_password_is_refused(monkeypatch, account):
    with pytest.raises(CommandError, match="too short"):
        run(monkeypatch, "paul", "--account", "4000", password="abc")


def test_an_empty_password_is_refused(monkeypatch, account):
    with pytest.raises(CommandError, match="No password"):
        run(monkeypatch, "paul", "--account", "4000", password="")


def test_an_account_is_required(account):
    with pytest.raises(CommandError, match="--account"):
        call_command("create_client_user", "paul")


def test_help_works():
    result = subprocess.run(
        [sys.executable, "manage.py", "create_client_user", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--account NUMBER" in result.stdout
    assert "standard input" in result.stdout
    assert "{admin,user}" in result.stdout
