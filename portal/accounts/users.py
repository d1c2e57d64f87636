"""Client logins: created by the command line and the back office through one function."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts import audit
from portal.accounts.models import Account, Membership, User

ROLES = {Membership.ADMIN, Membership.USER}


def resolve_accounts(accounts: Iterable[str | Account]) -> list[Account]:
    """The accounts named by number (or given as objects); unknown numbers are an error."""
    given = list(accounts)
    numbers = [a for a in given if not isinstance(a, Account)]
    found = {a.number: a for a in Account.objects.filter(number__in=numbers)}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ValidationError(
            _("Unknown account: %(numbers)s") % {"numbers": ", ".join(unknown)},
            code="unknown_account",
        )
    return [a if isinstance(a, Account) else found[a] for a in given]


@transaction.atomic
def create_client_user(
    username: str,
    password: str,
    accounts: Iterable[str | Account],
    role: str = Membership.USER,
    *,
    request=None,
    actor: str = "",
    **fields,
) -> User:
    """Create a client login with a membership (of `role`) in each account.

    A staff login (`is_staff=True`) may have no account. Raises ValidationError with a message for the person (unknown account, taken user
    name, weak password, bad role) and changes nothing in that case.
    """
    username = username.strip()
    if not username:
        raise ValidationError(_("A user name is required."), code="username")
    if role not in ROLES:
        raise ValidationError(
            _("Unknown role: %(role)s (use admin or user)") % {"role": role}, code="role"
        )
    resolved = resolve_accounts(accounts)
    if not resolved and not fields.get("is_staff"):
        raise ValidationError(_("Give at least one account."), code="no_account")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("The user name %(username)s is already taken.") % {"username": username},
            code="username_taken",
        )
    user = User(username=username, **fields)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    Membership.objects.bulk_create(
        [Membership(user=user, account=account, role=role) for account in resolved]
    )
    for account in resolved:
        audit.record(
            "user.create", request=request, actor=actor, account=account, obj=user, role=role
        )
    return user
