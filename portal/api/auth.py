"""Bearer tokens with scopes, and the contract's error answers.

Tokens and accounts are looked up on every API request; the dispatch asks "who is on call"
many times a second, so both are kept for a few seconds (CACHE_SECONDS) in this process's
memory: no query and no round trip per request. Any change to a token (revocation, its
accounts) or to an account empties this process's copies. With REDIS_URL (several processes,
several machines) the change is also published on Redis, at once and again when it commits,
and every process drops its copies when it hears it (portal.api.tokencache: a subscribed
daemon thread; a message that has reached a process is obeyed before its next request, and
while a process is not subscribed it reads the database), so every worker of every machine
refuses a revoked token from its next request. A Redis that cannot be reached is passed by:
the database answers.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.base import ModelState
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from ninja.security import HttpBearer

from portal.accounts.models import Account
from portal.api import errors as wording
from portal.api import tokencache
from portal.api.models import ApiToken


class ApiError(Exception):
    def __init__(self, status: int, detail: str, errors: list | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


def invalid(field: str, message: str, index: int | None = None) -> ApiError:
    """The contract's 422 for one field."""
    return ApiError(
        422, wording.VALIDATION_FAILED, [{"index": index, "field": field, "message": message}]
    )


log = logging.getLogger(__name__)
CACHE_SECONDS = 5.0
_tokens: dict[str, tuple[float, ApiToken | None]] = {}
_accounts: dict[str, tuple[float, Account | None]] = {}
_used_asked: dict[int, float] = {}
_generation = 0  # counts the times the copies were dropped


def _drop_local() -> None:
    global _generation
    _generation += 1
    _tokens.clear()
    _accounts.clear()


def _publish_now_and_at_commit() -> None:
    # Now, and again once the change is committed: a worker that read the old row before the
    # commit may have kept it meanwhile.
    if not settings.REDIS_URL:
        return
    tokencache.publish(settings)
    transaction.on_commit(lambda: tokencache.publish(settings))


def clear_caches(sender=None, instance=None, **kwargs) -> None:
    _drop_local()
    _publish_now_and_at_commit()


def forget_tokens(token_hashes: list[str]) -> None:
    """Forget the cached copies of these tokens (a change made without signals: update()),
    in every process."""
    _drop_local()
    _publish_now_and_at_commit()


for _model in (ApiToken, Account):
    post_save.connect(clear_caches, sender=_model, dispatch_uid=f"api-cache-save-{_model.__name__}")
    post_delete.connect(
        clear_caches, sender=_model, dispatch_uid=f"api-cache-del-{_model.__name__}"
    )
m2m_changed.connect(clear_caches, sender=ApiToken.accounts.through, dispatch_uid="api-cache-m2m")


def _cache_usable() -> bool:
    """Whether this process's copies may be read: always without REDIS_URL (one process);
    with it, while this process is subscribed and has no message waiting (tokencache)."""
    if not settings.REDIS_URL:
        return True
    listener = tokencache.listener(settings, _drop_local)
    return listener is not None and listener.usable()


def _cached(store: dict, key: str, load):
    """`load()`, remembered in `store` for CACHE_SECONDS (a miss, None, is remembered too)."""
    if not _cache_usable():
        return load()
    now = time.monotonic()
    hit = store.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    generation = _generation
    value = load()
    if generation == _generation and _cache_usable():  # nothing changed meanwhile
        if len(store) > 10_000:
            store.clear()
        store[key] = (now, value)
    return value


def _first_to_mark_used(api_token: ApiToken) -> bool:
    """Whether this request writes the token's last use (at most once a minute). With the
    shared cache, the workers agree through a marker (the cached token keeps its older
    last_used_at until it expires); without, this process's copy is updated in place."""
    if not settings.REDIS_URL:
        return True
    shared = caches["default"]
    # Asked of the shared cache at most once a minute per token by this process (its answer
    # only decides whether last_used_at is written, so a local memory is enough).
    now = time.monotonic()
    if now - _used_asked.get(api_token.pk, -60.0) < 60:
        return False
    if len(_used_asked) > 10_000:
        _used_asked.clear()
    _used_asked[api_token.pk] = now
    try:
        return shared.add(f"api:used:{api_token.pk}", 1, 60)
    except Exception:
        return True


def _load_token(token_hash: str) -> ApiToken | None:
    token = ApiToken.objects.filter(token_hash=token_hash, revoked_at=None).first()
    if token is not None:
        token.account_numbers = frozenset(token.accounts.values_list("number", flat=True))
    return token


def _find_token(raw: str) -> ApiToken | None:
    key = ApiToken.hash(raw)
    return _cached(_tokens, key, lambda: _load_token(key))


def find_account(number: str) -> Account | None:
    account = _cached(_accounts, number, lambda: Account.objects.filter(number=number).first())
    # A copy: a view may change its account without touching the cached one.
    return _copy(account) if account is not None else None


def _copy(instance):
    """A shallow copy of a model instance loaded from the database, with its own state and no
    cached relations (copy.copy goes through pickling's __reduce__, several times slower)."""
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__dict__)
    clone._state = ModelState()
    clone._state.db = instance._state.db
    clone._state.adding = False
    return clone


class TokenAuth(HttpBearer):
    def __call__(self, request):
        # HttpBearer's own parsing, reading the header from META: request.headers would build
        # a dict of every header on each request.
        value = request.META.get("HTTP_AUTHORIZATION")
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token: str):
        api_token = _find_token(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            if _first_to_mark_used(api_token):
                api_token.last_used_at = now
                ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_token = api_token
        return api_token


def require_scope(request, *scopes: str) -> ApiToken:
    token: ApiToken = request.auth
    if token.scope not in scopes:
        raise ApiError(403, wording.SCOPE_REFUSED.format(scope=token.scope))
    return token


# Scopes that are limited to the accounts named on the token.
ACCOUNT_LIMITED = {ApiToken.CLIENT, ApiToken.ONCALL_WRITE}


def allow_account(request, number: str, *scopes: str) -> ApiToken:
    """The token, if its scope and accounts allow it to reach account `number`: else 403."""
    token = require_scope(request, *scopes)
    if token.scope in ACCOUNT_LIMITED:
        if number not in token.account_numbers:
            # Outside its accounts: 403 whether or not the account exists (no probing).
            raise ApiError(403, wording.ACCOUNT_REFUSED)
    return token


def unknown_account(number: str) -> ApiError:
    return ApiError(404, wording.unknown("account", number))


def account_for(request, number: str, *scopes: str) -> Account:
    """The account `number`, if the token's scope and accounts allow it: else 403 or 404."""
    allow_account(request, number, *scopes)
    account = find_account(number)
    if account is None:
        raise unknown_account(number)
    return account


def token_accounts(token: ApiToken):
    """The accounts a token may read."""
    if token.scope in ACCOUNT_LIMITED:
        return token.accounts.all()
    return Account.objects.all()
