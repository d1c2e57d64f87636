"""Billable transactions (the Billable Calls report) and billing statement lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account


class BillableTransaction(models.Model):
    transaction_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="billables")
    at = models.DateTimeField(_("Date/Time"))
    description = models.CharField(_("Description"), max_length=200, blank=True)
    number = models.CharField(_("Number"), max_length=64, blank=True)
    caller_name = models.CharField(_("Caller Name"), max_length=200, blank=True)
    agent = models.CharField(_("Agent"), max_length=32, blank=True)
    statistic_ms = models.BigIntegerField(_("Statistic"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["account", "at"])]
        verbose_name = _("billable transaction")
        verbose_name_plural = _("billable transactions")

    def __str__(self) -> str:
        return self.transaction_id


class BillingLine(models.Model):
    KINDS = [
        ("balance", _("Balance brought forward")),
        ("charge", _("Charge")),
        ("payment", _("Payment")),
        ("subtotal", _("Subtotal")),
        ("new_charges", _("New charges")),
        ("new_balance", _("New balance")),
    ]

    line_id = models.CharField(max_length=64, unique=True)
    billing_number = models.CharField(_("billing number"), max_length=32, db_index=True)
    date = models.DateField(_("Date"))
    description = models.CharField(_("Description"), max_length=300)
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    kind = models.CharField(max_length=12, choices=KINDS)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("billing line")
        verbose_name_plural = _("billing lines")

    def __str__(self) -> str:
        return f"{self.date} {self.description} {self.amount}"
