"""API tokens: created from the command line, the back office and a client admin's Settings
page (portal.api.client_tokens) through one function."""

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Account
from portal.api import auth
from portal.api.models import ApiToken


def create_token(
    name: str, scope: str, account_numbers: list[str] | list[Account], created_by=None
) -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw secret, which is never stored. `created_by`:
    the login that made it (the Settings page, the back office), None for the command."""
    if scope not in dict(ApiToken.SCOPES):
        raise ValueError(f"Unknown scope: {scope}")
    accounts = [
        a if isinstance(a, Account) else Account.objects.get(number=a) for a in account_numbers
    ]
    token = ApiToken(name=name, scope=scope, created_by=created_by)
    raw = token.set_new_token()
    token.save()
    token.accounts.set(accounts)
    return token, raw


def revoke_tokens(tokens) -> int:
    """Revoke the tokens of `tokens` (a queryset) not yet revoked; returns how many. Their
    cached copies are forgotten at once (the shared cache: in every worker), so the next
    request with any of them is refused (401)."""
    with transaction.atomic():
        live = tokens.filter(revoked_at=None)
        hashes = list(live.values_list("token_hash", flat=True))
        count = live.update(revoked_at=timezone.now())
        auth.forget_tokens(hashes)
    return count
