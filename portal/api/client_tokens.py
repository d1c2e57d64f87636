"""A client admin's own API tokens (the Settings page's "API tokens" section).

A client admin makes read-only tokens (scope `client`) for accounts where they are admin, and
revokes them. Which tokens they see and may revoke: every `client` token, whoever made it (the
page, the back office, the command), that names at least one account and only accounts they
administer. Tokens of other scopes (the platform's ingest, provisioning, on-call tokens) are
the answering service's and stay out of their sight.

Both gestures go through `portal.api.services` (`create_token`, `revoke_tokens`: the command
and the back office use them too) and are audited once per account (`token.create`,
`token.revoke`, as the back office and create_api_token name them) with the token's name,
never its value.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.accounts import audit
from portal.accounts.models import Account, Membership
from portal.api import services
from portal.api.models import ApiToken
from portal.text import validate_single_line

# Active `client` tokens an account may have at once.
MAX_ACTIVE_PER_ACCOUNT = 20
# Revoked tokens the list still shows (the newest), under the active ones.
REVOKED_SHOWN = 20
NAME_MAX = 100

TOO_MANY = ngettext_lazy(
    "Account %(account)s already has %(count)d active API token: revoke one before making another.",
    "Account %(account)s already has %(count)d active API tokens: revoke one before making "
    "another.",
    "count",
)
NOT_ADMIN = _("You are not an admin of account %(value)s.")


def admin_accounts(user):
    """The accounts where `user` is a client admin."""
    return Account.objects.filter(
        memberships__user=user, memberships__role=Membership.ADMIN
    ).order_by("number")


def visible_tokens(user):
    """The `client` tokens `user` may see and revoke: at least one account, every one of
    them administered by `user`."""
    mine = admin_accounts(user).values("pk")
    return (
        ApiToken.objects.filter(scope=ApiToken.CLIENT)
        .annotate(
            n_accounts=Count("accounts", distinct=True),
            n_foreign=Count("accounts", filter=~Q(accounts__in=mine), distinct=True),
        )
        .filter(n_accounts__gt=0, n_foreign=0)
    )


def token_list(user) -> list[ApiToken]:
    """What the section lists: every active token, newest first, then the newest revoked."""
    tokens = visible_tokens(user).select_related("created_by").prefetch_related("accounts")
    active = list(tokens.filter(revoked_at=None).order_by("-created_at", "-pk"))
    revoked = list(tokens.exclude(revoked_at=None).order_by("-revoked_at", "-pk")[:REVOKED_SHOWN])
    return active + revoked


class ClientTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=NAME_MAX,
        validators=[validate_single_line],
        help_text=_("Who or what uses it, for example “Clinic records system”."),
        error_messages={"required": _("Give the token a name.")},
    )
    accounts = forms.ModelMultipleChoiceField(
        Account.objects.none(),
        label=_("Accounts it may read"),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="number",
        error_messages={
            "required": _("Tick at least one account."),
            "invalid_choice": NOT_ADMIN,
            "invalid_pk_value": NOT_ADMIN,
        },
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["accounts"].queryset = admin_accounts(user)
        self.fields["accounts"].label_from_instance = lambda account: account.label
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "maxlength": NAME_MAX})


def create(user, name: str, accounts, request=None) -> tuple[ApiToken, str]:
    """Make a read-only token for `accounts` (each administered by `user`); returns it and
    its value, shown once. Raises ValidationError (nothing made) when an account is not
    theirs or already has MAX_ACTIVE_PER_ACCOUNT active tokens."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(ClientTokenForm.base_fields["name"].error_messages["required"])
    validate_single_line(name)
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("The name must be at most %(max)d characters."), params={"max": NAME_MAX}
        )
    numbers = sorted({a.number for a in accounts})
    if not numbers:
        raise ValidationError(ClientTokenForm.base_fields["accounts"].error_messages["required"])
    with transaction.atomic():
        # Locked: two forms sent at once cannot both pass the cap.
        locked = list(
            admin_accounts(user).filter(number__in=numbers).select_for_update(of=("self",))
        )
        theirs = {a.number for a in locked}
        for number in numbers:
            if number not in theirs:
                raise ValidationError(NOT_ADMIN, params={"value": number})
        for account in locked:
            count = account.api_tokens.filter(scope=ApiToken.CLIENT, revoked_at=None).count()
            if count >= MAX_ACTIVE_PER_ACCOUNT:
                raise ValidationError(
                    TOO_MANY % {"account": account.label, "count": count}, code="too_many"
                )
        token, raw = services.create_token(name, ApiToken.CLIENT, locked, created_by=user)
        for account in locked:
            audit.record(
                "token.create",
                request=request,
                user=user,
                account=account,
                obj=token,
                name=name,
                scope=ApiToken.CLIENT,
                accounts=numbers,
            )
    return token, raw


def revoke(user, token_id, request=None) -> ApiToken | None:
    """Revoke one of `user`'s visible tokens (refused from that moment by every worker);
    None when it is not theirs or does not exist. Revoking a revoked token changes nothing
    and records nothing."""
    with transaction.atomic():
        token = visible_tokens(user).filter(pk=token_id).first()
        if token is None:
            return None
        if services.revoke_tokens(ApiToken.objects.filter(pk=token.pk)):
            numbers = sorted(token.accounts.values_list("number", flat=True))
            for account in token.accounts.order_by("number"):
                audit.record(
                    "token.revoke",
                    request=request,
                    user=user,
                    account=account,
                    obj=token,
                    name=token.name,
                    accounts=numbers,
                )
        token.refresh_from_db()
    return token
