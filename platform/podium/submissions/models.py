from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.models import TimeStampedModel
from podium.core.timeutils import now


def submission_upload_to(instance: Submission, filename: str) -> str:
    # A generated name: what the participant called the file is kept in original_name.
    return f"submissions/{instance.competition_id}/{instance.team_id}/{instance.uuid.hex}.csv"


class Submission(TimeStampedModel):
    """One prediction file. The database row is the truth about its scoring.

    pending -> scoring (a worker holds the lease) -> scored | failed. A worker writes its result
    only while it still holds the lease, so a second delivery of the task changes nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SCORING = "scoring"
        SCORED = "scored"
        FAILED = "failed"

    class FailureStage(models.TextChoices):
        """Where a failed submission stopped, which decides what it costs the team.

        Only what is found without looking at the public/private split may be free: a failure
        while the boards are scored could tell a team which board its rows are on, so it costs
        what a scored submission costs (``selectors.counted_q``)."""

        VALIDATION = "validation", "Refused by the file checks, before the split (free, capped)"
        METRIC = "metric", "Failed while the boards were scored (counts like a scored one)"
        SYSTEM = "system", "Not the team's doing: the organizers' setup or the servers (free)"

    uuid = models.UUIDField(unique=True, editable=False)
    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="submissions"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    file = models.FileField(upload_to=submission_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=500, blank=True)
    is_test = models.BooleanField(
        default=False,
        help_text="An organizer's test submission on a draft competition: scored, never on a board",
    )
    is_late = models.BooleanField(
        default=False, help_text="Made after the end: scored, off the board"
    )

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    solution_version = models.ForeignKey(
        "competitions.SolutionVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_score = models.FloatField(null=True, blank=True)
    # never leaves selectors before the reveal
    private_score = models.FloatField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    # Set when failed; blank otherwise (and on failures recorded before it existed: free).
    failure_stage = models.CharField(max_length=12, choices=FailureStage.choices, blank=True)
    error_message = models.TextField(blank=True, help_text="Shown to the participant")
    error_detail = models.TextField(blank=True, help_text="For organizers only (e.g. a traceback)")
    result_message = models.TextField(blank=True, help_text="Kaggle-style: best entry, moved up N")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["team", "created_at"], name="submission_team_day"),
            models.Index(fields=["status", "lease_expires_at"], name="submission_lease"),
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.status})"


class FinalSelection(models.Model):
    """A submission chosen for the private board: by the team (until the deadline), or for it.

    A team chooses up to ``competition.max_final_selections`` of its scored, on-time
    submissions through ``final_selection_set``. At the reveal, a team that chose none gets its
    best public ones (``automatic``), written by ``final_selections_autoselect``. Rows change
    only through those two services.
    """

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="final_selections"
    )
    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="final_selection"
    )
    automatic = models.BooleanField(
        default=False, help_text="Chosen at the reveal: the team chose none"
    )
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["team", "submission"]
        indexes = [models.Index(fields=["competition", "automatic"], name="final_selection_auto")]

    def __str__(self) -> str:
        return f"Final selection: submission {self.submission_id}"
