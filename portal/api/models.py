"""API tokens: only a hash is stored; the token itself is shown once."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account


class ApiToken(models.Model):
    INGEST, PROVISION, ONCALL_READ, CLIENT, ONCALL_WRITE = (
        "ingest",
        "provision",
        "oncall:read",
        "client",
        "oncall:write",
    )
    SCOPES = [
        (INGEST, "ingest"),
        (PROVISION, "provision"),
        (ONCALL_READ, "oncall:read"),
        (CLIENT, "client"),
        (ONCALL_WRITE, "oncall:write"),
    ]

    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=16, choices=SCOPES)
    accounts = models.ManyToManyField(Account, blank=True, related_name="api_tokens")
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The login that made it (the Settings page, the back office); empty for the command.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.scope})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def set_new_token(self) -> str:
        raw = "pt_" + secrets.token_urlsafe(32)
        self.prefix = raw[:10]
        self.token_hash = self.hash(raw)
        return raw
