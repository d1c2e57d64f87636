"""Staff "view as client": a staff member reads one account's client pages, read-only.

The grant is an entry of the staff member's own session (account number, reason, who, when it
started and ends). The requests stay the staff member's: nobody signs in as the client and
no membership is made. `tenancy.request_accounts` and `TenantMiddleware` read the grant (once
per request, `active`): while it holds, the viewed account is the only one the pages know,
every other account's pages are the usual 404, and a request that would change anything
(POST, PUT, PATCH, DELETE to a client page, except the downloads that only read) is refused
with a 403 page (`refuse`). Starting, stopping (also by signing out, and an expired grant
noticed) and each refusal are in the audit trail; every read recorded while viewing is marked
`{"view_as": true, "reason": ...}` (see `audit.record`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from portal import clock
from portal.accounts import audit
from portal.accounts.models import Account

SESSION_KEY = "_view_as"
REASON_MAX = 200
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# POSTs that only read: downloads of the checked messages or recordings.
READING_POSTS = {"inbox_export", "calls_download"}


@dataclasses.dataclass(frozen=True)
class ViewAs:
    account: Account
    reason: str
    started_at: dt.datetime
    ends_at: dt.datetime


def minutes() -> int:
    return int(settings.PORTAL.get("VIEW_AS_MINUTES", 60))


def _stamp(when: dt.datetime) -> float:
    return when.timestamp()


def _moment(stamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def may_view_as(user) -> bool:
    """Staff only, signed in with their second factor when django-otp marks it."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    verified = getattr(user, "is_verified", None)
    return verified is None or bool(verified())


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            _("Give the reason for viewing this account as the client (a ticket, a request)."),
            code="required",
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long: at most %(max)d characters.") % {"max": REASON_MAX},
            code="max_length",
        )
    return reason


def start(request, account: Account, reason: str) -> ViewAs:
    """Begin viewing `account` as the client, for `minutes()` from now. Only staff; a reason
    is required (ValidationError). A grant already running ends first (recorded)."""
    if not may_view_as(request.user):
        raise PermissionDenied
    reason = clean_reason(reason)
    stop(request, ended="replaced")
    now = clock.now()
    grant = ViewAs(account, reason, now, now + dt.timedelta(minutes=minutes()))
    request.session[SESSION_KEY] = {
        "user": request.user.pk,
        "account": account.number,
        "reason": reason,
        "started": _stamp(grant.started_at),
        "ends": _stamp(grant.ends_at),
    }
    request.session.cycle_key()  # a new session id for the new powers
    _forget(request)
    audit.record(
        "view_as.start",
        request=request,
        account=account,
        obj=account,
        reason=reason,
        until=grant.ends_at.isoformat(),
    )
    return grant


def stop(request, ended: str = "stopped") -> Account | None:
    """End the grant (if any): recorded with its reason and why it ended ("stopped" by the
    button, "signed_out", "expired", "replaced", "not_allowed"). Returns the account that was viewed."""
    session = getattr(request, "session", None)
    data = session.pop(SESSION_KEY, None) if session is not None else None
    _forget(request)
    if not data:
        return None
    account = Account.objects.filter(number=data.get("account")).first()
    audit.record(
        "view_as.stop",
        request=request,
        account=account,
        obj=account,
        reason=data.get("reason", ""),
        ended=ended,
        started=_moment(data.get("started", 0)).isoformat(),
    )
    return account


def active(request) -> ViewAs | None:
    """This request's grant, read once per request: None when there is none, or when it is
    another login's, its login is no longer staff, or it has ended (then it is removed,
    and an expiry recorded)."""
    user = getattr(request, "user", None)
    memo = getattr(request, "_portal_view_as", None)
    if memo is not None and memo[0] is user:  # the same user (django-otp wraps it anew)
        return memo[1]
    grant = _read(request)
    request._portal_view_as = (user, grant)
    return grant


def _forget(request) -> None:
    if hasattr(request, "_portal_view_as"):
        del request._portal_view_as


def _read(request) -> ViewAs | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    data = session.get(SESSION_KEY)
    if not data:
        return None
    user = getattr(request, "user", None)
    if not may_view_as(user) or data.get("user") != user.pk:
        stop(request, ended="not_allowed")
        return None
    if clock.now() >= _moment(data.get("ends", 0)):
        stop(request, ended="expired")
        return None
    account = Account.objects.filter(number=data.get("account")).first()
    if account is None:
        stop(request, ended="account_removed")
        return None
    return ViewAs(account, data["reason"], _moment(data["started"]), _moment(data["ends"]))


def refuses(request, grant: ViewAs) -> bool:
    """Whether this request to the viewed account's pages would change something."""
    if request.method in SAFE_METHODS:
        return False
    match = getattr(request, "resolver_match", None)
    return not (request.method == "POST" and match is not None and match.url_name in READING_POSTS)


def refuse(request, grant: ViewAs) -> HttpResponse:
    """The answer to a change attempted while viewing as the client: 403, nothing done.
    A page (a form the browser posted) gets the portal's page with the banner; a script's or
    htmx's request gets the message alone, which it can show where it is."""
    from portal.accounts.signedout import is_background, page_url

    match = getattr(request, "resolver_match", None)
    audit.record(
        "view_as.refused",
        request=request,
        account=grant.account,
        method=request.method,
        path=request.path[:500],
        view=match.url_name if match is not None else "",
    )
    message = _("You are viewing this account as the client, read-only: nothing was changed.")
    if is_background(request):
        response = HttpResponse(
            render_to_string("accounts/view_as_refused_fragment.html", {"message": message}),
            status=403,
        )
    else:
        back = page_url(request)
        if back == request.get_full_path():
            back = ""
        response = HttpResponse(
            render_to_string(
                "accounts/view_as_refused.html",
                {"message": message, "back": back},
                request=request,
            ),
            status=403,
        )
    response["Cache-Control"] = "no-store"
    return response


@receiver(user_logged_out, dispatch_uid="portal.accounts.viewas.signed_out")
def _signed_out(sender, request, user, **kwargs):
    """Signing out (also the idle logoff) ends the grant with the session: recorded."""
    if request is not None and getattr(request, "session", None) is not None:
        if request.session.get(SESSION_KEY):
            stop(request, ended="signed_out")
