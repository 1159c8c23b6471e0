"""Forums: topics, their replies (one level deep, as on Kaggle), votes and reports.

A topic lives in one of three places: a competition's forum (``competition`` set), the site-wide
forum (no competition, no team), or a team's private thread (``team`` set, one per team, only
its members read it). Written only by ``discussion.services``; read through
``discussion.selectors``, where who-may-see-what is decided.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from podium.core.timeutils import now


class Topic(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        ANNOUNCEMENT = "announcement", "Announcement"
        WRITEUP = "writeup", "Solution write-up"
        TEAM = "team", "Team thread"

    competition = models.ForeignKey(
        "competitions.Competition",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="topics",
    )
    # A team's private thread: only its members see it (never the organizers nor staff).
    team = models.OneToOneField(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50_000, blank=True, help_text="Markdown, stored raw")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_topics"
    )
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=now)
    # Denormalized, written under the topic's row lock (votes) or with F() (replies).
    vote_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    # "hot" (selectors.hot_score): log10 of the votes plus the creation time; larger is hotter.
    hot = models.FloatField(default=0.0)
    # A write-up: the team it speaks for and its final private rank when it was posted.
    writeup_team = models.OneToOneField(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="writeup"
    )
    writeup_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-pinned", "-last_activity_at"]
        indexes = [
            models.Index(fields=["competition", "-pinned", "-hot"], name="topic_hot"),
            models.Index(
                fields=["competition", "-pinned", "-last_activity_at"], name="topic_recent"
            ),
            models.Index(fields=["competition", "-pinned", "-vote_count"], name="topic_votes"),
            models.Index(fields=["author", "-created_at"], name="topic_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(kind="team"), name="topic_team_is_thread"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Reply(models.Model):
    """A reply to a topic. Replying to a reply is replying to its topic, quoting whom it answers
    (``answers``), so threads stay one level deep."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_replies"
    )
    answers = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=50_000, help_text="Markdown, stored raw")
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    edited_at = models.DateTimeField(null=True, blank=True)
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "replies"
        indexes = [
            models.Index(fields=["topic", "created_at"], name="reply_topic"),
            models.Index(fields=["author", "-created_at"], name="reply_author"),
        ]

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.topic_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class TopicVote(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="one_vote_per_topic"),
        ]


class ReplyVote(models.Model):
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="one_vote_per_reply"),
        ]


class Report(models.Model):
    """Someone signed in flags a post for the moderators (the admin lists them)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reports")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "reporter"],
                condition=Q(reply__isnull=True),
                name="one_report_per_topic",
            ),
            models.UniqueConstraint(
                fields=["reply", "reporter"],
                condition=Q(reply__isnull=False),
                name="one_report_per_reply",
            ),
        ]

    def __str__(self) -> str:
        post = f"reply {self.reply_id}" if self.reply_id else f"topic {self.topic_id}"
        return f"report {self.pk} on {post}"
