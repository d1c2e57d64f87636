"""On-call schedules.

A schedule is made of shifts. People are put on shifts by assignments: one base assignment
per shift at most, and overrides that cover all or part of it (the newest wins where they
overlap). Assignments are never deleted or edited in place: unassigning revokes one
(`revoked_at`), so the history is never rewritten. Every change is also written as a
`ScheduleEvent` (who, when, what, before and after).

"Who is on call" is stored as resolved `OnCallInterval` rows, refreshed in the same
transaction as each change, so that the look-up is a plain indexed query.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account
from portal.directory.models import Contact


class Schedule(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="schedules")
    external_id = models.CharField(_("schedule id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="uniq_schedule")
        ]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from portal.text import clean_single_line

        super().clean()
        clean_single_line(self, "external_id", "name")


class Shift(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="shifts")
    external_id = models.CharField(_("shift id"), max_length=64)
    start = models.DateTimeField(_("Start"))
    end = models.DateTimeField(_("End"))
    rank = models.PositiveIntegerField(_("Rank"), default=0)
    name = models.CharField(_("Shift"), max_length=100, default="Rotation")
    role = models.CharField(_("Role"), max_length=32, default="OC")
    # Bumped on every change: a stale edit is refused instead of silently overwriting.
    version = models.PositiveIntegerField(default=1)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "external_id"], name="uniq_shift"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="shift_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["schedule", "start"])]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        # In the account's zone, with its abbreviation (the back office names shifts so).
        try:
            start = self.start.astimezone(self.schedule.account.tz)
        except (Schedule.DoesNotExist, AttributeError, TypeError, ValueError):
            return f"{self.name} {self.role} {self.start:%Y-%m-%d %H:%M}"
        return f"{self.name} {self.role} {start:%Y-%m-%d %H:%M} {start.tzname()}"

    def clean(self):
        from portal.text import clean_single_line

        super().clean()
        clean_single_line(self, "external_id", "name", "role")


class Assignment(models.Model):
    BASE, OVERRIDE = "base", "override"
    KINDS = [(BASE, _("Assignment")), (OVERRIDE, _("Override"))]

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(max_length=8, choices=KINDS)
    contact = models.ForeignKey(
        Contact, null=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    contact_name = models.CharField(max_length=200, help_text="the name when assigned")
    start = models.DateTimeField()
    end = models.DateTimeField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_by_name = models.CharField(max_length=200, blank=True)
    # A revocation takes effect from this moment (a client's: from the moment it was done, so
    # that the past keeps who was on call); null on a revoked assignment: it never counted.
    effective_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["shift", "revoked_at"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.contact_name}"


class ShiftComment(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"


class OnCallInterval(models.Model):
    """A resolved piece of a shift: from start to end, this contact (or nobody) is on call."""

    ASSIGNMENT, OVERRIDE, UNASSIGNED = "assignment", "override", "unassigned"
    SOURCES = [(ASSIGNMENT, "assignment"), (OVERRIDE, "override"), (UNASSIGNED, "unassigned")]

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="intervals")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()
    end = models.DateTimeField()
    source = models.CharField(max_length=10, choices=SOURCES)
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    assignment = models.ForeignKey(
        Assignment, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["account", "end", "start"]),
            models.Index(fields=["shift", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} {self.source}"


class ScheduleEvent(models.Model):
    """The schedule's history: every change, with who, when, what, before and after."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="events")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class CalendarFeed(models.Model):
    """A secret iCal link for a schedule, or for one contact's shifts; rotated by replacing it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feed {self.token[:6]}…"
