from django.conf import settings

from portal.accounts import viewas
from portal.accounts.middleware import seconds_left
from portal.accounts.tenancy import request_accounts


def portal(request):
    accounts = request_accounts(request)
    return {
        "account": getattr(request, "account", None),
        "membership": getattr(request, "membership", None),
        # Staff viewing an account as the client: the banner of every page.
        "view_as": viewas.active(request),
        "my_accounts": accounts,
        "PORTAL": settings.PORTAL,
        "IDLE_MINUTES": settings.SESSION_COOKIE_AGE // 60,
        # The idle warning (partials/idle_warning.html): seconds until the logoff.
        "SESSION_SECONDS_LEFT": seconds_left(request),
        "SESSION_WARNING_SECONDS": settings.SESSION_WARNING_SECONDS,
    }
