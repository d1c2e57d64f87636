"""Scheduled reports' subscriptions: pausing, resuming and deleting them (the back office),
and leaving one by the unsubscribe link of its e-mails. Each change is in the audit trail.

The unsubscribe link is a signed token (django.core.signing: the subscription, the address
and the e-mail's language), so it needs no sign-in and cannot be forged or pointed at another
address. Opening it (GET) only shows a confirmation page with a button; pressing it (POST), or
a mail program's one-click POST (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post), takes
that one address off the subscription — the subscription ends with its last address.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from portal import clock
from portal.accounts import audit
from portal.stats.models import ReportSubscription

SALT = "portal.stats.unsubscribe"


# --- The unsubscribe link -----------------------------------------------------------------


def unsubscribe_token(sub: ReportSubscription, address: str) -> str:
    return signing.dumps([sub.pk, address, sub.language], salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str, str] | None:
    """(subscription id, address, language) of a token this portal signed, else None."""
    try:
        pk, address, language = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(address, str) or language not in ("fr", "en"):
        return None
    return pk, address, language


def unsubscribe_url(sub: ReportSubscription, address: str) -> str:
    """The absolute link of the e-mail (PORTAL_BASE_URL: where the portal is reached)."""
    path = reverse("report_unsubscribe", args=[unsubscribe_token(sub, address)])
    return settings.PORTAL_BASE_URL + path


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: a mail program's "Unsubscribe" POSTs to the link."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def is_subscribed(pk: int, address: str) -> ReportSubscription | None:
    sub = ReportSubscription.objects.filter(pk=pk).select_related("account").first()
    if sub is None or address.lower() not in {a.lower() for a in sub.addresses}:
        return None
    return sub


def unsubscribe(pk: int, address: str, request=None) -> ReportSubscription | None:
    """Take `address` off subscription `pk` (the subscription is deleted with its last
    address); returns the subscription it left, or None when it was not on it (any more)."""
    with transaction.atomic():
        sub = (
            ReportSubscription.objects.select_for_update()
            .filter(pk=pk)
            .select_related("account")
            .first()
        )
        if sub is None:
            return None
        remaining = [a for a in sub.addresses if a.lower() != address.lower()]
        if len(remaining) == len(sub.addresses):
            return None
        audit.record(
            "report.unsubscribed",
            request=request,
            actor=address,
            account=sub.account,
            obj=sub,
            address=address,
            frequency=sub.frequency,
            ended=not remaining,
        )
        if remaining:
            sub.emails = ", ".join(remaining)
            sub.save(update_fields=["emails"])
        else:
            sub.delete()
            sub.pk = pk
    return sub


# --- The back office --------------------------------------------------------------------


def _record(action: str, sub: ReportSubscription, request) -> None:
    audit.record(
        action,
        request=request,
        account=sub.account,
        obj=sub,
        to=sub.emails,
        frequency=sub.frequency,
    )


def pause(sub: ReportSubscription, request=None) -> bool:
    """Stop sending (nothing is sent, nothing is caught up later); False if paused."""
    if sub.paused_at is not None:
        return False
    sub.paused_at = clock.now()
    sub.save(update_fields=["paused_at"])
    _record("report.paused", sub, request)
    return True


def resume(sub: ReportSubscription, request=None) -> bool:
    """Send again, from the period that is due now on (the periods of the pause are not
    sent); False if it was not paused."""
    if sub.paused_at is None:
        return False
    sub.paused_at = None
    sub.resumed_at = clock.now()
    sub.save(update_fields=["paused_at", "resumed_at"])
    _record("report.resumed", sub, request)
    return True


def delete(sub: ReportSubscription, request=None) -> None:
    with transaction.atomic():
        _record("report.deleted", sub, request)
        sub.delete()
