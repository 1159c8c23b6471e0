"""Reads of kernel runs, with who-may-see-what in one place.

A run is visible to its competition's organizers, to the members of the team it ran for, and,
once the organizer publishes it, to everyone who can see the competition. Nothing here reads an
answer key or a private score: a run shows its submission's id and status only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import F, QuerySet, Sum
from django.db.models.fields.files import FieldFile

from baselines.config import CONFIGS_DIR, bundled_configs
from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.core.errors import NotFound
from podium.core.timeutils import utc_day_start
from podium.kernels.error_codes import KernelRefusal
from podium.kernels.models import KernelLogChunk, KernelRun, KernelSettings
from podium.teams import selectors as team_selectors
from podium.teams.models import Team


def available_baselines() -> list[str]:
    return bundled_configs()


def baseline_config_text(name: str) -> str:
    return (CONFIGS_DIR / f"{name}.yaml").read_text()


def kernel_settings(*, competition: Competition) -> KernelSettings:
    """The competition's settings (defaults when the organizer never saved any)."""
    found = KernelSettings.objects.filter(competition=competition).first()
    return found or KernelSettings(competition=competition)


def is_organizer(user, competition: Competition) -> bool:
    return competition_selectors.is_organizer(user, competition)


def _member_team_id(user, competition: Competition) -> int | None:
    if not user.is_authenticated:
        return None
    team = team_selectors.team_for_user(user=user, competition=competition)
    return team.pk if team else None


def can_manage(user, run: KernelRun) -> bool:
    """Whether ``user`` may cancel the run: its competition's organizers and its author."""
    if not user.is_authenticated:
        return False
    return is_organizer(user, run.competition) or run.created_by_id == user.pk


def may_launch(user, competition: Competition) -> bool:
    """Whether a launch form is worth showing to ``user`` (the service still decides): its
    organizers, and its participants where the competition lets them run kernels."""
    if is_organizer(user, competition):
        return True
    return bool(
        kernel_settings(competition=competition).participants_may_run
        and _member_team_id(user, competition)
    )


def can_see(user, run: KernelRun) -> bool:
    competition = run.competition
    if not competition_selectors.can_view(user, competition):
        return False
    if is_organizer(user, competition):
        return True
    if run.team_id is not None and run.team_id == _member_team_id(user, competition):
        return True
    return run.published


def runs_for(*, competition: Competition, viewer) -> QuerySet[KernelRun]:
    runs = KernelRun.objects.filter(competition=competition).select_related("team")
    if is_organizer(viewer, competition):
        return runs
    team_id = _member_team_id(viewer, competition)
    from django.db.models import Q

    visible = Q(published=True) | (Q(team_id=team_id) if team_id else Q(pk__in=[]))
    return runs.filter(visible)


def run_get(*, run_id: int, viewer, competition: Competition | None = None) -> KernelRun:
    """The run, or NotFound: one the viewer may not see is not admitted to exist."""
    run = None
    if isinstance(run_id, int) and 0 < run_id < 2**63:
        run = KernelRun.objects.select_related("competition", "team").filter(pk=run_id).first()
    if (
        run is None
        or (competition is not None and run.competition_id != competition.pk)
        or (not can_see(viewer, run))
    ):
        raise NotFound(KernelRefusal.NOT_FOUND, f"There is no kernel run {run_id}.")
    return run


def run_log(*, run: KernelRun, after: int = 0, limit: int = 500) -> list[KernelLogChunk]:
    return list(KernelLogChunk.objects.filter(run=run, seq__gt=after).order_by("seq")[:limit])


def run_log_text(*, run: KernelRun) -> str:
    return "".join(
        KernelLogChunk.objects.filter(run=run).order_by("seq").values_list("text", flat=True)
    )


def team_seconds_used(*, team_id: int, queue: str) -> float:
    """Compute charged to the team on ``queue``: its finished runs' charged time plus its
    running runs' time up to their last heartbeat (each heartbeat charges what ran since the
    one before). The organizers' baselines are never charged to a team."""
    total = KernelRun.objects.filter(team_id=team_id, queue=queue, is_baseline=False).aggregate(
        seconds=Sum("charged_seconds")
    )["seconds"]
    return float(total or 0.0)


def team_hours_used(*, team: Team, queue: str) -> float:
    """Hours of kernel runs (wall clock, as charged) the team has used on ``queue``."""
    return team_seconds_used(team_id=team.pk, queue=queue) / 3600


def quota_hours(config: KernelSettings, queue: str) -> float:
    return config.team_gpu_hours if queue == "gpu" else config.team_cpu_hours


def quota_spent(*, competition_id: int, team_id: int, queue: str) -> bool:
    """Whether the team's charged hours on ``queue`` reached its quota (a heartbeat asks)."""
    config = KernelSettings.objects.filter(competition_id=competition_id).first()
    quota = quota_hours(config or KernelSettings(), queue)
    return team_seconds_used(team_id=team_id, queue=queue) >= quota * 3600


@dataclass(frozen=True)
class KernelQuota:
    """A team's kernel hours on the queue its runs go to."""

    queue: str
    quota_hours: float
    used_hours: float

    @property
    def left_hours(self) -> float:
        return max(0.0, self.quota_hours - self.used_hours)

    @property
    def reached(self) -> bool:
        return self.used_hours >= self.quota_hours


def team_quota(*, competition: Competition, team: Team, queue: str | None = None) -> KernelQuota:
    queue = queue or kernel_queue()
    quota = quota_hours(kernel_settings(competition=competition), queue)
    return KernelQuota(
        queue=queue, quota_hours=quota, used_hours=team_hours_used(team=team, queue=queue)
    )


@dataclass(frozen=True)
class KernelLimits:
    """What a participant's run may ask for in a competition, and how many runs a team may
    have: the competition's settings, or the server's defaults where it set none."""

    max_concurrent_runs: int
    max_daily_runs: int
    wall_seconds: int
    memory_mb: int
    output_mb: int


def kernel_limits(*, competition: Competition) -> KernelLimits:
    config = kernel_settings(competition=competition)
    wall = config.max_wall_seconds or settings.KERNEL_WALL_SECONDS
    return KernelLimits(
        max_concurrent_runs=config.max_concurrent_runs,
        max_daily_runs=config.max_daily_runs,
        wall_seconds=min(wall, settings.KERNEL_MAX_WALL_SECONDS),
        memory_mb=config.max_memory_mb or settings.KERNEL_MEMORY_MB,
        output_mb=config.max_output_mb or settings.KERNEL_OUTPUT_MB,
    )


ACTIVE = (KernelRun.Status.QUEUED, KernelRun.Status.RUNNING)


def team_active_runs(*, team: Team) -> int:
    """The team's runs queued or running (any queue)."""
    return KernelRun.objects.filter(team=team, status__in=ACTIVE).count()


def team_runs_today(*, team: Team, moment: datetime | None = None) -> int:
    """The team's runs launched since 00:00 UTC; one cancelled before it started does not
    count (it used nothing)."""
    return (
        KernelRun.objects.filter(team=team, created_at__gte=utc_day_start(moment))
        .exclude(status=KernelRun.Status.CANCELLED, started_at__isnull=True)
        .count()
    )


@dataclass(frozen=True)
class RunRow:
    """One run as a list shows it: the run, and its submission's public score (never its
    private one: the list is for everyone who may see the run)."""

    run: KernelRun
    submission_status: str | None
    public_score: float | None


def run_rows(*, competition: Competition, viewer, limit: int = 200) -> list[RunRow]:
    runs = runs_for(competition=competition, viewer=viewer).annotate(
        submission_state=F("submission__status"), public_score=F("submission__public_score")
    )
    return [RunRow(run, run.submission_state, run.public_score) for run in runs[:limit]]


def run_row(*, run: KernelRun) -> RunRow:
    status, score = KernelRun.objects.filter(pk=run.pk).values_list(
        "submission__status", "submission__public_score"
    ).first() or (None, None)
    return RunRow(run, status, score)


def run_downloads(*, run: KernelRun) -> list[str]:
    """Which of DOWNLOADS the run has (the caller checked ``can_see``)."""
    have = {
        "code": bool(run.script) or run.source == KernelRun.Source.BASELINE,
        "config": bool(run.config),
        "log": True,
        "output": bool(run.output),
        "artifacts": bool(run.artifacts),
    }
    return [what for what in DOWNLOADS if have[what]]


def kernel_queue() -> str:
    """The queue a new run goes to: ``gpu`` where a GPU worker runs (PODIUM_KERNEL_QUEUE)."""
    return settings.KERNEL_QUEUE


DOWNLOADS = ("code", "config", "log", "output", "artifacts")


def run_stored_file(*, run: KernelRun, what: str) -> tuple[str, FieldFile] | None:
    """(file name, stored file) of a download that is a stored file (the caller checked
    ``can_see``): the uploaded script (``code``), the output (submission.csv) or the artifacts;
    None for one built here (config, log, a baseline's code) or one the run does not have."""
    if what == "code" and run.script:
        return "kernel.py", run.script
    if what == "output" and run.output:
        return "submission.csv", run.output
    if what == "artifacts" and run.artifacts:
        return f"kernel-{run.pk}-artifacts.zip", run.artifacts
    return None


def run_download(*, run: KernelRun, what: str) -> tuple[str, bytes]:
    """(file name, contents) of a download built here (the caller checked ``can_see``): the
    config, the log, or a baseline's code as a zip. The stored ones (an uploaded script, the
    output, the artifacts) are ``run_stored_file``'s, served without reading them here. None of
    them holds an answer key: the kernel never had one."""
    import io
    import zipfile

    if what == "config" and run.config:
        return "config.yaml", run.config.encode()
    if what == "log":
        return f"kernel-{run.pk}.log", run_log_text(run=run).encode()
    if what == "code":
        buffer = io.BytesIO()
        package = CONFIGS_DIR.parent
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(package.rglob("*.py")):
                archive.write(path, "baselines/" + path.relative_to(package).as_posix())
            archive.writestr("config.yaml", run.config)
        return f"kernel-{run.pk}-code.zip", buffer.getvalue()
    raise NotFound(KernelRefusal.NO_SUCH_OUTPUT, f"This run has no {what} to download.")
