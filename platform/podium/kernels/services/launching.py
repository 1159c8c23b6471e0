"""Launching a kernel run: who may launch, the team's quotas and limits, what a run may ask
for, and the run's creation (queued on commit), for organizers (the Baseline team, as the
``podium-baseline`` service account) and participants.

Locking: a participant's launch checks the team's hours, runs at once and runs today early,
before an uploaded script is stored, then again under the team's row lock (``lock_row`` on the
team, ``SELECT ... FOR NO KEY UPDATE``; on SQLite the IMMEDIATE transaction) in the transaction
that saves the run, so two launches never both pass one count. Organizers' baselines take no
lock (no team limits apply). ``run_kernel`` is queued on commit; a refused or failed save
deletes the stored script.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from baselines.config import ConfigError, parse_config
from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.core.errors import DomainError, LimitReached, PermissionDenied
from podium.core.locks import lock_row
from podium.core.queue import RUN_KERNEL, enqueue_on_commit
from podium.core.timeutils import humanize_delta, next_utc_midnight, now
from podium.kernels import selectors
from podium.kernels.error_codes import KernelRefusal
from podium.kernels.models import KernelRun
from podium.teams import selectors as team_selectors
from podium.teams.models import Team
from podium.teams.services import baseline_team_ensure

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
    forked_from: KernelRun | None = None,
) -> KernelRun:
    """Queue a kernel: a bundled baseline (with its config, or an edited one) or an uploaded
    Python script. Organizers run baselines for the competition's Baseline team; participants,
    where the competition allows it, for their own team: not disqualified, within its hours,
    its runs at once and per UTC day (counted under the team's row lock), asking for no more
    wall-clock time, memory or output than the competition's caps. ``forked_from``: the run
    this one copies ("Copy & edit", ``community.kernel_copy``), credited on its page."""
    competition_selectors.require_can_view(user=user, competition=competition)
    competition_selectors.require_not_archived(competition, to="run kernels")
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
        forked_from=forked_from,
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
