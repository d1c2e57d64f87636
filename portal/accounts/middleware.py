import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import translation

from portal.accounts.models import Account
from portal.accounts.tenancy import ACCOUNT_KWARG, membership_for

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
        accounts = Account.objects.filter(memberships__user=user)
        if match:
            accounts = accounts.filter(number=match.group(1))
        language = accounts.order_by("number").values_list("language", flat=True).first()
        if language in SUPPORTED:
            return language
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates the language for the request (runs after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = pick_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        number = view_kwargs.get(ACCOUNT_KWARG)
        if number is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for(request.user, number)
        request.membership = membership
        request.account = membership.account
        return None
