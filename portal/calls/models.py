"""Calls pushed by the platform, the agents who took them, and their recordings.

Durations are stored as whole milliseconds so that sums and means are exact in SQL.
The start in the account's zone is denormalised (date, minute of day, weekday) at ingest
so that statistics filter on it in the database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Account


class Agent(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.code


class Call(models.Model):
    IN, OUT = "in", "out"
    DIRECTIONS = [(IN, _("incoming")), (OUT, _("outgoing"))]
    VOICE, TRANSACTION = "voice", "transaction"
    KINDS = [(VOICE, _("voice")), (TRANSACTION, _("transaction"))]

    call_id = models.CharField(_("call number"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="calls")
    direction = models.CharField(max_length=3, choices=DIRECTIONS, default=IN)
    kind = models.CharField(max_length=12, choices=KINDS, default=VOICE)
    started_at = models.DateTimeField(_("start"))
    duration_ms = models.BigIntegerField(_("duration (ms)"))
    caller_id = models.CharField(_("caller ID"), max_length=64, blank=True)
    caller_name = models.CharField(_("caller name"), max_length=200, blank=True)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    station = models.CharField(_("station"), max_length=32, blank=True)
    distribution_group = models.PositiveIntegerField(default=0)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    queued_ms = models.BigIntegerField(null=True, blank=True)
    assigned_ms = models.BigIntegerField(null=True, blank=True)
    answered_ms = models.BigIntegerField(null=True, blank=True)
    work_ms = models.BigIntegerField(null=True, blank=True)
    holds_ms = models.JSONField(default=list, blank=True)
    hold_total_ms = models.BigIntegerField(default=0)
    hold_max_ms = models.BigIntegerField(default=0)
    patch_ms = models.BigIntegerField(default=0)
    busy = models.BooleanField(default=False)
    # Where the call falls in the statistics (contract, "Statistics — definitions"), worked
    # out at ingest from its timings so that reports compare one small number per row.
    NOT_COUNTED, AUTOMATED, SYSTEM_ABANDON, AGENT_ABANDON, ANSWERED = 0, 1, 2, 3, 4
    stat_class = models.PositiveSmallIntegerField(default=0)
    # Denormalised from started_at in the account's time zone, for filtering in SQL.
    local_date = models.DateField()
    local_minute = models.PositiveSmallIntegerField()
    local_weekday = models.PositiveSmallIntegerField(help_text="0 is Monday")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The call log: newest first per account, with its usual criteria and the
            # total duration readable from the index alone.
            models.Index(
                fields=["account", "started_at", "duration_ms", "agent", "quality"],
                name="call_log_cover",
            ),
            # The call log searched by agent initials (the WebPortal's most used criterion).
            models.Index(
                fields=["account", "agent", "started_at", "duration_ms", "quality"],
                name="call_log_agent",
            ),
            # Statistics: every filter and figure, so that a report reads only the index.
            models.Index(
                fields=[
                    "account",
                    "local_date",
                    "direction",
                    "kind",
                    "stat_class",
                    "local_minute",
                    "local_weekday",
                    "agent",
                    "distribution_group",
                    "busy",
                    "work_ms",
                    "hold_total_ms",
                    "hold_max_ms",
                    "queued_ms",
                    "answered_ms",
                    "patch_ms",
                ],
                name="call_stats_cover",
            ),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return self.call_id

    @property
    def duration_s(self) -> float:
        return self.duration_ms / 1000


def recording_path(instance: "Recording", filename: str) -> str:
    return f"recordings/{instance.call.account.number}/{filename}"


class Recording(models.Model):
    FORMATS = {
        "audio/wav": "wav",
        "audio/mpeg": "mp3",
        "audio/ogg": "ogg",
        "audio/webm": "webm",
    }

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="recording")
    file = models.FileField(upload_to=recording_path, max_length=255)
    content_type = models.CharField(max_length=32)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    duration_s = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.call.call_id}.{self.extension}"

    @property
    def extension(self) -> str:
        return self.FORMATS.get(self.content_type, "bin")


class CallRollup(models.Model):
    """The statistics' figures summed per account, local day, local hour, agent and
    distribution group, over the incoming voice calls (portal/calls/rollups.py keeps it:
    ingest refreshes the hours it touches, `rebuild_call_rollups` rebuilds it). Each column
    is the SUM over the group of what portal.stats.services.aggregates() counts per call, so
    adding rows up gives the direct query's figures exactly."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    hour = models.PositiveSmallIntegerField()
    local_weekday = models.PositiveSmallIntegerField()
    agent_key = models.BigIntegerField(help_text="the agent's id, 0 for none")
    distribution_group = models.PositiveIntegerField()
    t = models.BigIntegerField()
    g = models.BigIntegerField()
    s = models.BigIntegerField()
    n = models.BigIntegerField()
    b = models.BigIntegerField()
    r = models.BigIntegerField()
    worked = models.BigIntegerField()
    work_ms = models.BigIntegerField()
    h = models.BigIntegerField()
    hold_ms = models.BigIntegerField()
    wait_ms = models.BigIntegerField()
    w = models.BigIntegerField()
    p = models.BigIntegerField()
    patch_ms = models.BigIntegerField()
    busy = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "local_date", "hour", "agent_key", "distribution_group"],
                name="call_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.local_date} {self.hour:02d}h"
