"""What a user is told: one row per notification, read in the bell and the notifications page.

Written only by ``notifications.services.notify`` (any app below the interfaces calls it); the
email half (immediate or in the daily digest) follows the recipient's preferences, fixed on the
row when it is made (``delivery``), and ``emailed_at`` is claimed by a conditional UPDATE before
a message is sent, so no notification is mailed twice.
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


class Delivery(models.TextChoices):
    """What happens beyond the bell: a user's choice per kind (``NotificationPreference``)."""

    APP = "app", "In the app only"
    EMAIL = "email", "Email me at once"
    DIGEST = "digest", "In the daily digest email"


# What a user gets before choosing: what needs an answer or is rare and big is emailed; the
# chatty kinds wait for the digest; what the user is watching happen stays in the app.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.REPLY: Delivery.DIGEST,
    Kind.MENTION: Delivery.EMAIL,
    Kind.ANNOUNCEMENT: Delivery.EMAIL,
    Kind.TEAM_INVITATION: Delivery.EMAIL,
    Kind.TEAM_REQUEST: Delivery.EMAIL,
    Kind.TEAM_ANSWER: Delivery.DIGEST,
    Kind.SUBMISSION_FAILED: Delivery.APP,
    Kind.KERNEL_FINISHED: Delivery.APP,
    Kind.BOARD_REVEALED: Delivery.EMAIL,
    Kind.MEDAL: Delivery.EMAIL,
}


class NotificationPreference(models.Model):
    """A user's choice for one kind; only choices that differ from the default are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


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
    # The recipient's choice when it was made; emailed_at: claimed (set) just before it is mailed.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.APP)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            # The digest's and the mail sweep's walk: only rows still waiting for an email.
            models.Index(
                fields=["delivery", "created_at"],
                name="notification_mail_waiting",
                condition=models.Q(emailed_at__isnull=True) & ~models.Q(delivery="app"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"
