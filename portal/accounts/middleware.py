import re
import time

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.translation import trans_real

from portal.accounts import throttle, viewas
from portal.accounts.signedout import BACKGROUND_HEADER, IDLE_ENDED, MAX_ENDED, signed_out
from portal.accounts.tenancy import ACCOUNT_KWARG, request_accounts, request_membership

SUPPORTED = {code for code, _name in settings.LANGUAGES}
ACCOUNT_IN_PATH = re.compile(r"^/a/([^/]+)/")
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


def browser_language(request) -> str | None:
    """The first language of the browser's Accept-Language that the portal speaks."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def pick_language(request) -> str:
    """The language of a page, the first of:

    1. the login's own choice (Settings, the language buttons, or the sign-in page's buttons,
       stored on the login when signing in);
    2. the language cookie: the language buttons' choice in this browser, also before
       signing in;
    3. the browser's language (Accept-Language), when it names French or English;
    4. the account's language (the account in the path, else the login's first one):
       only for a login that never chose, in a browser that named neither language;
    5. English.
    So the language of the sign-in page holds after signing in and on every account.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    chosen = request.COOKIES.get(LANGUAGE_COOKIE)
    if chosen in SUPPORTED:
        return chosen
    browser = browser_language(request)
    if browser:
        return browser
    if user is not None and user.is_authenticated:
        match = ACCOUNT_IN_PATH.match(request.path_info)
        accounts = request_accounts(request)
        if match:
            accounts = [a for a in accounts if a.number == match.group(1)]
        if accounts and accounts[0].language in SUPPORTED:
            return accounts[0].language
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates the language for the request (runs after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            # The API speaks the contract's English; the dispatch's hot path skips the look-up.
            return self.get_response(request)
        language = pick_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response


class NulMiddleware:
    """NUL characters (%00), which no stored text holds and PostgreSQL refuses outright.

    Cookies holding one are dropped (it runs before the session middleware). A path holding
    one names nothing: 404 before any view (the API's in its JSON shape), so
    that no view stores such a name or fails on it. On the portal's pages, NULs are taken out
    of the query and form values (a search with one searches without it); the API validates
    its own input and answers the contract's errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [n for n, v in request.COOKIES.items() if "\x00" in n or "\x00" in v]:
            del request.COOKIES[name]  # a session or CSRF cookie no server ever set
        path = request.path_info
        if "\x00" in path:
            if path.startswith("/api/"):
                from portal.api.errors import NOT_FOUND
                from portal.api.urls import error_response

                return error_response(404, NOT_FOUND)
            raise Http404
        if not path.startswith("/api/"):
            if "%00" in request.META.get("QUERY_STRING", ""):
                request.GET = _without_nul(request.GET)
            if request.method == "POST" and request.content_type in FORM_TYPES:
                if any("\x00" in k or "\x00" in "".join(v) for k, v in request.POST.lists()):
                    request.POST = _without_nul(request.POST)
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _without_nul(query: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True)
    for key, values in query.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    clean._mutable = False
    return clean


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.membership = None
        request.view_as = None
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # --- times in the account's zone (see process_view) ---

    def process_view(self, request, view_func, view_args, view_kwargs):
        number = view_kwargs.get(ACCOUNT_KWARG)
        if number is None:
            return None
        if not request.user.is_authenticated:
            return signed_out(request)
        grant = viewas.active(request)  # --- staff viewing as the client: read-only ---
        if grant is not None:
            if grant.account.number != number:
                raise Http404
            request.view_as = grant
            request.account = grant.account
            timezone.activate(grant.account.tz)
            return viewas.refuse(request, grant) if viewas.refuses(request, grant) else None
        membership = request_membership(request, number)
        request.membership = membership
        request.account = membership.account
        # --- times in the account's zone: every time a client page shows ({{ x|date }},
        # forms, messages) is read in the account's time zone, not the server's UTC ---
        timezone.activate(membership.account.tz)
        return None


LAST_SEEN = "_last_seen"
SIGNED_IN_AT = "_signed_in_at"  # the absolute lifetime (PORTAL_SESSION_MAX_SECONDS) counts from it


@receiver(user_logged_in)
def _session_starts(sender, request, user, **kwargs):
    if getattr(request, "session", None) is not None:
        request.session[SIGNED_IN_AT] = int(time.time())
        request.portal_signed_in = user  # IdleSessionMiddleware remembers the browser for it


def max_seconds_left(session) -> int | None:
    """Seconds until the session reaches its maximum length (None: no sign-in time kept)."""
    started = session.get(SIGNED_IN_AT)
    if started is None:
        return None
    return max(0, int(int(started) + settings.PORTAL_SESSION_MAX_SECONDS - time.time()))


def refresh_seconds() -> int:
    """How often activity pushes the idle deadline forward (once a minute; more often
    for a shorter SESSION_COOKIE_AGE)."""
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 15))


def seconds_left(request) -> int:
    """Seconds until the idle logoff of this request's session (0: signed out)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return 0
    last = int(session.get(LAST_SEEN, 0) or time.time())
    idle = max(0, int(last + settings.SESSION_COOKIE_AGE - time.time()))
    longest = max_seconds_left(session)
    return idle if longest is None else min(idle, longest)


def renew(request) -> int:
    """Activity now (the "Stay signed in" button): the idle deadline starts again."""
    request.session[LAST_SEEN] = int(time.time())
    longest = max_seconds_left(request.session)
    age = settings.SESSION_COOKIE_AGE
    return age if longest is None else min(age, longest)


class IdleSessionMiddleware:
    """A session ends after SESSION_COOKIE_AGE without activity.

    The last activity is kept in the session (LAST_SEEN) and the session ends once it is
    that old, whatever else saved the session since. Instead of writing the session on every
    request, activity pushes it forward at most once a minute (the session may end up to a
    minute early, never late; the pages' warning reads the same deadline, seconds_left).
    Background requests (the inbox's live polling, marked with the X-Portal-Background
    header) are not activity, so an open tab does not keep a session alive forever.

    Besides, a session ends PORTAL_SESSION_MAX_SECONDS (12 hours) after signing in, however
    active (SIGNED_IN_AT); the sign-in page then says the session reached its maximum length.
    """

    KEY = LAST_SEEN

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and SIGNED_IN_AT in session and max_seconds_left(session) <= 0:
            logout(request)  # signed in too long ago, however active
            request.session[MAX_ENDED] = True  # the sign-in page says why
            request.session_max_ended = True
        elif session is not None and self.KEY in session:
            if time.time() - int(session[self.KEY]) >= settings.SESSION_COOKIE_AGE:
                logout(request)  # idle too long: flushed, request.user is anonymous
                request.session[IDLE_ENDED] = True  # the sign-in page says why
            else:
                self._touch(request)
        response = self.get_response(request)
        self._touch(request)  # a sign-in starts the clock
        if getattr(request, "portal_signed_in", None) is not None:
            throttle.remember_device(request, response, request.portal_signed_in)
        return response

    def _touch(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return
        if SIGNED_IN_AT not in session:  # a session from before the lifetime: it starts now
            session[SIGNED_IN_AT] = int(time.time())
        if request.headers.get(BACKGROUND_HEADER) == "1":
            return
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= refresh_seconds():
            session[self.KEY] = now


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, except for the API's JSON answers: a Content-Security-Policy
    is for HTML pages, and building one on every "who is on call" look-up costs the dispatch
    time."""

    def process_response(self, request, response):
        if request.path_info.startswith("/api/") and response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        return super().process_response(request, response)
