"""Writes of the kernels app: launching a run, the lease protocol of its execution, its log, its
end, cancelling, publishing, and the reconciler that finds runs whose worker died.

Every state change is a conditional UPDATE on (status, lease owner), as for submissions: a
worker that lost its lease (the reconciler took the run back) or a second delivery of the task
changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q

from baselines.config import ConfigError, parse_config
from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError, LimitReached, PermissionDenied
from podium.core.queue import RUN_KERNEL, enqueue_on_commit
from podium.core.timeutils import now
from podium.kernels import selectors
from podium.kernels.error_codes import KernelFailure, KernelRefusal
from podium.kernels.models import KernelLogChunk, KernelRun, KernelSettings
from podium.teams import selectors as team_selectors
from podium.teams.services import baseline_team_ensure

Status = KernelRun.Status
BASELINE_USERNAME = "podium-baseline"
SCRIPT_MAX_BYTES = 1024 * 1024


def baseline_user():
    """The service account the Baseline teams submit as: it cannot log in."""
    User = get_user_model()
    try:
        user, made = User.objects.get_or_create(
            username=BASELINE_USERNAME,
            defaults={"email": "", "is_active": False, "first_name": "Baseline"},
        )
    except IntegrityError:
        user, made = User.objects.get(username=BASELINE_USERNAME), False
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def kernel_settings_update(
    *, competition: Competition, participants_may_run: bool, team_gpu_hours: float,
    team_cpu_hours: float,
) -> KernelSettings:
    found, _ = KernelSettings.objects.update_or_create(
        competition=competition,
        defaults={"participants_may_run": participants_may_run, "team_gpu_hours": team_gpu_hours,
                  "team_cpu_hours": team_cpu_hours},
    )
    return found


def _check_quota(competition: Competition, team, queue: str) -> None:
    hours = selectors.team_quota(competition=competition, team=team, queue=queue)
    used, quota = hours.used_hours, hours.quota_hours
    if hours.reached:
        raise LimitReached(
            KernelRefusal.QUOTA_REACHED,
            f"Your team has used {used:.2f} of its {quota:g} {queue.upper()} hours for kernels "
            "in this competition.",
            details={"used_hours": round(used, 4), "quota_hours": quota, "queue": queue},
        )


def _limit(value: int | None, default: int, cap: int | None = None) -> int:
    chosen = default if value is None else max(1, int(value))
    return min(chosen, cap) if cap else chosen


def kernel_launch(
    *, user, competition: Competition, baseline: str = "", config: str = "", script=None,
    title: str = "", publish: bool = False, wall_seconds: int | None = None,
    memory_mb: int | None = None,
) -> KernelRun:
    """Queue a kernel: a bundled baseline (with its config, or an edited one) or an uploaded
    Python script. Organizers run baselines for the competition's Baseline team; participants,
    where the competition allows it, for their own team within its hours quota."""
    competition_selectors.require_can_view(user=user, competition=competition)
    organizer = selectors.is_organizer(user, competition)
    if organizer:
        team = baseline_team_ensure(competition=competition, user=baseline_user())
    else:
        if not selectors.kernel_settings(competition=competition).participants_may_run:
            raise PermissionDenied(
                KernelRefusal.NOT_ALLOWED,
                "Only the organizers run kernels in this competition.",
            )
        competition_selectors.require_rules_accepted(user, competition)
        team = team_selectors.require_team(user=user, competition=competition)
    queue = selectors.kernel_queue()
    if not organizer:
        _check_quota(competition, team, queue)
    if script is not None:
        source, name = KernelRun.Source.SCRIPT, ""
        if script.size > SCRIPT_MAX_BYTES:
            raise DomainError(KernelRefusal.NO_CODE, "A kernel script may be at most 1 MB.")
        config = ""
    elif baseline:
        source, name = KernelRun.Source.BASELINE, baseline
        if baseline not in selectors.available_baselines():
            raise DomainError(
                KernelRefusal.UNKNOWN_BASELINE,
                f"There is no baseline {baseline!r}; there are: "
                f"{', '.join(selectors.available_baselines())}.",
            )
        config = config.strip() or selectors.baseline_config_text(baseline)
        try:
            parse_config(config)
        except (ConfigError, ValueError) as exc:
            raise DomainError(KernelRefusal.BAD_CONFIG, f"The config cannot run: {exc}") from None
    else:
        raise DomainError(KernelRefusal.NO_CODE, "Choose a baseline or upload a script.")
    moment = now()
    wall_cap = settings.KERNEL_MAX_WALL_SECONDS if organizer else settings.KERNEL_WALL_SECONDS
    wall = _limit(wall_seconds, settings.KERNEL_WALL_SECONDS, wall_cap)
    run = KernelRun(
        uuid=uuid.uuid4(), competition=competition, created_by=user, team=team,
        is_baseline=organizer, title=(title.strip() or name or "Script")[:200], source=source,
        baseline=name, config=config, queue=queue, published=bool(publish and organizer),
        wall_seconds=wall, cpu_seconds=wall * max(1, settings.KERNEL_THREADS),
        memory_mb=_limit(memory_mb, settings.KERNEL_MEMORY_MB,
                         None if organizer else settings.KERNEL_MEMORY_MB),
        output_mb=settings.KERNEL_OUTPUT_MB, queued_at=moment,
    )
    if script is not None:
        run.script.save("kernel.py", script, save=False)
    with transaction.atomic():
        run.save()
        enqueue_on_commit(RUN_KERNEL, run.pk, queue=queue)
    return run


# -- the execution lease ---------------------------------------------------------------------


def _lease_until(moment: datetime) -> datetime:
    return moment + timedelta(seconds=settings.KERNEL_LEASE_SECONDS)


def kernel_claim(*, run_id: int, worker: str) -> KernelRun | None:
    """Take the lease on a queued run (or one whose lease expired). None: nothing to do, e.g.
    a second delivery of the task while another worker runs it."""
    moment = now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, lease_expires_at__lt=moment)
    claimed = KernelRun.objects.filter(
        claimable, pk=run_id, attempts__lt=settings.KERNEL_MAX_ATTEMPTS,
        cancel_requested_at__isnull=True,
    ).update(
        status=Status.RUNNING, lease_owner=worker, lease_expires_at=_lease_until(moment),
        attempts=F("attempts") + 1, started_at=moment, finished_at=None,
    )
    if not claimed:
        return None
    return KernelRun.objects.select_related("competition", "team", "created_by").get(pk=run_id)


def kernel_heartbeat(*, run_id: int, worker: str) -> tuple[bool, bool]:
    """Extend the lease: (still ours, cancel requested)."""
    held = KernelRun.objects.filter(pk=run_id, status=Status.RUNNING, lease_owner=worker).update(
        lease_expires_at=_lease_until(now())
    )
    cancel = KernelRun.objects.filter(pk=run_id, cancel_requested_at__isnull=False).exists()
    return bool(held), cancel


def kernel_log_append(*, run_id: int, attempt: int, text: str) -> None:
    for _ in range(3):  # two writers never share a run (the lease), but be safe on the seq
        last = KernelLogChunk.objects.filter(run_id=run_id).aggregate(m=Max("seq"))["m"] or 0
        try:
            with transaction.atomic():
                KernelLogChunk.objects.create(run_id=run_id, attempt=attempt, seq=last + 1,
                                              text=text)
            return
        except IntegrityError:
            continue


def kernel_mark_failed(
    *, run_id: int, worker: str | None, failure: KernelFailure, message: str, detail: str = "",
    exit_code: int | None = None, cpu_seconds: float | None = None, sandbox: str = "",
) -> bool:
    """End a run held by ``worker`` (worker None: one nobody holds) as failed or cancelled."""
    qs = KernelRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING])
    if worker is not None:
        qs = qs.filter(status=Status.RUNNING, lease_owner=worker)
    status = Status.CANCELLED if failure == KernelFailure.CANCELLED else Status.FAILED
    return bool(qs.update(
        status=status, failure=failure.value, error_message=message, error_detail=detail[-20000:],
        exit_code=exit_code, cpu_seconds_used=cpu_seconds, finished_at=now(),
        lease_expires_at=None, sandbox=sandbox or F("sandbox"),
    ))


def kernel_mark_succeeded(
    *, run_id: int, worker: str, submission_id: int, exit_code: int, cpu_seconds: float,
    sandbox: str,
) -> bool:
    return bool(KernelRun.objects.filter(
        pk=run_id, status=Status.RUNNING, lease_owner=worker
    ).update(
        status=Status.SUCCEEDED, submission_id=submission_id, exit_code=exit_code,
        cpu_seconds_used=cpu_seconds, sandbox=sandbox, finished_at=now(), lease_expires_at=None,
        failure="", error_message="", error_detail="",
    ))


def kernel_holds_lease(*, run_id: int, worker: str) -> bool:
    """Lock the run's row and say whether ``worker`` still holds it (inside a transaction)."""
    return KernelRun.objects.select_for_update().filter(
        pk=run_id, status=Status.RUNNING, lease_owner=worker
    ).exists()


def kernel_store_files(*, run: KernelRun, output: File | None, artifacts: File | None) -> None:
    fields = []
    if output is not None:
        run.output.save("submission.csv", output, save=False)
        fields.append("output")
    if artifacts is not None:
        run.artifacts.save("artifacts.zip", artifacts, save=False)
        fields.append("artifacts")
    if fields:
        KernelRun.objects.filter(pk=run.pk).update(**{f: getattr(run, f).name for f in fields})


# -- organizer and owner actions ---------------------------------------------------------------


def _require_manage(user, run: KernelRun) -> None:
    if selectors.can_manage(user, run):
        return
    raise PermissionDenied(KernelRefusal.NOT_ALLOWED, "Only its organizers or its author may "
                           "change this kernel run.")


def kernel_cancel(*, user, run: KernelRun) -> KernelRun:
    """A queued run ends cancelled at once; a running one is killed by its worker within a
    heartbeat (a third of the lease)."""
    _require_manage(user, run)
    moment = now()
    if run.finished:
        raise Conflict(KernelRefusal.FINISHED, f"This run has already {run.status}.")
    with transaction.atomic():
        KernelRun.objects.filter(pk=run.pk, cancel_requested_at__isnull=True).update(
            cancel_requested_at=moment
        )
        KernelRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED, failure=KernelFailure.CANCELLED.value,
            error_message=f"Cancelled by {user.get_username()} before it started.",
            finished_at=moment,
        )
    run.refresh_from_db()
    return run


def kernel_publish(*, user, run: KernelRun, published: bool = True) -> KernelRun:
    if not selectors.is_organizer(user, run.competition):
        raise PermissionDenied(KernelRefusal.NOT_ALLOWED, "Only the organizers publish kernels.")
    KernelRun.objects.filter(pk=run.pk).update(published=published)
    run.refresh_from_db()
    return run


def kernels_reconcile(*, moment: datetime | None = None, limit: int = 200) -> dict[str, list[int]]:
    """Runs whose worker died (expired lease) are queued again, or failed once their attempts
    are used up; queued runs whose message was lost (a killed worker takes a filesystem-broker
    message with it) are queued again. A run is never left running without a live worker."""
    moment = moment or now()
    grace = moment - timedelta(seconds=settings.KERNEL_PENDING_GRACE_SECONDS)
    stale = KernelRun.objects.filter(
        Q(status=Status.RUNNING, lease_expires_at__lt=moment)
        | Q(status=Status.QUEUED, queued_at__lt=grace)
    ).values_list("pk", "attempts", "status", "lease_owner", "queue", "cancel_requested_at")
    requeued, failed = [], []
    for pk, attempts, status, owner, queue, cancel in stale[:limit]:
        if status == Status.RUNNING and (cancel or attempts >= settings.KERNEL_MAX_ATTEMPTS):
            lost = "cancelled" if cancel else f"lost after {attempts} attempt(s)"
            done = kernel_mark_failed(
                run_id=pk, worker=owner,
                failure=KernelFailure.CANCELLED if cancel else KernelFailure.ABANDONED,
                message="Its worker stopped while running it" + (
                    "." if cancel else "; it was not retried again."),
                detail=f"Worker {owner or 'none'} {lost}.",
            )
            if done:
                failed.append(pk)
            continue
        with transaction.atomic():
            back = KernelRun.objects.filter(pk=pk, status=status, lease_owner=owner).update(
                status=Status.QUEUED, lease_owner="", lease_expires_at=None, queued_at=moment
            )
            if back:
                if status == Status.RUNNING:
                    kernel_log_append(run_id=pk, attempt=attempts, text=(
                        "\n[podium: the worker running this kernel stopped; it runs again]\n"))
                enqueue_on_commit(RUN_KERNEL, pk, queue=queue)
                requeued.append(pk)
    return {"requeued": requeued, "failed": failed}
