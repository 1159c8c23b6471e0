"""A kernel run: one baseline (or an uploaded script) executed on the server for a competition.

queued -> running (a worker holds the lease, renewed by a heartbeat) -> succeeded | failed |
cancelled. A worker writes the end of a run only while it still holds the lease, so a second
delivery of the task (Redis redelivers a task that outlives the visibility timeout) changes
nothing; the reconciler queues again, or fails, a run whose lease expired (its worker died).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.models import TimeStampedModel


def kernel_upload_to(instance: KernelRun, filename: str) -> str:
    return f"kernels/{instance.competition_id}/{instance.uuid.hex}/{filename}"


class KernelSettings(models.Model):
    """Per competition: may participants run kernels too, with which quota and limits.

    The limits bind participants' runs only (the organizers' baselines run for the Baseline
    team). An empty cap is the server's default for every run (PODIUM_KERNEL_WALL_SECONDS,
    PODIUM_KERNEL_MEMORY_MB, PODIUM_KERNEL_OUTPUT_MB); a wall-clock cap never goes above the
    server's own maximum (PODIUM_KERNEL_MAX_WALL_SECONDS).
    """

    competition = models.OneToOneField(
        "competitions.Competition", on_delete=models.CASCADE, related_name="kernel_settings"
    )
    participants_may_run = models.BooleanField(default=False)
    team_gpu_hours = models.FloatField(default=1.0, help_text="Per team, on the gpu queue")
    team_cpu_hours = models.FloatField(default=2.0, help_text="Per team, on the cpu queue")
    max_concurrent_runs = models.PositiveIntegerField(
        default=1, help_text="Per team: runs queued or running at once"
    )
    max_daily_runs = models.PositiveIntegerField(
        default=10, help_text="Per team: runs launched per UTC day"
    )
    max_wall_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The most wall-clock seconds a participant's run may ask for (empty: the "
        "server's default)",
    )
    max_memory_mb = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The most memory (MB) a participant's run may ask for (empty: the server's "
        "default)",
    )
    max_output_mb = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The most output (MB) a participant's run may ask for (empty: the server's "
        "default)",
    )

    class Meta:
        verbose_name_plural = "kernel settings"

    def __str__(self) -> str:
        return f"Kernel settings of {self.competition}"


class KernelRun(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Source(models.TextChoices):
        BASELINE = "baseline", "A bundled baseline and its config"
        SCRIPT = "script", "An uploaded Python script"

    uuid = models.UUIDField(unique=True, editable=False)
    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="kernel_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kernel_runs"
    )
    # The team whose quota it uses and under which it submits (the Baseline team for organizers).
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="kernel_runs"
    )
    is_baseline = models.BooleanField(default=False, help_text="An organizer's baseline")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    baseline = models.CharField(max_length=100, blank=True, help_text="A bundled config's name")
    config = models.TextField(blank=True, help_text="The YAML config the baseline runs with")
    script = models.FileField(upload_to=kernel_upload_to, blank=True, max_length=255)
    queue = models.CharField(max_length=20, default="cpu")
    published = models.BooleanField(
        default=False, help_text="Participants may see it and download its code, logs and output"
    )
    # "Copy & edit": the run this one copied (its code and config), credited on its page.
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    # limits
    wall_seconds = models.PositiveIntegerField()
    cpu_seconds = models.PositiveIntegerField()
    memory_mb = models.PositiveIntegerField()
    output_mb = models.PositiveIntegerField()

    # the run
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    sandbox = models.CharField(max_length=100, blank=True, help_text="How it was confined")
    failure = models.CharField(max_length=30, blank=True)
    error_message = models.TextField(blank=True)
    error_detail = models.TextField(blank=True, help_text="A traceback, for whoever sees the run")
    exit_code = models.IntegerField(null=True, blank=True)
    cpu_seconds_used = models.FloatField(null=True, blank=True)
    # Compute charged to its team's hours: each heartbeat adds the wall time since charged_at
    # (a conditional UPDATE), and the run's end adds the last part.
    charged_seconds = models.FloatField(default=0.0)
    charged_at = models.DateTimeField(null=True, blank=True)
    output = models.FileField(upload_to=kernel_upload_to, blank=True, max_length=255)
    artifacts = models.FileField(upload_to=kernel_upload_to, blank=True, max_length=255)
    submission = models.ForeignKey(
        "submissions.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="kernel_run_lease")]

    def __str__(self) -> str:
        return f"Kernel run {self.pk}: {self.title} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at
        if end is None:
            from podium.core.timeutils import now

            end = now()
        return (end - self.started_at).total_seconds()


class KernelLogChunk(models.Model):
    """The run's console output, appended while it runs (the page polls for chunks after N)."""

    run = models.ForeignKey(KernelRun, on_delete=models.CASCADE, related_name="log_chunks")
    attempt = models.PositiveSmallIntegerField(default=1)
    seq = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="unique_kernel_log_seq"),
        ]


class KernelVote(models.Model):
    """One user's vote for a published kernel: one per user (the unique pair makes a second,
    concurrent vote a no-op), never on one's own run; withdrawn by deleting the row."""

    run = models.ForeignKey(KernelRun, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], name="unique_kernel_vote"),
        ]

    def __str__(self) -> str:
        return f"Vote of {self.user_id} for kernel run {self.run_id}"


class KernelComment(models.Model):
    """A comment on a published kernel: Markdown, shown through the web's sanitizer; an edit
    by its author sets ``edited_at`` (the "edited" mark)."""

    run = models.ForeignKey(KernelRun, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kernel_comments"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["run", "created_at"], name="kernel_comment_run")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on kernel run {self.run_id}"
