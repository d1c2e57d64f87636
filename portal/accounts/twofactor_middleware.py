"""Two-step verification before any page: a login that must use it and has not set it up is
sent to set it up; a session signed in without its code (one from before the login turned it
on elsewhere) is signed out. See portal.accounts.twofactor."""

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from portal.accounts import twofactor
from portal.accounts.signedout import is_background, page_url
from portal.accounts.tenancy import request_accounts

# What a login still without its second factor may open: signing in and out, the language,
# the idle warning's answers, and the setup pages themselves.
OPEN = ("/api/", "/static/", "/login/", "/logout/", "/language/", "/session/", "/two-factor/")


def _go(request, url: str) -> HttpResponse:
    if not is_background(request):
        return HttpResponseRedirect(url)
    response = HttpResponse(status=401)
    response["HX-Redirect"] = url
    response["Cache-Control"] = "no-store"
    return response


class TwoFactorMiddleware:
    """Runs after django-otp's OTPMiddleware (which gives request.user its is_verified())."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.gate(request) or self.get_response(request)

    def gate(self, request):
        user = getattr(request, "user", None)
        if user is None or request.path_info.startswith(OPEN) or not user.is_authenticated:
            return None
        if user.is_verified():
            return None
        query = urlencode({"next": page_url(request)})
        if twofactor.is_on(user):
            logout(request)
            return _go(request, f"{resolve_url(settings.LOGIN_URL)}?{query}")
        if twofactor.required_for(user, request_accounts(request)):
            return _go(request, f"{reverse('two_factor_setup')}?{query}")
        return None
