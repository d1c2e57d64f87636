"""Resolving the account in the URL, once.

Every client page lives under /a/<account_number>/. `TenantMiddleware` resolves the
account from the signed-in user's memberships before the view runs: a signed-out visitor
is sent to the sign-in page; anyone else who is not a member gets the same 404 as a page
that does not exist. Views then use `request.account` and `request.membership`.
Staff viewing an account as the client (accounts.viewas) reach that account's pages by the
grant in their session, with no membership (`request.membership` is None, `request.view_as`
the grant), read-only.
"""

from django.http import Http404

from portal.accounts import viewas
from portal.accounts.models import Account, Membership

ACCOUNT_KWARG = "account_number"


def request_memberships(request) -> list[Membership]:
    """The signed-in user's memberships with their accounts, by account number, read once per
    request: the language, the tenancy check, the account switcher and the search forms all
    need them (they were three queries a page)."""
    user = getattr(request, "user", None)
    user_pk = user.pk if user is not None and user.is_authenticated else None
    memo = getattr(request, "_portal_memberships", None)
    if memo is not None and memo[0] == user_pk:  # the same user (login/logout changes it)
        return memo[1]
    memberships = []
    if user_pk is not None:
        memberships = list(
            Membership.objects.filter(user=user)
            .select_related("account")
            .order_by("account__number")
        )
    request._portal_memberships = (user_pk, memberships)
    return memberships


def request_accounts(request) -> list[Account]:
    """The accounts the signed-in user may see, in order (see request_memberships). Staff
    viewing an account as the client see that account alone (accounts.viewas)."""
    grant = viewas.active(request)
    if grant is not None:
        return [grant.account]
    return [m.account for m in request_memberships(request)]


def request_membership(request, number: str) -> Membership:
    """The user's membership in account `number`, or 404 (missing and forbidden look alike)."""
    for membership in request_memberships(request):
        if membership.account.number == number:
            return membership
    raise Http404
