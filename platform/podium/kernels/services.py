"""Writes of the kernels app: launching a run, the lease protocol of its execution, its log, its
end, cancelling, publishing, and the reconciler that finds runs whose worker died.

Every state change is a conditional UPDATE on (status, lease owner), the protocol of
``core.leases`` (``LEASE``) as for submissions: a worker that lost its lease (the reconciler
took the run back) or a second delivery of the task changes nothing.

Compute is charged as a run goes: each heartbeat adds the wall time since the last charge to
the run (the same conditional UPDATE that renews the lease), and the UPDATE that ends the run
adds the last part. A team's hours are its runs' charged time; a heartbeat that finds them at
the quota asks the worker to stop ("quota"). A participant's launch counts the team's hours,
runs at once and runs today under the team's row lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q

from baselines.config import ConfigError, parse_config
from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError, LimitReached, PermissionDenied
from podium.core.leases import Lease
from podium.core.locks import lock_row
from podium.core.queue import RUN_KERNEL, enqueue_on_commit
from podium.core.text import storable
from podium.core.timeutils import humanize_delta, next_utc_midnight, now
from podium.kernels import selectors
from podium.kernels.error_codes import KernelFailure, KernelRefusal
from podium.kernels.models import KernelLogChunk, KernelRun, KernelSettings
from podium.teams import selectors as team_selectors
from podium.teams.models import Team
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


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()  # a setting left as it is (a new competition's: the default)


def kernel_settings_check(*, max_wall_seconds: int | None) -> None:
    """Refuse a wall-clock cap above the server's own maximum (the worker's task is killed
    past it, whatever the competition says)."""
    server_max = settings.KERNEL_MAX_WALL_SECONDS
    if max_wall_seconds is not None and max_wall_seconds > server_max:
        raise DomainError(
            KernelRefusal.LIMIT_TOO_HIGH,
            f"A run may ask for at most {server_max} s of wall-clock time on this server "
            f"(PODIUM_KERNEL_MAX_WALL_SECONDS); {max_wall_seconds} s is more.",
            details={"limit": "wall_seconds", "asked": max_wall_seconds, "cap": server_max},
        )


def kernel_settings_update(
    *,
    competition: Competition,
    participants_may_run: bool,
    team_gpu_hours: float,
    team_cpu_hours: float,
    max_concurrent_runs: int = UNCHANGED,
    max_daily_runs: int = UNCHANGED,
    max_wall_seconds: int | None = UNCHANGED,
    max_memory_mb: int | None = UNCHANGED,
    max_output_mb: int | None = UNCHANGED,
) -> KernelSettings:
    """Write a competition's kernel settings. The limits not passed stay as they are; a cap of
    None is the server's default (PODIUM_KERNEL_WALL_SECONDS, _MEMORY_MB, _OUTPUT_MB)."""
    values = {
        "participants_may_run": participants_may_run,
        "team_gpu_hours": team_gpu_hours,
        "team_cpu_hours": team_cpu_hours,
    }
    limits = {
        "max_concurrent_runs": max_concurrent_runs,
        "max_daily_runs": max_daily_runs,
        "max_wall_seconds": max_wall_seconds,
        "max_memory_mb": max_memory_mb,
        "max_output_mb": max_output_mb,
    }
    values.update({name: value for name, value in limits.items() if value is not UNCHANGED})
    if max_wall_seconds is not UNCHANGED:
        kernel_settings_check(max_wall_seconds=max_wall_seconds)
    found, _ = KernelSettings.objects.update_or_create(competition=competition, defaults=values)
    return found


# -- launching ---------------------------------------------------------------------------------


def _check_may_launch(user, competition: Competition, moment: datetime) -> Team:
    """A participant's right to run kernels at all: the competition lets participants run them,
    is open, the user accepted its rules and is on a team that is not disqualified."""
    if not selectors.kernel_settings(competition=competition).participants_may_run:
        raise PermissionDenied(
            KernelRefusal.NOT_ALLOWED,
            "Only the organizers run kernels in this competition.",
        )
    competition_selectors.require_rules_accepted(user, competition)
    team = team_selectors.require_team(user=user, competition=competition)
    if moment < competition.start_at:
        raise PermissionDenied(
            CompetitionErrorCode.NOT_STARTED,
            f"{competition.title} has not started yet; kernels run once it opens (in "
            f"{humanize_delta(competition.start_at - moment)}).",
        )
    if moment >= competition.end_at:
        raise PermissionDenied(
            CompetitionErrorCode.ENDED,
            f"{competition.title} has ended; participants' kernels no longer run.",
        )
    if team.disqualified_at:
        raise PermissionDenied(
            KernelRefusal.DISQUALIFIED,
            f"Your team was disqualified ({team.disqualification_reason or 'see the organizers'})"
            "; a disqualified team cannot run kernels.",
        )
    return team


def _check_quota(competition: Competition, team, queue: str) -> None:
    hours = selectors.team_quota(competition=competition, team=team, queue=queue)
    used, quota = hours.used_hours, hours.quota_hours
    if hours.reached:
        raise LimitReached(
            KernelRefusal.QUOTA_REACHED,
            f"Your team has used {used:.2f} of its {quota:g} {queue.upper()} hours for kernels "
            "in this competition (running kernels count as they run).",
            details={"used_hours": round(used, 4), "quota_hours": quota, "queue": queue},
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check_team_limits(competition: Competition, team: Team, queue: str, moment: datetime) -> None:
    """The team's hours, its runs at once and its runs today (call it again under the team's
    row lock: it counts)."""
    _check_quota(competition, team, queue)
    limits = selectors.kernel_limits(competition=competition)
    active = selectors.team_active_runs(team=team)
    if active >= limits.max_concurrent_runs:
        it = "it" if active == 1 else "one"
        raise LimitReached(
            KernelRefusal.TOO_MANY_RUNS,
            f"Your team has {_plural(active, 'kernel')} queued or running; this competition "
            f"allows {limits.max_concurrent_runs} at a time. Wait for {it} to finish, or "
            f"cancel {it}, then launch again.",
            details={
                "limit": "concurrent_runs",
                "active": active,
                "max": limits.max_concurrent_runs,
            },
        )
    today = selectors.team_runs_today(team=team, moment=moment)
    if today >= limits.max_daily_runs:
        resets = next_utc_midnight(moment)
        raise LimitReached(
            KernelRefusal.TOO_MANY_RUNS,
            f"Your team has launched {_plural(today, 'kernel')} today; this competition allows "
            f"{limits.max_daily_runs} per UTC day. The next one may start at 00:00 UTC (in "
            f"{humanize_delta(resets - moment)}).",
            details={
                "limit": "daily_runs",
                "used": today,
                "max": limits.max_daily_runs,
                "resets_at": resets.isoformat(),
            },
        )


_ASKED = {  # name -> what the refusal calls it, its unit
    "wall_seconds": ("wall-clock time", "s"),
    "memory_mb": ("memory", "MB"),
    "output_mb": ("output", "MB"),
}


def _asked(
    name: str, value: int | None, default: int, cap: int | None, where: str = "in this competition"
) -> int:
    """What a run asked for (``default`` when nothing), refused above ``cap``: never clamped."""
    if value is None:
        return min(default, cap) if cap else default
    chosen = max(1, int(value))
    if cap and chosen > cap:
        what, unit = _ASKED[name]
        raise DomainError(
            KernelRefusal.LIMIT_TOO_HIGH,
            f"You asked for {chosen} {unit} of {what}; a run may ask for at most {cap} {unit} "
            f"{where}. Ask for {cap} {unit} or less.",
            details={"limit": name, "asked": chosen, "cap": cap},
        )
    return chosen


def kernel_launch(
    *,
    user,
    competition: Competition,
    baseline: str = "",
    config: str = "",
    script=None,
    title: str = "",
    publish: bool = False,
    wall_seconds: int | None = None,
    memory_mb: int | None = None,
    output_mb: int | None = None,
) -> KernelRun:
    """Queue a kernel: a bundled baseline (with its config, or an edited one) or an uploaded
    Python script. Organizers run baselines for the competition's Baseline team; participants,
    where the competition allows it, for their own team: not disqualified, within its hours,
    its runs at once and per UTC day (counted under the team's row lock), asking for no more
    wall-clock time, memory or output than the competition's caps."""
    competition_selectors.require_can_view(user=user, competition=competition)
    organizer = selectors.is_organizer(user, competition)
    moment = now()
    if organizer:
        team = baseline_team_ensure(competition=competition, user=baseline_user())
        wall = _asked(
            "wall_seconds",
            wall_seconds,
            settings.KERNEL_WALL_SECONDS,
            settings.KERNEL_MAX_WALL_SECONDS,
            "on this server",
        )
        memory = _asked("memory_mb", memory_mb, settings.KERNEL_MEMORY_MB, None)
        output = _asked("output_mb", output_mb, settings.KERNEL_OUTPUT_MB, None)
    else:
        team = _check_may_launch(user, competition, moment)
        caps = selectors.kernel_limits(competition=competition)
        wall = _asked("wall_seconds", wall_seconds, settings.KERNEL_WALL_SECONDS, caps.wall_seconds)
        memory = _asked("memory_mb", memory_mb, settings.KERNEL_MEMORY_MB, caps.memory_mb)
        output = _asked("output_mb", output_mb, settings.KERNEL_OUTPUT_MB, caps.output_mb)
    queue = selectors.kernel_queue()
    if not organizer:  # early, before a script is stored; again under the lock below
        _check_team_limits(competition, team, queue, moment)
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
    run = KernelRun(
        uuid=uuid.uuid4(),
        competition=competition,
        created_by=user,
        team=team,
        is_baseline=organizer,
        title=(title.strip() or name or "Script")[:200],
        source=source,
        baseline=name,
        config=config,
        queue=queue,
        published=bool(publish and organizer),
        wall_seconds=wall,
        cpu_seconds=wall * max(1, settings.KERNEL_THREADS),
        memory_mb=memory,
        output_mb=output,
        queued_at=moment,
    )
    if script is not None:
        run.script.save("kernel.py", script, save=False)
    try:
        with transaction.atomic():
            if not organizer:
                lock_row(Team.objects.all(), team.pk)
                _check_team_limits(competition, team, queue, moment)
            run.save()
            enqueue_on_commit(RUN_KERNEL, run.pk, queue=queue)
    except BaseException:
        if run.script:
            run.script.delete(save=False)
        raise
    return run


# -- the execution lease ---------------------------------------------------------------------


def _kernel_seconds() -> int:
    return settings.KERNEL_LEASE_SECONDS


def _kernel_attempts() -> int:
    return settings.KERNEL_MAX_ATTEMPTS


# The protocol is ``core.leases``'; the time is this module's ``now`` (looked up at each call).
# A run whose cancel was asked for is never claimed again.
LEASE = Lease(
    model=KernelRun,
    waiting=Status.QUEUED,
    running=Status.RUNNING,
    seconds=_kernel_seconds,
    max_attempts=_kernel_attempts,
    claim_also=Q(cancel_requested_at__isnull=True),
    clock=lambda: now(),
)


def kernel_claim(*, run_id: int, worker: str) -> KernelRun | None:
    """Take the lease on a queued run (or one whose lease expired). None: nothing to do, e.g.
    a second delivery of the task while another worker runs it."""
    moment = now()
    if not LEASE.claim(
        run_id, worker, moment=moment, started_at=moment, finished_at=None, charged_at=moment
    ):
        return None
    return KernelRun.objects.select_related("competition", "team", "created_by").get(pk=run_id)


STOP_CANCEL = "cancel"  # someone cancelled the run
STOP_QUOTA = "quota"  # its team's compute hours ran out (fail it as KernelFailure.QUOTA_EXCEEDED)


@dataclass(frozen=True)
class Heartbeat:
    """What a heartbeat tells the worker: whether the lease is still its own (``held``), and
    whether to stop the kernel now: ``stop`` is "" (keep going), "cancel" or "quota"."""

    held: bool
    stop: str = ""


def _charge(*, run_id: int, worker: str, moment: datetime, **fields) -> bool:
    """One conditional UPDATE of the run ``worker`` holds that also charges the wall time since
    it was last charged (and writes ``fields``). False: the lease is not (or no longer) ours.

    The charge is a compare-and-swap on ``charged_at``: a heartbeat and the run's end racing in
    one worker never charge one interval twice. Time past the lease's expiry is not charged."""
    held = LEASE.held(run_id, worker)
    for _ in range(5):
        row = held.values_list("charged_at", "started_at", "lease_expires_at").first()
        if row is None:
            return False
        charged_at, started_at, expires = row
        since = charged_at or started_at or moment
        # Never past the lease (a worker that missed its heartbeats may have been dead), and
        # never backwards (a clock that went back charges nothing).
        until = max(since, min(moment, expires or moment))
        if held.filter(charged_at=charged_at).update(
            charged_seconds=F("charged_seconds") + (until - since).total_seconds(),
            charged_at=until,
            **fields,
        ):
            return True
    return False


def kernel_heartbeat(*, run_id: int, worker: str) -> Heartbeat:
    """Extend the lease and charge the time since the last heartbeat to the run. ``stop`` asks
    the worker to stop the kernel: "cancel" once someone cancelled it, "quota" once its team's
    charged hours on its queue (all its runs together) reach the quota. Concurrent runs of one
    team therefore pass the quota by at most one heartbeat interval each. The organizers'
    baselines are never stopped for a quota."""
    moment = now()
    held = _charge(
        run_id=run_id, worker=worker, moment=moment, lease_expires_at=LEASE.until(moment)
    )
    run = (
        KernelRun.objects.filter(pk=run_id)
        .values("cancel_requested_at", "competition_id", "team_id", "queue", "is_baseline")
        .first()
    )
    if run is None:
        return Heartbeat(held=False)
    if run["cancel_requested_at"] is not None:
        return Heartbeat(held=held, stop=STOP_CANCEL)
    if (
        held
        and not run["is_baseline"]
        and run["team_id"] is not None
        and selectors.quota_spent(
            competition_id=run["competition_id"], team_id=run["team_id"], queue=run["queue"]
        )
    ):
        return Heartbeat(held=True, stop=STOP_QUOTA)
    return Heartbeat(held=held)


def kernel_charge_final(*, run_id: int, worker: str) -> None:
    """Charge the time since the last heartbeat now (e.g. before a long step after the kernel
    exited). Not needed at the end: ``kernel_mark_failed`` and ``kernel_mark_succeeded`` charge
    the last interval in the UPDATE that ends the run. Safe to call any number of times."""
    _charge(run_id=run_id, worker=worker, moment=now())


def kernel_log_append(*, run_id: int, attempt: int, text: str) -> None:
    for _ in range(3):  # two writers never share a run (the lease), but be safe on the seq
        last = KernelLogChunk.objects.filter(run_id=run_id).aggregate(m=Max("seq"))["m"] or 0
        try:
            with transaction.atomic():
                KernelLogChunk.objects.create(
                    run_id=run_id, attempt=attempt, seq=last + 1, text=storable(text)
                )
            return
        except IntegrityError:
            continue


def kernel_mark_failed(
    *,
    run_id: int,
    worker: str | None,
    failure: KernelFailure,
    message: str,
    detail: str = "",
    exit_code: int | None = None,
    cpu_seconds: float | None = None,
    sandbox: str = "",
) -> bool:
    """End a run held by ``worker`` as failed or cancelled, charging the time since its last
    heartbeat. Worker None: a run nobody holds (the reconciler's; its dead worker's last
    interval is not charged)."""
    status = Status.CANCELLED if failure == KernelFailure.CANCELLED else Status.FAILED
    moment = now()
    end = {
        "status": status,
        "failure": failure.value,
        "error_message": storable(message),
        "error_detail": storable(detail[-20000:]),
        "exit_code": exit_code,
        "cpu_seconds_used": cpu_seconds,
        "finished_at": moment,
        "lease_expires_at": None,
        "sandbox": sandbox or F("sandbox"),
    }
    if worker is not None:
        return _charge(run_id=run_id, worker=worker, moment=moment, **end)
    return bool(
        KernelRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
            **end
        )
    )


def kernel_mark_succeeded(
    *,
    run_id: int,
    worker: str,
    submission_id: int,
    exit_code: int,
    cpu_seconds: float,
    sandbox: str,
) -> bool:
    """End a run held by ``worker`` as succeeded, charging the time since its last heartbeat."""
    moment = now()
    return _charge(
        run_id=run_id,
        worker=worker,
        moment=moment,
        status=Status.SUCCEEDED,
        submission_id=submission_id,
        exit_code=exit_code,
        cpu_seconds_used=cpu_seconds,
        sandbox=sandbox,
        finished_at=moment,
        lease_expires_at=None,
        failure="",
        error_message="",
        error_detail="",
    )


def kernel_holds_lease(*, run_id: int, worker: str) -> bool:
    """Lock the run's row and say whether ``worker`` still holds it (inside a transaction)."""
    return LEASE.holds(run_id, worker)


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
    raise PermissionDenied(
        KernelRefusal.NOT_ALLOWED, "Only its organizers or its author may change this kernel run."
    )


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
            status=Status.CANCELLED,
            failure=KernelFailure.CANCELLED.value,
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
    stale = LEASE.stale(moment, settings.KERNEL_PENDING_GRACE_SECONDS).values_list(
        "pk", "attempts", "status", "lease_owner", "queue", "cancel_requested_at"
    )
    requeued, failed = [], []
    for pk, attempts, status, owner, queue, cancel in stale[:limit]:
        if status == Status.RUNNING and (cancel or attempts >= settings.KERNEL_MAX_ATTEMPTS):
            lost = "cancelled" if cancel else f"lost after {attempts} attempt(s)"
            done = kernel_mark_failed(
                run_id=pk,
                worker=owner,
                failure=KernelFailure.CANCELLED if cancel else KernelFailure.ABANDONED,
                message="Its worker stopped while running it"
                + ("." if cancel else "; it was not retried again."),
                detail=f"Worker {owner or 'none'} {lost}.",
            )
            if done:
                failed.append(pk)
            continue
        with transaction.atomic():
            if LEASE.requeue(pk, status, owner, moment=moment):
                if status == Status.RUNNING:
                    kernel_log_append(
                        run_id=pk,
                        attempt=attempts,
                        text=(
                            "\n[podium: the worker running this kernel stopped; it runs again]\n"
                        ),
                    )
                enqueue_on_commit(RUN_KERNEL, pk, queue=queue)
                requeued.append(pk)
    return {"requeued": requeued, "failed": failed}
