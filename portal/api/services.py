"""API tokens: created from the command line and the back office through one function."""

from portal.accounts.models import Account
from portal.api.models import ApiToken


def create_token(
    name: str, scope: str, account_numbers: list[str] | list[Account]
) -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw secret, which is never stored."""
    if scope not in dict(ApiToken.SCOPES):
        raise ValueError(f"Unknown scope: {scope}")
    accounts = [
        a if isinstance(a, Account) else Account.objects.get(number=a) for a in account_numbers
    ]
    token = ApiToken(name=name, scope=scope)
    raw = token.set_new_token()
    token.save()
    token.accounts.set(accounts)
    return token, raw
