"""Resolving the account in the URL, once.

Every client page lives under /a/<account_number>/. `TenantMiddleware` resolves the
account from the signed-in user's memberships before the view runs: a signed-out visitor
is sent to the sign-in page; anyone else who is not a member gets the same 404 as a page
that does not exist. Views then use `request.account` and `request.membership`.
"""

from django.http import Http404

from portal.accounts.models import Account, Membership, User

ACCOUNT_KWARG = "account_number"


def membership_for(user: User, number: str) -> Membership:
    """The user's membership in account `number`, or 404 (missing and forbidden look alike)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("account").get(user=user, account__number=number)
    except Membership.DoesNotExist:
        raise Http404 from None


def user_accounts(user: User):
    """The accounts a login may see, in order."""
    if not user.is_authenticated:
        return Account.objects.none()
    return Account.objects.filter(memberships__user=user).order_by("number")
