"""The workers' settings: Celery and its broker, scoring, organizer metric files, kernels, the
sandbox and the beat schedule. Part of ``podium.config.settings`` (imported there whole); every
knob comes from an environment variable.
"""

from __future__ import annotations

from pathlib import Path

from podium.config.env import env, env_bool, env_int
from podium.config.paths import DATA_DIR

BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport, publishing each message atomically (see core/broker.py).
    CELERY_BROKER_TRANSPORT = "podium.core.broker:AtomicFilesystemTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Broadcast (worker control) tables; kombu's default is "control" in the working folder.
        "control_folder": str(BROKER_DIR / "control"),
        # kombu sleeps this long whenever it gets no message, including while the worker's one
        # prefetch slot is busy: its default (1 s) capped a worker at ~1 submission/s.
        "polling_interval": float(env("PODIUM_BROKER_POLL_SECONDS", "0.02")),
    }
else:
    # A task still running when this expires is delivered again: keep it well above the
    # scoring time limit (the lease makes a second delivery harmless anyway).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("PODIUM_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
# Celery's Django fixup closes every database connection before and after each task unless this
# is set: a new PostgreSQL connection per scoring (about 20 ms here, more than the scoring's
# statements). Connections are kept instead, and Django's per-request rule runs before each task
# (config/celery.py: older than CONN_MAX_AGE or errored: closed; reused: health-checked).
CELERY_DB_REUSE_MAX = 1000

# Scoring: time limits below the broker's visibility timeout.
SCORING_SOFT_TIME_LIMIT = env_int("PODIUM_SCORING_SOFT_TIME_LIMIT", 600)
SCORING_TIME_LIMIT = SCORING_SOFT_TIME_LIMIT + 30
# The lease is renewed by a heartbeat every third of it, so it can be short: a worker killed
# mid-scoring is noticed (by the reconciler) within about one lease.
SCORING_LEASE_SECONDS = env_int("PODIUM_SCORING_LEASE_SECONDS", 60)
SCORING_MAX_ATTEMPTS = env_int("PODIUM_SCORING_MAX_ATTEMPTS", 3)
SCORING_PENDING_GRACE_SECONDS = env_int("PODIUM_SCORING_PENDING_GRACE_SECONDS", 120)
# Organizer metric files run only in the sandbox (podium.competitions.metric_sandbox): one start
# per submission scores both boards, within these limits (wall time well below the soft limit).
METRIC_WALL_SECONDS = env_int("PODIUM_METRIC_WALL_SECONDS", 300)
METRIC_CPU_SECONDS = env_int("PODIUM_METRIC_CPU_SECONDS", 300)
METRIC_MEMORY_MB = env_int("PODIUM_METRIC_MEMORY_MB", 4096)
METRIC_WORK_MB = env_int("PODIUM_METRIC_WORK_MB", 64)  # /sandbox: the result and scratch files
METRIC_TMP_MB = env_int("PODIUM_METRIC_TMP_MB", 256)
METRIC_PROCESSES = env_int("PODIUM_METRIC_PROCESSES", 32)
METRIC_FILE_MAX_BYTES = env_int("PODIUM_METRIC_FILE_MAX_BYTES", 1024 * 1024)
RECONCILE_EVERY_SECONDS = env_int("PODIUM_RECONCILE_EVERY_SECONDS", 30)
# Rescoring with a new answer key: submissions per walk task, and how often the sweep runs.
RESCORING_WALK_STEP = env_int("PODIUM_RESCORING_WALK_STEP", 500)
RESCORING_SWEEP_EVERY_SECONDS = env_int("PODIUM_RESCORING_SWEEP_EVERY_SECONDS", 30)
# Rank history: how often the public boards' changed ranks are recorded (the 24-hour moves are
# exact to within this).
RANK_SNAPSHOT_EVERY_SECONDS = env_int("PODIUM_RANK_SNAPSHOT_EVERY_SECONDS", 600)
# Kernels (podium/kernels): baselines and scripts run server-side in a sandbox. They go to the
# `cpu` queue, or to `gpu` where a GPU worker consumes it (docker-compose's gpu-worker). A run
# longer than the broker's visibility timeout is delivered again while it runs: its lease makes
# that second delivery do nothing, and the reconciler below takes back the runs of dead workers.
KERNEL_QUEUE = env("PODIUM_KERNEL_QUEUE", "cpu")
KERNEL_GPU_DEVICES = env("PODIUM_KERNEL_GPU_DEVICES", "0")  # CUDA_VISIBLE_DEVICES of GPU runs
KERNEL_WALL_SECONDS = env_int("PODIUM_KERNEL_WALL_SECONDS", 3600)  # default; participants: cap
KERNEL_MAX_WALL_SECONDS = env_int("PODIUM_KERNEL_MAX_WALL_SECONDS", 6 * 3600)  # organizers' cap
KERNEL_MEMORY_MB = env_int("PODIUM_KERNEL_MEMORY_MB", 4096)
KERNEL_OUTPUT_MB = env_int("PODIUM_KERNEL_OUTPUT_MB", 200)
KERNEL_THREADS = env_int("PODIUM_KERNEL_THREADS", 2)
KERNEL_LEASE_SECONDS = env_int("PODIUM_KERNEL_LEASE_SECONDS", 60)
KERNEL_MAX_ATTEMPTS = env_int("PODIUM_KERNEL_MAX_ATTEMPTS", 2)
KERNEL_PENDING_GRACE_SECONDS = env_int("PODIUM_KERNEL_PENDING_GRACE_SECONDS", 300)
KERNEL_LOG_MAX_BYTES = env_int("PODIUM_KERNEL_LOG_MAX_BYTES", 2_000_000)
KERNEL_TMP_MB = env_int("PODIUM_KERNEL_TMP_MB", 512)  # /tmp and /dev/shm, each a sized tmpfs
KERNEL_MAX_PROCESSES = env_int("PODIUM_KERNEL_MAX_PROCESSES", 64)  # processes + threads of a run
# The sandbox (podium/core/sandbox) of every piece of code Podium did not write: kernels and
# organizer metric files. bubblewrap is required: where it cannot start, that code does not run.
# Its staging folders live under SANDBOX_ROOT; a worker started as root gives each run its own
# uid from SANDBOX_UID_BASE .. +SANDBOX_UID_COUNT (no account may use that range).
SANDBOX_ROOT = Path(env("PODIUM_SANDBOX_ROOT", str(DATA_DIR / "sandbox")))
SANDBOX_UID_BASE = env_int("PODIUM_SANDBOX_UID_BASE", 200_000)
SANDBOX_UID_COUNT = env_int("PODIUM_SANDBOX_UID_COUNT", 1000)
KERNEL_TASK_TIME_LIMIT = KERNEL_MAX_WALL_SECONDS + 300

ORPHAN_SWEEP_EVERY_SECONDS = env_int("PODIUM_ORPHAN_SWEEP_EVERY_SECONDS", 3600)
NOTIFICATION_DIGEST_EVERY_SECONDS = env_int("PODIUM_NOTIFICATION_DIGEST_EVERY_SECONDS", 86400)
# The periodic tasks run on a queue of their own, so a backlog of submissions never delays the
# reconciler that recovers them; every worker that scores consumes it too. A periodic message not
# started within one period is dropped (the next one does its work): a worker that was away
# does not come back to a pile of reconcilers.
MAINTENANCE_QUEUE = "maintenance"
# A worker is stuck when work waits in its queues and it has got nothing done (no task ended, no
# lease renewed) for this long: `make run`'s supervisor restarts it, the container's health check
# fails, /readyz says so (core/progress.py). Above the lease heartbeat (a third of a lease).
WORKER_STALL_SECONDS = env_int("PODIUM_WORKER_STALL_SECONDS", 120)
WORKER_QUEUES = ("default", "cpu", "gpu", MAINTENANCE_QUEUE)  # what `make run`'s worker consumes
# The worker's CPU priority (nice; its pool processes and kernel runs inherit it): where web and
# worker share cores, a burst of uploads and board reads is answered first and the scoring
# catches up after (issue 15: scoring at full priority halved the uploads accepted per second
# on 2 cores). No effect on a host where nothing else wants the CPU. 0: as started.
WORKER_NICE = env_int("PODIUM_WORKER_NICE", 10)


def _periodic(task: str, every: float) -> dict:
    return {
        "task": task,
        "schedule": every,
        "options": {"queue": MAINTENANCE_QUEUE, "expires": max(every, 10.0)},
    }


CELERY_BEAT_SCHEDULE = {
    "reconcile-submissions": _periodic(
        "podium.workflows.tasks.reconcile_submissions", float(RECONCILE_EVERY_SECONDS)
    ),
    "reconcile-kernels": _periodic(
        "podium.kernels.tasks.reconcile_kernels", float(RECONCILE_EVERY_SECONDS)
    ),
    # Stored submission files no row names, older than an hour (a crash mid-upload).
    "remove-orphan-files": _periodic(
        "podium.workflows.tasks.remove_orphan_files", float(ORPHAN_SWEEP_EVERY_SECONDS)
    ),
    "rescoring-sweep": _periodic(
        "podium.workflows.tasks.rescoring_sweep", float(RESCORING_SWEEP_EVERY_SECONDS)
    ),
    # Private boards of competitions that ended (auto_reveal_private): idempotent, so a missed
    # or doubled run changes nothing.
    "reveal-due-boards": _periodic("podium.workflows.tasks.reveal_due_boards", 60.0),
    # Public ranks that changed since the last snapshot: the boards' 24-hour moves.
    "snapshot-board-ranks": _periodic(
        "podium.workflows.tasks.snapshot_board_ranks", float(RANK_SNAPSHOT_EVERY_SECONDS)
    ),
    # Notifications: each user's daily digest email (claims what it mails: a doubled run sends
    # nothing twice), and the immediate emails no task sent (the broker was away).
    "notification-digests": _periodic(
        "podium.notifications.tasks.send_daily_digests", float(NOTIFICATION_DIGEST_EVERY_SECONDS)
    ),
    "notification-email-sweep": _periodic(
        "podium.notifications.tasks.sweep_notification_emails", 300.0
    ),
    # Ranking points decay with time, and vote medals follow the votes (progression).
    "refresh-standings": _periodic("podium.progression.tasks.refresh_standings", 86400.0),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
