"""Scheduled reports: a client admin subscribes addresses to a daily, weekly or monthly e-mail
of the statistics and the billable calls. Each period is sent once (ReportDelivery)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account


class ReportSubscription(models.Model):
    DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
    FREQUENCIES = [(DAILY, _("Daily")), (WEEKLY, _("Weekly")), (MONTHLY, _("Monthly"))]

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("client account"),
    )
    emails = models.TextField(
        _("e-mail addresses"), help_text=_("One or more, separated by commas.")
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=FREQUENCIES)
    statistics = models.BooleanField(_("Statistics"), default=True)
    billable = models.BooleanField(_("Billable Calls"), default=True)
    language = models.CharField(_("language"), max_length=2, default="fr")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Paused by staff (back office): nothing is sent. Resuming sends from the period due at
    # that moment on, like a new subscription (schedules.first_period).
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["account__number", "frequency", "id"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")

    def __str__(self) -> str:
        return f"{self.account.number} {self.frequency} → {self.emails}"

    @property
    def addresses(self) -> list[str]:
        return [e.strip() for e in self.emails.split(",") if e.strip()]

    @property
    def last_sent(self) -> "ReportDelivery | None":
        """The latest period sent (from the prefetched deliveries when there are)."""
        sent = [d for d in self.deliveries.all() if d.sent_at is not None]
        return max(sent, key=lambda d: d.period_start, default=None)


class ReportDelivery(models.Model):
    """One period of one subscription. The row is made once (the unique key), then claimed
    by one run at a time (`claimed_until`, set by a conditional UPDATE) before sending; each
    address the SMTP server accepted is added to `sent_to` at once, and `sent_at` is set when
    every address has it. A failed send leaves the row pending for the next run."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_to = models.TextField(default="", blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(default="", blank=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "period_end"], name="uniq_report_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start}–{self.period_end}"

    @property
    def sent_addresses(self) -> list[str]:
        return [e.strip() for e in self.sent_to.split(",") if e.strip()]
