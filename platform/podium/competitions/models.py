from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property

from podium.core.models import TimeStampedModel
from podium.core.storage_backends import named_storage
from podium.core.timeutils import now


class SolutionsStorage(FileSystemStorage):
    """Answer keys and metric code on a local disk (``STORAGES["answer_keys"]`` by default):
    never under MEDIA, so no URL can reach them."""

    @property
    def base_location(self) -> str:  # read at use, so tests and settings changes apply
        return str(settings.SOLUTIONS_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None


# As scoring.metrics.DEFAULT_MAX_ABS and MAX_ABS_CEILING (importing the scoring library here
# would load it in every process that loads the models; a test keeps the numbers equal).
DEFAULT_PREDICTION_MAX_ABS = 1e12
PREDICTION_MAX_ABS_CEILING = 1e100


def validate_prediction_max_abs(value: float) -> None:
    if not 0 < value <= PREDICTION_MAX_ABS_CEILING:
        raise ValidationError(
            f"The prediction bound must be above 0 and at most {PREDICTION_MAX_ABS_CEILING:g}."
        )


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


def solutions_storage():
    """``STORAGES["answer_keys"]``: this folder, or a private bucket of its own (S3)."""
    return named_storage("answer_keys")


class Competition(TimeStampedModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: everyone with an account"
        INVITE_ONLY = "invite_only", "Invite only: invited users and allowed email domains"

    class State(models.TextChoices):
        UPCOMING = "upcoming"
        ACTIVE = "active"
        CLOSED = "closed"
        REVEALED = "revealed"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: only its organizers see it"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived: read-only, off the lists"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    subtitle = models.CharField(max_length=300, blank=True)
    overview = models.TextField(blank=True, help_text="Markdown")
    evaluation = models.TextField(blank=True, help_text="Markdown")
    rules = models.TextField(blank=True, help_text="Markdown; participants accept these to join")
    data_description = models.TextField(blank=True, help_text="Markdown")

    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organized_competitions", blank=True
    )
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    invited_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="invited_competitions", blank=True
    )
    allowed_email_domains = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated, e.g. example.com (invite-only)"
    )

    metric = models.CharField(max_length=64, help_text="A metric from the registry, or 'custom'")
    metric_params = models.JSONField(default=dict, blank=True)
    custom_metric_file = models.FileField(
        upload_to="metrics/",
        storage=solutions_storage,
        blank=True,
        help_text="Kaggle-interface score(solution, submission, row_id_column_name) file",
    )
    custom_metric_higher_is_better = models.BooleanField(default=True)
    metric_display_name = models.CharField(
        max_length=80, blank=True, help_text="A custom metric's name, as participants see it"
    )
    metric_description = models.CharField(
        max_length=300, blank=True, help_text="A custom metric's one-line description"
    )

    start_at = models.DateTimeField()
    entry_deadline = models.DateTimeField(null=True, blank=True, help_text="Last moment to join")
    team_merger_deadline = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField()
    private_revealed_at = models.DateTimeField(null=True, blank=True)
    auto_reveal_private = models.BooleanField(
        default=True, help_text="Reveal the private board at the end (else with the admin action)"
    )
    reveal_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="With auto-reveal: reveal the private board at this moment, after the end "
        "(time to verify the winners), instead of at the end",
    )
    awards_medals = models.BooleanField(
        default=True,
        help_text="Award medals and ranking points at the reveal (off: a practice or internal "
        "competition that counts toward no one's profile)",
    )

    daily_submission_limit = models.PositiveIntegerField(default=5)
    failed_submissions_count = models.BooleanField(
        default=False,
        help_text="Do all failed submissions count toward the daily limit? (One that fails "
        "while being scored always counts; without this, those refused by the file checks, or "
        "failed by no doing of the team, are free.)",
    )
    daily_invalid_submission_limit = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1)],
        help_text="Submissions refused by the file checks (free) a team may make per UTC day; "
        "past it, the team's uploads are refused until 00:00 UTC",
    )
    prediction_max_abs = models.FloatField(
        default=DEFAULT_PREDICTION_MAX_ABS,
        validators=[validate_prediction_max_abs],
        help_text="Numeric predictions beyond ± this are refused by the file checks "
        "(probabilities stay within [0, 1]); at most 1e100",
    )
    total_submission_limit = models.PositiveIntegerField(null=True, blank=True)
    max_team_size = models.PositiveIntegerField(default=5)
    max_final_selections = models.PositiveIntegerField(default=2)
    score_display_precision = models.PositiveSmallIntegerField(default=5)
    submission_max_bytes = models.PositiveBigIntegerField(default=512 * 1024 * 1024)

    class FinalSelectionFallback(models.TextChoices):
        BEST_PUBLIC = "best_public", "Kaggle: a team that selected none gets its best public ones"
        BEST_PRIVATE = "best_private", "DrivenData: every team is ranked by its best private score"

    final_selection_fallback = models.CharField(
        max_length=20,
        choices=FinalSelectionFallback.choices,
        default=FinalSelectionFallback.BEST_PUBLIC,
    )
    # Invite-only: whoever holds this link's secret may join (rotate it to revoke the link).
    invitation_token = models.CharField(max_length=64, default=new_invitation_token, unique=True)

    class Meta:
        ordering = ["-start_at"]

    def __str__(self) -> str:
        return self.title

    def state_at(self, moment=None) -> str:
        moment = moment or now()
        if self.private_revealed_at and self.private_revealed_at <= moment:
            return self.State.REVEALED
        if moment < self.start_at:
            return self.State.UPCOMING
        if moment < self.end_at:
            return self.State.ACTIVE
        return self.State.CLOSED

    @property
    def state(self) -> str:
        return self.state_at()

    @cached_property
    def greater_is_better(self) -> bool:
        if self.metric == "custom":
            return self.custom_metric_higher_is_better
        from scoring import get_metric

        return get_metric(self.metric).greater_is_better

    @property
    def private_is_revealed(self) -> bool:
        return self.state == self.State.REVEALED


class DataFile(TimeStampedModel):
    class Kind(models.TextChoices):
        TRAIN = "train"
        TEST = "test"
        SAMPLE_SUBMISSION = "sample_submission", "Sample submission"
        OTHER = "other"

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="data_files"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(upload_to="competitions/%Y/%m/")
    name = models.CharField(max_length=255, help_text="The name participants download it under")
    description = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="unique_data_file_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SolutionVersion(TimeStampedModel):
    """One upload of the answer key. The newest valid version is the active one."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="solution_versions"
    )
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="solutions/", storage=solutions_storage)
    sha256 = models.CharField(max_length=64)
    rows = models.JSONField(default=dict, help_text="Row counts: total, public, private, ignored")
    columns = models.JSONField(default=list, help_text="The header a submission must have")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Rescoring every submission with this version: requested, then finished (progress is the
    # share of submissions whose solution_version is this one).
    rescore_requested_at = models.DateTimeField(null=True, blank=True)
    rescore_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["competition", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "number"], name="unique_solution_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competition.slug} solution v{self.number}"


class RuleAcceptance(models.Model):
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="rule_acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rule_acceptances"
    )
    accepted_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="unique_rule_acceptance"),
        ]
