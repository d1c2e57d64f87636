"""Bearer tokens with scopes, and the contract's error answers."""

from django.utils import timezone
from ninja.security import HttpBearer

from portal.accounts.models import Account
from portal.api.models import ApiToken


class ApiError(Exception):
    def __init__(self, status: int, detail: str, errors: list | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        try:
            api_token = ApiToken.objects.get(token_hash=ApiToken.hash(token), revoked_at=None)
        except ApiToken.DoesNotExist:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_token = api_token
        return api_token


def require_scope(request, *scopes: str) -> ApiToken:
    token: ApiToken = request.auth
    if token.scope not in scopes:
        raise ApiError(403, f"This token's scope ({token.scope}) does not allow this.")
    return token


# Scopes that are limited to the accounts named on the token.
ACCOUNT_LIMITED = {ApiToken.CLIENT, ApiToken.ONCALL_WRITE}


def account_for(request, number: str, *scopes: str) -> Account:
    """The account `number`, if the token's scope and accounts allow it: else 403 or 404."""
    token = require_scope(request, *scopes)
    if token.scope in ACCOUNT_LIMITED:
        if not token.accounts.filter(number=number).exists():
            # Outside its accounts: 403 whether or not the account exists (no probing).
            raise ApiError(403, "This token does not give access to this account.")
    try:
        return Account.objects.get(number=number)
    except Account.DoesNotExist:
        raise ApiError(404, f"Unknown account: {number}") from None


def token_accounts(token: ApiToken):
    """The accounts a token may read."""
    if token.scope in ACCOUNT_LIMITED:
        return token.accounts.all()
    return Account.objects.all()
