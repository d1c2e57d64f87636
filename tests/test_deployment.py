"""Production settings (the contract's "Production"; README, "Production settings").

Settings are read once per process, so each case runs `manage.py` (or a short script) in a
subprocess with exactly the environment it names: no PORTAL_DEV, no DEBUG, a fresh
PORTAL_DATA_DIR, SQLite, and nothing inherited from the test run."""

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "portal.example.com"


def production(tmp_path, **env) -> dict:
    """The README's production settings, on a fresh data directory."""
    base = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "PORTAL_STATIC_ROOT": os.environ.get("PORTAL_STATIC_ROOT", str(ROOT / "var" / "static")),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "PORTAL_HTTPS": "1",
    }
    base.update(env)
    return {k: v for k, v in base.items() if v is not None}


def manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def python(env, code, timeout=120):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup()\n"
)


# check --deploy ---------------------------------------------------------------------------


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path):
    result = manage(production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_fails_without_portal_https(tmp_path):
    """The test above would pass for nothing if check --deploy could not fail."""
    result = manage(
        production(tmp_path, PORTAL_HTTPS=None), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


# PORTAL_HTTPS ------------------------------------------------------------------------------

HTTPS_SCRIPT = (
    SETUP
    + """
import json
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="portal.example.com")
plain = c.get("/login/")
proxied = Client(HTTP_HOST="portal.example.com", HTTP_X_FORWARDED_PROTO="https")
page = proxied.get("/login/")
chosen = proxied.post("/language/", {"language": "fr", "next": "/login/"})
cookies = {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])}
           for name, m in proxied.cookies.items()}
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "page": page.status_code,
    "hsts": page.headers.get("Strict-Transport-Security", ""),
    "frame": page.headers.get("X-Frame-Options", ""),
    "chosen": chosen.status_code,
    "cookies": cookies,
    "secure": page.wsgi_request.is_secure(),
}))
"""
)


def test_portal_https_redirects_sends_hsts_and_secure_cookies(tmp_path):
    env = production(tmp_path)
    assert manage(env, "migrate", "-v", "0").returncode == 0
    result = python(env, HTTPS_SCRIPT)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # plain HTTP goes to HTTPS
    assert seen["plain"] == [301, f"https://{HOST}/login/"]
    # behind the proxy (X-Forwarded-Proto: https) the page is served, as HTTPS
    assert seen["page"] == 200 and seen["secure"] is True
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["frame"] == "DENY"
    assert seen["chosen"] == 302
    # the session (the anonymous language choice), CSRF and language cookies: HTTPS only
    assert {"sessionid", "csrftoken", "django_language"} <= set(seen["cookies"])
    assert all(c["secure"] for c in seen["cookies"].values()), seen["cookies"]
    assert seen["cookies"]["sessionid"]["httponly"] is True


def test_without_portal_https_nothing_is_forced(tmp_path):
    """`make run` on http://127.0.0.1:8000: no redirect, no HSTS, cookies over HTTP."""
    env = production(tmp_path, PORTAL_HTTPS=None, ALLOWED_HOSTS=f"{HOST},testserver")
    assert manage(env, "migrate", "-v", "0").returncode == 0
    result = python(env, HTTPS_SCRIPT)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [200, ""]
    assert seen["hsts"] == "" and seen["secure"] is False
    assert not any(c["secure"] for c in seen["cookies"].values()), seen["cookies"]


# The secret key ----------------------------------------------------------------------------

PRINT_KEY = SETUP + "from django.conf import settings; print(settings.SECRET_KEY)"


def test_production_without_a_key_refuses_to_start_and_says_why(tmp_path):
    env = production(tmp_path, SECRET_KEY=None)
    result = manage(env, "check")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: No secret key")
    assert "SECRET_KEY" in last and "PORTAL_SECRET_KEY_FILE" in last
    assert str(tmp_path / "data" / "secret_key") in last
    assert not (tmp_path / "data" / "secret_key").exists()  # none made up in production
    # the WSGI application (gunicorn) refuses the same way
    result = python(env, "import portal.wsgi")
    assert result.returncode != 0 and "No secret key" in result.stderr


@pytest.mark.parametrize(
    "key, says",
    [
        ("dev-only-insecure-key-change-me-in-production", "built-in development key"),
        ("bench-only", "too weak (10 characters)"),
        ("a" * 60, "too weak"),
    ],
)
def test_production_refuses_the_development_key_and_weak_keys(tmp_path, key, says):
    result = manage(production(tmp_path, SECRET_KEY=key), "check")
    assert result.returncode != 0
    assert says in result.stderr.strip().splitlines()[-1]


def test_development_generates_a_private_key_once_and_keeps_it(tmp_path):
    env = production(tmp_path, SECRET_KEY=None, PORTAL_HTTPS=None, PORTAL_DEV="1")
    first = python(env, PRINT_KEY)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = first.stdout.strip()
    assert len(key) >= 50 and key_file.read_text().strip() == key
    again = python(env, PRINT_KEY)
    assert again.stdout.strip() == key
    # DEBUG=1 is a development setup too
    debug = python({**env, "PORTAL_DEV": "0", "DEBUG": "1"}, PRINT_KEY)
    assert debug.stdout.strip() == key
    # once the documented key file exists, production starts with it
    prod = production(tmp_path, SECRET_KEY=None)
    assert python(prod, PRINT_KEY).stdout.strip() == key
    assert manage(prod, "check", "--deploy", "--fail-level", "WARNING").returncode == 0


def test_a_key_file_named_by_portal_secret_key_file(tmp_path):
    key = secrets.token_urlsafe(64)
    path = tmp_path / "portal.key"
    path.write_text(key + "\n")
    env = production(tmp_path, SECRET_KEY=None, PORTAL_SECRET_KEY_FILE=str(path))
    result = python(env, PRINT_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key
    # SECRET_KEY wins over the file
    other = secrets.token_urlsafe(64)
    assert python({**env, "SECRET_KEY": other}, PRINT_KEY).stdout.strip() == other
    # a file named but missing: refused, naming it
    missing = manage({**env, "PORTAL_SECRET_KEY_FILE": str(tmp_path / "nowhere")}, "check")
    assert missing.returncode != 0
    assert f"PORTAL_SECRET_KEY_FILE names {tmp_path / 'nowhere'}" in missing.stderr
    # an empty file: refused
    path.write_text("")
    empty = manage(env, "check")
    assert empty.returncode != 0 and "is empty" in empty.stderr


def test_the_test_run_itself_does_not_use_the_old_built_in_key(settings):
    from portal import secretkey

    assert settings.SECRET_KEY != secretkey.BUILT_IN_DEVELOPMENT_KEY
    assert len(settings.SECRET_KEY) >= 50


# Demo data ---------------------------------------------------------------------------------


def test_migrating_loads_no_demo_data_and_seed_demo_refuses_in_production(tmp_path):
    env = production(tmp_path)
    migrated = manage(env, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    count = SETUP + (
        "from portal.accounts.models import Account, User\n"
        "print(User.objects.count(), Account.objects.count())"
    )
    assert python(env, count).stdout.split() == ["0", "0"]
    refused = manage(env, "seed_demo", "--if-empty", "--days", "1")
    assert refused.returncode != 0
    assert "not a development setup" in refused.stderr
    assert "--yes-demo" in refused.stderr
    assert "demo-portal-2026" not in refused.stdout + refused.stderr
    assert python(env, count).stdout.split() == ["0", "0"]
    # asked for in so many words, it loads
    loaded = manage(env, "seed_demo", "--days", "1", "--yes-demo", "-v", "0", timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo-portal-2026" in loaded.stdout
    users, accounts = python(env, count).stdout.split()
    assert int(users) >= 3 and int(accounts) >= 3


def test_the_demo_loads_on_a_development_setup_as_make_run_does(tmp_path):
    """`make run` runs `seed_demo --if-empty` with PORTAL_DEV=1 (the Makefile exports it)."""
    makefile = (ROOT / "Makefile").read_text()
    assert "export PORTAL_DEV ?= 1" in makefile
    assert "seed_demo --if-empty" in makefile
    env = production(tmp_path, SECRET_KEY=None, PORTAL_HTTPS=None, PORTAL_DEV="1")
    assert manage(env, "migrate", "-v", "0").returncode == 0
    loaded = manage(env, "seed_demo", "--if-empty", "--days", "1", "-v", "0", timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo-portal-2026" in loaded.stdout


@pytest.mark.django_db
def test_a_freshly_migrated_database_has_no_demo_logins():
    from portal.accounts.models import Account, User

    assert not User.objects.filter(username__in=["demo", "clinic", "staff"]).exists()
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_in_process_outside_development(settings):
    from django.core.management import CommandError, call_command

    from portal.accounts.models import User

    settings.DEBUG = False
    settings.PORTAL_DEV = False
    with pytest.raises(CommandError, match="--yes-demo"):
        call_command("seed_demo", days=1)
    assert not User.objects.exists()
