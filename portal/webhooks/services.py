"""Registering webhooks: the one path of the provisioning API and the back office.

`save_webhook` checks everything first and lists every problem (`WebhookInvalid`), changing
nothing then; `delete_webhook` removes one (its deliveries with it). Both write the audit
trail, its actor from the request (the API's token, the back office's staff member).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.accounts import audit
from portal.accounts.models import Account
from portal.webhooks.models import EVENT_NAMES, Webhook

WEBHOOK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
URL_MAX, SECRET_MAX = 1000, 200

BAD_ID = _("A webhook id is 1 to 64 letters, digits, '.', '_' or '-'.")
BAD_URL = _("Enter an http:// or https:// address.")
URL_TOO_LONG = _("The address is longer than 1000 characters.")
SECRET_REQUIRED = _("Enter the secret the portal signs each delivery with.")
SECRET_TOO_LONG = _("The secret is longer than 200 characters.")
EVENTS_REQUIRED = _("Choose at least one event.")
UNKNOWN_EVENT = _(
    "Unknown event: %(event)s. The events are message.status_changed and oncall.changed."
)
ACCOUNTS_LIST = _("Expected a list of account numbers, or null for every account.")
UNKNOWN_ACCOUNT = _("Unknown account: %(number)s")
NOT_AN_OBJECT = _("Expected a JSON object with url, secret, events and accounts.")


class WebhookInvalid(Exception):
    """Nothing was saved; `errors` lists every problem (the contract's items)."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass
class WebhookData:
    url: str
    secret: str
    events: list[str]
    accounts: list[Account] | None  # None: every account


def _error(field: str, message) -> dict:
    return {"index": None, "field": field, "message": str(message)}


def check(webhook_id: str, data: Any) -> WebhookData:
    """The body of a PUT (or the back office's form) checked: every problem at once."""
    errors: list[dict] = []
    if not isinstance(webhook_id, str) or not WEBHOOK_ID.fullmatch(webhook_id):
        errors.append(_error("webhook_id", BAD_ID))
    if not isinstance(data, dict):
        raise WebhookInvalid([*errors, _error("", NOT_AN_OBJECT)])

    url = data.get("url")
    if not isinstance(url, str) or not _http_url(url.strip()):
        errors.append(_error("url", BAD_URL))
    elif len(url.strip()) > URL_MAX:
        errors.append(_error("url", URL_TOO_LONG))

    secret = data.get("secret")
    if not isinstance(secret, str) or not secret:
        errors.append(_error("secret", SECRET_REQUIRED))
    elif len(secret) > SECRET_MAX:
        errors.append(_error("secret", SECRET_TOO_LONG))

    events = data.get("events")
    if not isinstance(events, list) or not events:
        errors.append(_error("events", EVENTS_REQUIRED))
        events = []
    for i, event in enumerate(events):
        if event not in EVENT_NAMES:
            errors.append(_error(f"events.{i}", UNKNOWN_EVENT % {"event": event}))

    numbers = data.get("accounts")
    accounts: list[Account] | None = None
    if numbers is not None:
        if not isinstance(numbers, list):
            errors.append(_error("accounts", ACCOUNTS_LIST))
        else:
            wanted = [
                str(n) if isinstance(n, (str, int)) and not isinstance(n, bool) else None
                for n in numbers
            ]
            found = {
                a.number: a for a in Account.objects.filter(number__in=[w for w in wanted if w])
            }
            accounts = []
            for i, (raw, number) in enumerate(zip(numbers, wanted, strict=True)):
                if number not in found:
                    errors.append(_error(f"accounts.{i}", UNKNOWN_ACCOUNT % {"number": raw}))
                elif found[number] not in accounts:
                    accounts.append(found[number])
    if errors:
        raise WebhookInvalid(errors)
    return WebhookData(
        url=url.strip(), secret=secret, events=list(dict.fromkeys(events)), accounts=accounts
    )


def _http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — a port past 65535 or not a number raises ValueError
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(c.isspace() or ord(c) < 32 for c in url)
    )


def account_numbers(webhook: Webhook) -> list[str] | None:
    if webhook.all_accounts:
        return None
    return sorted(webhook.accounts.values_list("number", flat=True))


def save_webhook(webhook_id: str, data: Any, request=None) -> tuple[Webhook, str]:
    """Create or replace the webhook; (it, "created" | "updated" | "unchanged"). A change is
    audited (`webhook.save`)."""
    clean = check(webhook_id, data)
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().filter(webhook_id=webhook_id).first()
        numbers = None if clean.accounts is None else sorted(a.number for a in clean.accounts)
        if hook is None:
            hook = Webhook(webhook_id=webhook_id)
            outcome = "created"
        elif (
            hook.url == clean.url
            and hook.secret == clean.secret
            and hook.events == clean.events
            and account_numbers(hook) == numbers
        ):
            return hook, "unchanged"
        else:
            outcome = "updated"
        hook.url, hook.secret, hook.events = clean.url, clean.secret, clean.events
        hook.all_accounts = clean.accounts is None
        hook.save()
        hook.accounts.set(clean.accounts or [])
    audit.record(
        "webhook.save",
        request=request,
        obj=hook,
        webhook_id=hook.webhook_id,
        url=hook.url,
        events=hook.events,
        accounts=account_numbers(hook),
        outcome=outcome,
    )
    return hook, outcome


def delete_webhook(webhook_id: str, request=None) -> bool:
    """Remove the webhook and its delivery log, audited (`webhook.delete`); False if there
    was none."""
    hook = Webhook.objects.filter(webhook_id=webhook_id).first()
    if hook is None:
        return False
    audit.record(
        "webhook.delete",
        request=request,
        object_type="webhooks.webhook",
        object_id=webhook_id,
        webhook_id=webhook_id,
        url=hook.url,
    )
    hook.delete()
    return True


def purge_deliveries(now=None, batch_size: int = 1000) -> int:
    """The delivery log past the retention period (each account's, PORTAL["RETENTION_DAYS"]
    for deliveries of no account), with their tries; never one still pending. The
    purge_expired command and the nightly task call it."""
    import datetime as dt

    from django.conf import settings

    from portal import clock
    from portal.webhooks.models import WebhookDelivery

    now = now or clock.now()
    done = WebhookDelivery.objects.exclude(status=WebhookDelivery.PENDING)
    default = dt.timedelta(days=settings.PORTAL["RETENTION_DAYS"])
    removed = 0
    groups = [(None, default)] + [
        (account, dt.timedelta(days=account.retention_days))
        for account in Account.objects.filter(pk__in=done.values("account_id").distinct()).order_by(
            "number"
        )
    ]
    for account, keep in groups:
        rows = done.filter(created_at__lt=now - keep)
        rows = (
            rows.filter(account__isnull=True) if account is None else rows.filter(account=account)
        )
        while True:
            ids = list(rows.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            with transaction.atomic():
                removed += (
                    WebhookDelivery.objects.filter(pk__in=ids)
                    .delete()[1]
                    .get(WebhookDelivery._meta.label, 0)
                )
    return removed
