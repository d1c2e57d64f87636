"""Bearer tokens with scopes, and the contract's error answers.

Tokens and accounts are looked up on every API request; the dispatch asks "who is on call"
many times a second, so both are kept for a few seconds (CACHE_SECONDS). With REDIS_URL they
are kept in the shared cache (Redis, settings.CACHES), and any change to a token (revocation,
its accounts) or to an account deletes its entry there at once (and again when the change
commits), so every worker of every machine refuses a revoked token from that moment. Without
REDIS_URL (one process: `make run`, the tests) they are kept in this process's memory, emptied
by any change. A shared cache that cannot be reached is passed by: the database answers.
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
_SHARED_KEYS = {id(_tokens): "api:token:", id(_accounts): "api:account:"}
_MISSING = object()
_used_asked: dict[int, float] = {}


def _shared_cache():
    """The shared cache (Redis) when REDIS_URL is set, else None (this process's dicts)."""
    return caches["default"] if settings.REDIS_URL else None


def _forget(keys: list[str]) -> None:
    shared = _shared_cache()
    if shared is None or not keys:
        return
    try:
        shared.delete_many(keys)
    except Exception:
        log.warning("The shared cache could not forget %s", keys, exc_info=True)


def _forget_now_and_at_commit(keys: list[str]) -> None:
    # Now, and again once the change is committed: a worker that read the old row before the
    # commit may have cached it meanwhile.
    _forget(keys)
    transaction.on_commit(lambda: _forget(keys))


def clear_caches(sender=None, instance=None, **kwargs) -> None:
    _tokens.clear()
    _accounts.clear()
    if _shared_cache() is None or instance is None:
        return
    if isinstance(instance, ApiToken):
        keys = [f"api:token:{instance.token_hash}"]
    elif kwargs.get("action") is not None:  # an account's tokens changed (reverse m2m)
        tokens = (
            ApiToken.objects.filter(pk__in=kwargs["pk_set"])
            if kwargs.get("pk_set")
            else (ApiToken.objects.filter(accounts=instance))
        )
        keys = [f"api:token:{h}" for h in tokens.values_list("token_hash", flat=True)]
    else:
        keys = [f"api:account:{instance.number}"]
    _forget_now_and_at_commit(keys)


def forget_tokens(token_hashes: list[str]) -> None:
    """Forget the cached copies of these tokens (a change made without signals: update())."""
    _tokens.clear()
    _forget_now_and_at_commit([f"api:token:{h}" for h in token_hashes])


for _model in (ApiToken, Account):
    post_save.connect(clear_caches, sender=_model, dispatch_uid=f"api-cache-save-{_model.__name__}")
    post_delete.connect(
        clear_caches, sender=_model, dispatch_uid=f"api-cache-del-{_model.__name__}"
    )
m2m_changed.connect(clear_caches, sender=ApiToken.accounts.through, dispatch_uid="api-cache-m2m")


def _cached(store: dict, key: str, load):
    """`load()`, remembered for CACHE_SECONDS (a miss, None, is remembered too): in the shared
    cache when there is one, else in `store`."""
    shared = _shared_cache()
    if shared is not None:
        return _shared_cached(shared, _SHARED_KEYS[id(store)] + key, load)
    now = time.monotonic()
    hit = store.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    if len(store) > 10_000:
        store.clear()
    store[key] = (now, value)
    return value


def _shared_cached(shared, key: str, load):
    try:
        hit = shared.get(key, _MISSING)
    except Exception:
        log.warning("The shared cache cannot be read; asking the database", exc_info=True)
        return load()
    if hit is not _MISSING:
        return hit
    value = load()
    try:
        shared.set(key, value, CACHE_SECONDS)
    except Exception:
        log.warning("The shared cache cannot be written", exc_info=True)
    return value


def _first_to_mark_used(api_token: ApiToken) -> bool:
    """Whether this request writes the token's last use (at most once a minute). With the
    shared cache, the workers agree through a marker (the cached token keeps its older
    last_used_at until it expires); without, this process's copy is updated in place."""
    shared = _shared_cache()
    if shared is None:
        return True
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
