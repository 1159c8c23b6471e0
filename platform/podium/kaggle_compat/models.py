"""An upload token: what ``StartSubmissionUpload`` hands out, where the client PUTs its file and
what ``CreateSubmission`` then names. Only its SHA-256 is stored; it is single-use (each step
claims it with one conditional UPDATE) and expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.timeutils import now


class UploadToken(models.Model):
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    declared_size = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField(db_index=True)
    put_at = models.DateTimeField(null=True, blank=True)  # the one PUT began
    stored_name = models.CharField(max_length=500, blank=True)  # its bytes, once all received
    used_at = models.DateTimeField(null=True, blank=True)  # CreateSubmission took it

    def __str__(self) -> str:
        return f"upload of {self.file_name} by user {self.user_id}"
