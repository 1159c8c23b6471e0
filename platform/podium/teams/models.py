from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.models import TimeStampedModel


class Team(TimeStampedModel):
    """Every participant is in exactly one team per competition (a solo team on joining).

    The team row is the lock for rules that count a team's things (daily submission limit, team
    size, merges): services take ``select_for_update`` on it before counting.
    """

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_teams"
    )
    is_baseline = models.BooleanField(
        default=False, help_text="A team of the organizers' baseline kernels"
    )
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
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    # Denormalized from team so the database itself holds "one team per user per competition".
    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "user"], name="one_team_per_competition"
            ),
        ]


class RequestStatus(models.TextChoices):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class TeamRequest(TimeStampedModel):
    """What invitations, join requests and merge requests share: a pending question that one
    side answers once. Answered rows stay as the team's history; a team that is dissolved or
    merged away leaves its rows (their team set to NULL, its name kept in ``*_name``)."""

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["created_at"]


class Invitation(TeamRequest):
    """A team's leader invites a user; the user accepts or declines."""

    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="invitations")
    team_name = models.CharField(max_length=100)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TeamRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["team", "invitee"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation",
            ),
        ]


class JoinRequest(TeamRequest):
    """A participant asks to join a team; its leader accepts or declines."""

    team = models.ForeignKey(
        Team, null=True, on_delete=models.SET_NULL, related_name="join_requests"
    )
    team_name = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_join_requests"
    )

    class Meta(TeamRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            ),
        ]


class MergeRequest(TeamRequest):
    """Team A (``from_team``) asks team B (``to_team``) to merge; B's leader accepts, and B is the
    team that remains (A's members and submissions move into it)."""

    from_team = models.ForeignKey(
        Team, null=True, on_delete=models.SET_NULL, related_name="merge_requests_out"
    )
    to_team = models.ForeignKey(
        Team, null=True, on_delete=models.SET_NULL, related_name="merge_requests_in"
    )
    from_team_name = models.CharField(max_length=100)
    to_team_name = models.CharField(max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TeamRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["from_team", "to_team"],
                condition=models.Q(status="pending"),
                name="one_pending_merge_request",
            ),
        ]
