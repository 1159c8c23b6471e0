from __future__ import annotations

from django.db import models


class LeaderboardEntry(models.Model):
    """A team's row on the public board, kept current in the scoring transaction.

    ``sort_key`` is the best public score turned so that larger is always better (negated for
    metrics where lower is better), so one index serves every board: reading a page is one
    indexed query, and a rank is a count over the same index.
    """

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="board"
    )
    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="board_entry")
    best_submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="+"
    )
    best_public_score = models.FloatField()
    sort_key = models.FloatField()
    best_submitted_at = models.DateTimeField()
    entries = models.PositiveIntegerField(default=0)
    last_submission_at = models.DateTimeField()
    # When the team's first on-time scored submission was made: the board marks it "new" for a day.
    first_entry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "leaderboard entries"
        indexes = [
            models.Index(
                fields=["competition", "-sort_key", "best_submitted_at"], name="board_order"
            ),
        ]


class PrivateEntry(models.Model):
    """A team's row on the private board, written only by ``private_board_build``.

    Materialized (not computed on read) so the private board is one indexed query; rebuilt in
    full at the reveal and whenever scores or teams change after it. ``public_rank`` and
    ``public_score`` are the team's place and best score on the public board when it was built:
    the board shows the move between the two ("shake-up"). Read only through the leaderboards
    selectors, which show it to the competition's organizers, and to everyone after the reveal.
    """

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="private_board"
    )
    team = models.OneToOneField(
        "teams.Team", on_delete=models.CASCADE, related_name="private_entry"
    )
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="+"
    )
    private_score = models.FloatField()
    sort_key = models.FloatField(help_text="The private score, larger is better")
    submitted_at = models.DateTimeField(
        help_text="Of the counted submission: ties go to the earlier"
    )
    rank = models.PositiveIntegerField()
    public_rank = models.PositiveIntegerField(null=True, blank=True)
    public_score = models.FloatField(null=True, blank=True)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "private leaderboard entries"
        constraints = [
            models.UniqueConstraint(fields=["competition", "rank"], name="private_board_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} #{self.rank}"


class RankSnapshot(models.Model):
    """A team's place on the public board at ``taken_at``: written by ``board_ranks_snapshot``
    every few minutes, for the teams whose rank or score changed since their previous snapshot.

    The board's change over 24 hours reads, per row, the latest snapshot before 24 hours ago
    (index ``rank_snapshot_team``); a team's rank history is its snapshots in order.
    """

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="rank_snapshots")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    taken_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["team", "-taken_at"], name="rank_snapshot_team"),
            models.Index(fields=["competition", "taken_at"], name="rank_snapshot_competition"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} #{self.rank} at {self.taken_at:%Y-%m-%d %H:%M}"
