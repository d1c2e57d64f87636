"""The scheduled reports' unsubscribe link: no sign-in, no account in the path (the signed
token says which subscription and address; portal.stats.subscriptions)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.stats import subscriptions


def _language(request, language: str) -> None:
    """The e-mail's language, unless this browser or login chose one."""
    user = getattr(request, "user", None)
    chose = (user is not None and user.is_authenticated and user.language) or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME
    )
    if chose not in ("fr", "en"):
        translation.activate(language)
        request.LANGUAGE_CODE = language


# The token is the credential, and mail programs' one-click POST (RFC 8058) carries no CSRF
# token; GET only shows the button, so that link scanners unsubscribe nobody.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    read = subscriptions.read_token(token)
    if read is None:
        raise Http404
    pk, address, language = read
    _language(request, language)
    if request.method == "POST":
        sub = subscriptions.unsubscribe(pk, address, request=request)
        state = "done" if sub is not None else "gone"
    else:
        sub = subscriptions.is_subscribed(pk, address)
        state = "confirm" if sub is not None else "gone"
    return render(
        request,
        "stats/unsubscribe.html",
        {"state": state, "sub": sub, "address": address},
    )


urlpatterns = [
    path("reports/unsubscribe/<str:token>/", unsubscribe, name="report_unsubscribe"),
]
