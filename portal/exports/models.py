"""A long export made in the background (portal.exports.services): who asked for it, what,
how far it got, and the file it left in the default storage until it expires."""

import uuid

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(s, s) for s in (QUEUED, RUNNING, DONE, FAILED)]
    # Why a job failed (the page says it in the reader's language).
    NO_SPACE, ERROR = "space", "error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=40)  # a key of services.KINDS
    criteria = models.JSONField(default=dict)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True)  # in the default storage
    download_name = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)  # rows or recordings in the file
    error = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "account", "-created_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.status} ({self.account_id})"

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)

    @property
    def percent(self) -> int:
        """How far it got, 0–100 (100 only once the file is stored)."""
        if self.status == self.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)
