"""Tenancy: client accounts, logins, memberships, and the audit log."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class AccountGroup(models.Model):
    """A numbered group of accounts, used to include or exclude accounts in statistics."""

    number = models.PositiveIntegerField(_("group number"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("account group")
        verbose_name_plural = _("account groups")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class Account(models.Model):
    LANGUAGES = [("fr", _("French")), ("en", _("English"))]

    number = models.CharField(_("account number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    billing_number = models.CharField(_("billing number"), max_length=32, blank=True, db_index=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.DEFAULT_ACCOUNT_TIMEZONE,
        validators=[validate_timezone],
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="fr")
    groups = models.ManyToManyField(
        AccountGroup, blank=True, related_name="accounts", verbose_name=_("account groups")
    )
    retention_days = models.PositiveIntegerField(
        _("retention (days)"), default=settings.PORTAL["RETENTION_DAYS"]
    )
    # On call: client admins always change who is on call; client users too, unless the
    # account makes the On Call page view-only for them.
    oncall_users_may_change = models.BooleanField(
        _("client users may change who is on call"),
        default=True,
        help_text=_(
            "When unticked, client users only view the On Call page; client admins may "
            "always change who is on call."
        ),
    )
    # Sign-in: each login of the account must use two-step verification (a code from an
    # authenticator app); a login without it is sent to set it up right after signing in.
    require_two_factor = models.BooleanField(
        _("require two-step verification"),
        default=False,
        help_text=_(
            "When ticked, every login of this account must use two-step verification; "
            "a login that has not set it up is asked to right after signing in."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("client account")
        verbose_name_plural = _("client accounts")

    def __str__(self) -> str:
        return self.label

    def clean(self):
        from portal.text import clean_single_line

        super().clean()
        clean_single_line(self, "number", "name", "billing_number")

    @property
    def label(self) -> str:
        """As the seeds show an account: "4000-TEST"."""
        return f"{self.number}-{self.name}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class User(AbstractUser):
    """A login: staff of the answering service, or a client with memberships."""

    language = models.CharField(
        _("language"), max_length=2, blank=True, choices=[("fr", "Français"), ("en", "English")]
    )
    accounts = models.ManyToManyField(
        Account, through="Membership", related_name="users", blank=True
    )

    class Meta:
        verbose_name = _("login")
        verbose_name_plural = _("logins")


class Membership(models.Model):
    ADMIN = "admin"
    USER = "user"
    ROLES = [(ADMIN, _("Client admin")), (USER, _("Client user"))]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=ROLES, default=USER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="uniq_membership")]
        ordering = ["account__number"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.account.number} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.ADMIN


class AuditTrailImmutable(PermissionDenied):
    """The audit trail is written once: an entry is never changed nor deleted."""


class AuditLogQuerySet(models.QuerySet):
    def delete(self):
        raise AuditTrailImmutable("The audit trail cannot be deleted.")


class AuditLog(models.Model):
    """Who did what, on which account and object, when, and from which address.

    Immutable: saving an existing entry or deleting entries raises AuditTrailImmutable (the
    only change the database sees is a deleted login or account becoming empty, SET_NULL)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("login"),
    )
    actor = models.CharField(
        _("person"), max_length=200, blank=True, help_text=_("user name or API token name")
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("client account"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=128, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["account", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutable("An audit log entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable("An audit log entry cannot be deleted.")
