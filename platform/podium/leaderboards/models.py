from __future__ import annotations

from django.db import models


class LeaderboardEntry(models.Model):
    """A team's row on the public board, kept current in the scoring transaction.

    ``sort_key`` is the best public score turned so that larger is always better (negated for
    metrics where lower is better), so one index serves every board: reading a page is one
    indexed query, and a rank is a count over the same index.
    """

    competition = models.ForeignKey("competitions.Competition", on_delete=models.CASCADE, related_name="board")
    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="board_entry")
    best_submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    best_public_score = models.FloatField()
    sort_key = models.FloatField()
    best_submitted_at = models.DateTimeField()
    entries = models.PositiveIntegerField(default=0)
    last_submission_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "leaderboard entries"
        indexes = [
            models.Index(fields=["competition", "-sort_key", "best_submitted_at"], name="board_order"),
        ]
