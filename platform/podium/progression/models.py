"""What progression keeps: each user's result in each revealed competition, and each user's
standing (points now, medal counts, tier) that the site ranking and the profiles read.

Written only by ``progression.services`` (from the private boards, which it never changes).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.timeutils import now


class Medal(models.IntegerChoices):
    """Ordered as ``rules.Medal``: a better medal is greater."""

    BRONZE = 1, "Bronze"
    SILVER = 2, "Silver"
    GOLD = 3, "Gold"


class CompetitionResult(models.Model):
    """A user's final result in a revealed competition that awards medals: one row per member
    of each counted team (Baseline and disqualified teams have none).

    ``rank`` is the team's place on the private board as shown; ``counted_rank`` its place among
    the counted teams (``teams`` of them), which the medal and the points follow. ``points`` is
    what the result was worth at ``deadline`` (the competition's end); a standing decays it.
    """

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_results"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.SET_NULL, null=True, related_name="+")
    team_name = models.CharField(max_length=100)
    rank = models.PositiveIntegerField()
    counted_rank = models.PositiveIntegerField()
    teams = models.PositiveIntegerField(help_text="Teams counted (no Baseline, no disqualified)")
    teammates = models.PositiveIntegerField()
    medal = models.PositiveSmallIntegerField(choices=Medal.choices, null=True, blank=True)
    points = models.FloatField(help_text="Ranking points at the deadline, before decay")
    deadline = models.DateTimeField()
    computed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-deadline", "competition_id"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="one_result_per_user"),
        ]
        indexes = [models.Index(fields=["user", "-deadline"], name="result_of_user")]

    def __str__(self) -> str:
        return f"{self.user_id} #{self.rank} in {self.competition_id}"


class MedalNotice(models.Model):
    """The best medal a user was told about in a competition: a recomputation that gives the
    same medal again (or a lesser one) tells nobody; only a better one is news."""

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    medal = models.PositiveSmallIntegerField(choices=Medal.choices)
    notified_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="one_medal_notice"),
        ]


class UserStanding(models.Model):
    """A user's standing on the site: ranking points now (decayed), medal counts and how many
    competitions. The site rank is a count over ``standing_rank`` ("16 of 1,204": users with
    points), so it needs no stored rank to keep current."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing"
    )
    points = models.FloatField(default=0.0)
    gold = models.PositiveIntegerField(default=0)
    silver = models.PositiveIntegerField(default=0)
    bronze = models.PositiveIntegerField(default=0)
    solo_gold = models.PositiveIntegerField(default=0)
    competitions = models.PositiveIntegerField(default=0)
    solo_competitions = models.PositiveIntegerField(default=0)
    team_competitions = models.PositiveIntegerField(default=0)
    # Medals from votes on the user's discussion posts and published kernels.
    discussion_gold = models.PositiveIntegerField(default=0)
    discussion_silver = models.PositiveIntegerField(default=0)
    discussion_bronze = models.PositiveIntegerField(default=0)
    kernel_gold = models.PositiveIntegerField(default=0)
    kernel_silver = models.PositiveIntegerField(default=0)
    kernel_bronze = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["-points", "user"], name="standing_rank")]

    def __str__(self) -> str:
        return f"standing of {self.user_id}: {self.points:.0f}"
