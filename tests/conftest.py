"""Shared fixtures: the three people every view is tested with, and a real browser.

- `member`: a client admin of `account` ("4000");
- `outsider`: a member of `other_account` only ("5000");
- an anonymous visitor is just the plain `client`.
"""

import functools
import os
import socket
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _static_sources():
    root = Path(__file__).resolve().parent.parent / "portal"
    return [p for p in root.glob("**/static/**/*") if p.is_file()]


def _serve_static_files_as_in_production():
    """pytest-django's live server answers /static/ itself from the apps' folders, by the
    files' plain names; pages name them by their hash. Let WhiteNoise (in the middleware)
    serve them, as it does in production."""
    import django.contrib.staticfiles.handlers as handlers

    handlers.StaticFilesHandler = lambda application: application


_serve_static_files_as_in_production()


# --- The task queue and the cache on Redis (tests/taskqueue.py) --------------------------


def pytest_configure(config):
    from tests import taskqueue

    taskqueue.choose()  # the controller chooses; xdist workers read its choice
    taskqueue.configure()
    taskqueue.commit_as_in_production()


def pytest_unconfigure(config):
    from tests import taskqueue

    taskqueue.stop_server()  # only the process that started a redis-server has one


def pytest_report_header(config):
    from tests import taskqueue

    return [taskqueue.header()]


@pytest.fixture(scope="session", autouse=True)
def _task_worker():
    """This process's embedded Celery worker (tests/taskqueue.py), when there is a Redis."""
    from tests import taskqueue

    if not taskqueue.REDIS_URL:
        yield None
        return
    with taskqueue.start_worker() as worker:
        yield worker


@pytest.fixture(autouse=True)
def _tasks_and_cache_per_test(_task_worker):
    """Each test's tasks have run when it ends (those sent for later are revoked), and the
    cache is empty for the next test."""
    from tests import taskqueue

    yield
    taskqueue.end_of_test()
    taskqueue.clear_cache()


@pytest.fixture
def tasks_in_process(settings):
    """Tasks run in the caller (eager), as without Redis: a failure is raised there."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def tasks_done():
    """tasks_done(): wait until this process's queued tasks have run."""
    from tests import taskqueue

    return taskqueue.tasks_done


def _uncollected(manifest: Path) -> bool:
    """Whether a static file of an installed app (a new app's, e.g. ninja's Swagger UI) is
    missing from the manifest: their files are older than the manifest."""
    import json

    from django.contrib.staticfiles.finders import get_finders

    collected = json.loads(manifest.read_text()).get("paths", {})
    return any(
        path not in collected
        for finder in get_finders()
        for path, _storage in finder.list(["CVS", ".*", "*~"])
    )


@pytest.fixture(scope="session", autouse=True)
def _collected_static_files():
    """Pages name static files by their hash (the manifest collectstatic writes; `make` runs
    it). A test run after an edit of the portal's CSS or script collects them again first,
    so that the browser tests see the edit."""
    import fcntl

    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    # With pytest-xdist several processes start at once: one collects, the others wait.
    with open(Path(settings.STATIC_ROOT) / ".collect.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        newest = max((p.stat().st_mtime for p in _static_sources()), default=0)
        if not manifest.exists() or manifest.stat().st_mtime < newest or _uncollected(manifest):
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, tmp_path):
    # Argon2 is the real hasher (see settings); tests that check it set it back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # A page request activates its language for the thread (as each request does in
    # production); a test that asked for French must not leave it to the next test.
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_account(db):
    from portal.accounts.models import Account

    def make(number="4000", name="TEST", **kw):
        kw.setdefault("billing_number", f"78{number}")
        kw.setdefault("timezone", "America/Toronto")
        kw.setdefault("language", "en")
        return Account.objects.create(number=number, name=name, **kw)

    return make


@pytest.fixture
def make_user(db):
    from portal.accounts.models import Membership, User

    def make(username, *accounts, role=Membership.ADMIN, password="correct horse 42", **kw):
        user = User.objects.create_user(username=username, password=password, **kw)
        for account in accounts:
            Membership.objects.create(user=user, account=account, role=role)
        return user

    return make


@pytest.fixture
def account(make_account):
    return make_account("4000", "TEST")


@pytest.fixture
def other_account(make_account):
    return make_account("5000", "OTHER", language="fr")


@pytest.fixture
def member(make_user, account):
    return make_user("member", account)


@pytest.fixture
def outsider(make_user, other_account):
    return make_user("outsider", other_account)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def outsider_client(outsider):
    from django.test import Client

    c = Client()
    c.force_login(outsider)
    return c


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's `admin_client` (a client of its own, beside `client`), signed in with
    the second factor the back office requires (tests/twofactor.py: staff_login)."""
    from django.test import Client

    from tests.twofactor import staff_login

    return staff_login(Client(), admin_user)


@pytest.fixture
def anon_client():
    from django.test import Client

    return Client()


# --- API -------------------------------------------------------------------------------


@pytest.fixture
def make_token(db):
    from portal.api.services import create_token

    def make(scope="ingest", accounts=(), name=None):
        _token, raw = create_token(name or f"test-{scope}", scope, list(accounts))
        return raw

    return make


@pytest.fixture
def api(client):
    """Call the API with a token: api("post", "/api/v1/ingest/calls", token, json=...)."""
    import json as _json

    def call(
        method, path, token=None, json=None, data=None, content_type="application/json", **extra
    ):
        headers = {}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        body = data if data is not None else (_json.dumps(json) if json is not None else None)
        fn = getattr(client, method.lower())
        if body is None:
            return fn(path, **headers, **extra)
        return fn(path, body, content_type=content_type, **headers, **extra)

    return call


# --- Browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}


def _new_page(browser, viewport, locale, **kw):
    context = browser.new_context(viewport=viewport, locale=locale, **kw)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return context, pg


@pytest.fixture
def page(browser, request):
    context, pg = _new_page(browser, {"width": 1280, "height": 900}, "en-US")
    yield pg
    context.close()


@pytest.fixture
def new_page(browser):
    """new_page(phone=False, locale="en-US"): a page in a fresh browser context (its own
    cookies): a 1366 px desktop, or a 375 x 812 phone (touch, mobile) when phone=True."""
    contexts = []

    def make(phone=False, locale="en-US"):
        if phone:
            context, pg = _new_page(
                browser, PHONE, locale, is_mobile=True, has_touch=True, device_scale_factor=2
            )
        else:
            context, pg = _new_page(browser, DESKTOP, locale)
        contexts.append(context)
        return pg

    yield make
    for context in contexts:
        context.close()


AXE_JS = Path(__file__).resolve().parent.parent / ".venv/axe/node_modules/axe-core/axe.min.js"


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, context=None) -> list[dict]:
    """Run axe-core (the npm package, installed by `make axe`) in the page as it is now;
    the violations of the WCAG 2.x A/AA rules and axe's best practices."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, which the pages' Content-Security-
        # Policy (script-src 'self') does not govern; add_script_tag would be refused by it.
        page.evaluate(_axe_source())
    return page.evaluate(
        """async (ctx) => {
            const r = await axe.run(ctx || document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }""",
        context,
    )


def assert_axe_clean(page, context=None):
    """Fail with a readable list when axe-core finds any violation on the page."""
    found = axe_violations(page, context)
    assert not found, (
        "axe-core violations on "
        + page.url
        + ":\n"
        + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
            for v in found
        )
    )


@pytest.fixture
def axe():
    """axe(page[, css selector]): fails the test on any accessibility violation."""
    return assert_axe_clean


def screenshot(page, name: str) -> Path:
    """Save a screenshot as a test artefact (artifacts/screenshots/NAME.png)."""
    out = ARTIFACTS / "screenshots" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=True)
    return out


@pytest.fixture
def shoot():
    return screenshot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
