"""What a user is told: one row per notification, read in the bell and the notifications page.

Written only by ``notifications.services.notify`` (any app below the interfaces calls it); the
email half (immediate or in the daily digest) follows the recipient's preferences.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.timeutils import now


class Kind(models.TextChoices):
    REPLY = "reply", "A reply to your topic or post"
    MENTION = "mention", "An @mention"
    ANNOUNCEMENT = "announcement", "An organizer's announcement"
    TEAM_INVITATION = "team_invitation", "A team invitation"
    TEAM_REQUEST = "team_request", "A join or merge request"
    TEAM_ANSWER = "team_answer", "The answer to your invitation or request"
    SUBMISSION_FAILED = "submission_failed", "A submission that failed"
    KERNEL_FINISHED = "kernel_finished", "A kernel that finished"
    BOARD_REVEALED = "board_revealed", "The private leaderboard revealed"
    MEDAL = "medal", "A medal"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=300)
    # A path on this site ("/competitions/x/discussion/12/"), never an outside address.
    url = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"
