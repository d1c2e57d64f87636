from django.conf import settings

from portal.accounts.tenancy import user_accounts


def portal(request):
    user = getattr(request, "user", None)
    accounts = list(user_accounts(user)) if user is not None else []
    return {
        "account": getattr(request, "account", None),
        "membership": getattr(request, "membership", None),
        "my_accounts": accounts,
        "PORTAL": settings.PORTAL,
        "IDLE_MINUTES": settings.SESSION_COOKIE_AGE // 60,
    }
