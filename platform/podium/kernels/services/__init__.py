"""Writes of the kernels app: a competition's kernel settings, launching a run, the lease
protocol of its execution, its log and files, its end, cancelling, publishing, and the
reconciler that finds runs whose worker died.

By action family:

- ``competition_settings``: a competition's kernel settings and the server's cap on a run's
  wall-clock time (``kernel_settings_update``, ``kernel_settings_check``).
- ``launching``: who may launch, the team's quotas and limits, what a run may ask for, and the
  run's creation (``kernel_launch``; ``baseline_user``, the Baseline teams' service account).
- ``run_lease``: ``LEASE`` (``core.leases``), claiming, the heartbeat that charges compute, the
  run's end (``kernel_mark_succeeded``, ``kernel_mark_failed``) and the reconciler
  (``kernels_reconcile``).
- ``logs``: ``kernel_log_append``.
- ``outputs``: ``kernel_store_files`` (the run's ``submission.csv`` and artifacts).
- ``managing``: what a run's organizers or author do to it (``kernel_cancel``,
  ``kernel_publish``).
- ``community``: votes, comments and "Copy & edit" on published kernels (``kernel_vote``,
  ``kernel_unvote``, ``kernel_comment_create``, ``kernel_comment_edit``, ``kernel_copy``).

Everything public is re-exported here: import from ``podium.kernels.services``. The time is
each module's ``now``: a test that moves the clock patches it in the modules it exercises.

Locking: every state change of a run under way is a conditional UPDATE on (status, lease
owner), the protocol of ``core.leases`` (``LEASE``) as for submissions: a worker that lost its
lease (the reconciler took the run back) or a second delivery of the task changes nothing.
Compute is charged as a run goes (each heartbeat, and the UPDATE that ends the run); a
participant's launch counts the team's hours, runs at once and runs today under the team's row
lock.
"""

from podium.kernels.services.community import (
    COMMENT_MAX_CHARS,
    kernel_comment_create,
    kernel_comment_edit,
    kernel_copy,
    kernel_unvote,
    kernel_vote,
)
from podium.kernels.services.competition_settings import (
    UNCHANGED,
    kernel_settings_check,
    kernel_settings_update,
)
from podium.kernels.services.launching import (
    BASELINE_USERNAME,
    SCRIPT_MAX_BYTES,
    baseline_user,
    kernel_launch,
)
from podium.kernels.services.logs import kernel_log_append
from podium.kernels.services.managing import kernel_cancel, kernel_publish
from podium.kernels.services.outputs import kernel_store_files
from podium.kernels.services.run_lease import (
    LEASE,
    STOP_CANCEL,
    STOP_QUOTA,
    Heartbeat,
    Status,
    kernel_charge_final,
    kernel_claim,
    kernel_heartbeat,
    kernel_holds_lease,
    kernel_mark_failed,
    kernel_mark_succeeded,
    kernels_reconcile,
)

__all__ = [
    "BASELINE_USERNAME",
    "COMMENT_MAX_CHARS",
    "LEASE",
    "SCRIPT_MAX_BYTES",
    "STOP_CANCEL",
    "STOP_QUOTA",
    "UNCHANGED",
    "Heartbeat",
    "Status",
    "baseline_user",
    "kernel_cancel",
    "kernel_charge_final",
    "kernel_claim",
    "kernel_comment_create",
    "kernel_comment_edit",
    "kernel_copy",
    "kernel_heartbeat",
    "kernel_holds_lease",
    "kernel_launch",
    "kernel_log_append",
    "kernel_mark_failed",
    "kernel_mark_succeeded",
    "kernel_publish",
    "kernel_settings_check",
    "kernel_settings_update",
    "kernel_store_files",
    "kernel_unvote",
    "kernel_vote",
    "kernels_reconcile",
]
