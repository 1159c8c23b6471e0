"""A competition's kernel settings: whether participants may run kernels, the teams' compute
hours, and the limits of a run (at once, per day, wall-clock time, memory, output).

Locking: none. ``kernel_settings_update`` is one ``update_or_create`` of the competition's
``KernelSettings`` row (the last save wins). A launch reads these settings and counts under the
team's row lock (``launching``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.kernels.error_codes import KernelRefusal
from podium.kernels.models import KernelSettings


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
