"""Webhooks: the portal tells the platform (contract, "Additions of 2026-12").

A `Webhook` is registered by the platform (provisioning API) or by staff (back office): a URL,
the secret the portal signs each body with, the events it wants and the accounts it wants them
for (none named: all). Every event that matches a webhook is one `WebhookDelivery`: its JSON
body is written once, with a stable `id`, and sent again as it is (the same bytes, the same
signature) until the receiver answers 2xx or 24 hours have passed. Each try is a
`WebhookAttempt` (what the receiver said), the delivery keeps the last one for the log.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account

MESSAGE_STATUS_CHANGED = "message.status_changed"
ONCALL_CHANGED = "oncall.changed"
EVENTS = [
    (MESSAGE_STATUS_CHANGED, _("A message was closed, reopened or confirmed")),
    (ONCALL_CHANGED, _("Who is on call changed")),
]
EVENT_NAMES = [name for name, _label in EVENTS]


class Webhook(models.Model):
    webhook_id = models.CharField(_("webhook id"), max_length=64, unique=True)
    url = models.URLField(_("URL"), max_length=1000)
    # Kept as it is: the portal needs it to sign every body (a hash could not sign).
    secret = models.CharField(_("secret"), max_length=200)
    events = models.JSONField(_("events"), default=list)
    # No account named: every account (all_accounts); else only these.
    all_accounts = models.BooleanField(_("all accounts"), default=True)
    accounts = models.ManyToManyField(
        Account, blank=True, related_name="webhooks", verbose_name=_("accounts")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["webhook_id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.webhook_id


class WebhookDelivery(models.Model):
    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
    STATUSES = [
        (PENDING, _("Pending")),
        (DELIVERED, _("Delivered")),
        (FAILED, _("Failed (gave up)")),
    ]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=64)
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    body = models.TextField(_("body"), help_text="the exact JSON sent, signed as UTF-8 bytes")
    created_at = models.DateTimeField(_("created"))
    # Tried again with growing delays until then (24 hours after it was made, or after a
    # "Send again"), then given up.
    give_up_at = models.DateTimeField(_("give up at"))
    tries = models.PositiveIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=9, choices=STATUSES, default=PENDING)
    last_status_code = models.PositiveIntegerField(_("last answer code"), null=True, blank=True)
    last_answer = models.TextField(_("last answer"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_try_at = models.DateTimeField(_("last try"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_try_at"]),
            models.Index(fields=["webhook", "-created_at"]),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} {self.id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveIntegerField(_("answer code"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
