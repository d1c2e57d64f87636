import re
import time

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, QueryDict
from django.utils import timezone, translation

from portal.accounts.tenancy import ACCOUNT_KWARG, request_accounts, request_membership

SUPPORTED = {code for code, _name in settings.LANGUAGES}
ACCOUNT_IN_PATH = re.compile(r"^/a/([^/]+)/")
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


def pick_language(request) -> str:
    """User, then session/cookie, then the account's language, then the browser."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    chosen = request.COOKIES.get(LANGUAGE_COOKIE)
    if chosen in SUPPORTED:
        return chosen
    if user is not None and user.is_authenticated:
        match = ACCOUNT_IN_PATH.match(request.path_info)
        accounts = request_accounts(request)
        if match:
            accounts = [a for a in accounts if a.number == match.group(1)]
        if accounts and accounts[0].language in SUPPORTED:
            return accounts[0].language
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


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
                from portal.api.urls import error_response

                return error_response(404, "Not found.")
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
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # --- times in the account's zone (see process_view) ---

    def process_view(self, request, view_func, view_args, view_kwargs):
        number = view_kwargs.get(ACCOUNT_KWARG)
        if number is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = request_membership(request, number)
        request.membership = membership
        request.account = membership.account
        # --- times in the account's zone: every time a client page shows ({{ x|date }},
        # forms, messages) is read in the account's time zone, not the server's UTC ---
        timezone.activate(membership.account.tz)
        return None


class IdleSessionMiddleware:
    """A session ends after SESSION_COOKIE_AGE without activity.

    Instead of writing the session on every request, activity pushes the expiry forward at
    most once a minute (the session may end up to a minute early, never late). Background
    requests (the inbox's live polling, marked with the X-Portal-Background header) are not
    activity, so an open tab does not keep a session alive forever.
    """

    REFRESH_SECONDS = 60
    KEY = "_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        if request.headers.get("X-Portal-Background") == "1":
            return response
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= self.REFRESH_SECONDS:
            session[self.KEY] = now
        return response


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
