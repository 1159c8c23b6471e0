from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.models import TimeStampedModel


class Team(TimeStampedModel):
    """Every participant is in exactly one team per competition (a solo team on joining).

    The team row is the lock for rules that count a team's things (daily submission limit, team
    size, merges): services take ``select_for_update`` on it before counting.
    """

    competition = models.ForeignKey("competitions.Competition", on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_teams")
    is_baseline = models.BooleanField(default=False, help_text="A team of the organizers' baseline kernels")
    disqualified_at = models.DateTimeField(null=True, blank=True)
    disqualification_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["competition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="unique_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    # Denormalized from team so the database itself holds "one team per user per competition".
    competition = models.ForeignKey("competitions.Competition", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="one_team_per_competition"),
        ]
