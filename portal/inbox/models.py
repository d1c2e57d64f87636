"""Messages taken by agents on the client's form, and their dispatch history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account
from portal.calls.models import Agent


class Message(models.Model):
    OPEN, CLOSED = "open", "closed"
    STATUSES = [(OPEN, _("Open")), (CLOSED, _("Closed"))]

    message_id = models.CharField(_("Message ID"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages")
    taken_at = models.DateTimeField(_("Taken"))
    call_id = models.CharField(_("call number"), max_length=64, blank=True, db_index=True)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    fields = models.JSONField(default=list, blank=True, help_text="[[label, value], …] in order")
    body = models.TextField(blank=True)
    urgent = models.BooleanField(_("Urgent"), default=False)
    status = models.CharField(max_length=6, choices=STATUSES, default=OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Lower-cased, accent-free text of subject, fields and body, for keyword search.
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["account", "-taken_at"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.message_id

    def history(self) -> list["MessageEvent"]:
        """The delivery history, as the WebPortal lists it (see MessageEvent.history)."""
        return MessageEvent.history(self.events.all())


class MessageEvent(models.Model):
    KINDS = [
        ("taken", _("Taken")),
        ("initiated", _("initiated")),
        ("completed", _("completed")),
        ("delivered", _("Delivered")),
        ("failed", _("failed")),
        ("read", _("read")),
        ("confirmed", _("confirmed")),
    ]
    CHANNELS = [
        ("email", _("e-mail")),
        ("sms", _("SMS")),
        ("fax", _("fax")),
        ("voice", _("voice")),
        ("portal", _("portal")),
    ]

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=KINDS)
    # Empty string stands for null so that the uniqueness constraint holds.
    channel = models.CharField(max_length=8, choices=CHANNELS, blank=True, default="")
    recipient = models.CharField(max_length=254, blank=True, default="")

    # At the same time, the WebPortal's delivery history lists "initiated", "completed",
    # "Delivered", then "Taken" (newest first, the dispatch before the taking).
    SAME_TIME_ORDER = {
        k: n
        for n, k in enumerate(
            ["failed", "read", "confirmed", "initiated", "completed", "delivered", "taken"]
        )
    }

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "at", "kind", "channel", "recipient"], name="uniq_msg_event"
            )
        ]
        verbose_name = _("dispatch event")
        verbose_name_plural = _("dispatch events")

    def __str__(self) -> str:
        return f"{self.at} {self.kind} {self.channel} {self.recipient}".strip()

    def describe(self) -> str:
        """The seed's wording: "e-mail initiated to info@…", "Delivered", "Taken" (a
        confirmation the platform sends reads the same: "SMS confirmed to +1514…"); the seed
        has none for a press of Confirm in the portal: "Confirmed by marie (portal)"."""
        if self.kind in ("taken", "delivered"):
            return str(self.get_kind_display())
        if self.kind == "confirmed" and self.channel == "portal" and self.recipient:
            return _("Confirmed by %(recipient)s (%(channel)s)") % {
                "recipient": self.recipient,
                "channel": self.get_channel_display(),
            }
        channel, kind = self.get_channel_display(), self.get_kind_display()
        if self.recipient:
            return _("%(channel)s %(kind)s to %(recipient)s") % {
                "channel": channel,
                "kind": kind,
                "recipient": self.recipient,
            }
        return (_("%(channel)s %(kind)s") % {"channel": channel, "kind": kind}).strip()

    @classmethod
    def history(cls, events) -> list["MessageEvent"]:
        """Newest first, as the WebPortal's "Envoi de l'Histoire" lists them."""
        return sorted(
            events,
            key=lambda e: (-e.at.timestamp(), cls.SAME_TIME_ORDER.get(e.kind, 0), -(e.pk or 0)),
        )
