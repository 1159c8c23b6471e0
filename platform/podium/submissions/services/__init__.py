"""Writes of the submissions app: accepting a file, the lease protocol of its scoring,
rescoring and stopping submissions, and the final selection.

By action family:

- ``creation``: who may submit, the file's size and the team's limits (``submission_create``).
- ``scoring_lease``: ``LEASE`` (``core.leases``), a worker's claim, heartbeat and result
  (``submission_claim``, ``submission_heartbeat``, ``submission_mark_scored``,
  ``submission_mark_failed``) and the reconciler
  (``submissions_reconcile``).
- ``resets``: scoring taken out of the lease's hands (``submission_rescore``,
  ``submissions_rescore_for_version``, ``submissions_fail_stuck``).
- ``orphans``: the sweep of stored files no row names (``orphan_files_remove``).
- ``final_selection``: a team's choice for the private board (``final_selection_set``) and the
  automatic one (``final_selections_autoselect``).

Everything public is re-exported here: import from ``podium.submissions.services``. The time is
each module's ``now``: a test that moves the clock patches it in the modules it exercises. The
modules never import each other (the reads they share are ``podium.submissions.selectors``).

Locking: ``submission_create`` counts a team's submissions while holding the team row
(``core.locks.lock_row``; on SQLite the IMMEDIATE transaction serializes writers), so
concurrent uploads cannot pass a limit. Scoring state changes are conditional UPDATEs on
(status, lease owner), the protocol of ``core.leases`` (``LEASE``): a worker that lost its
lease, or a second delivery of the same task, changes nothing. The final selection locks the
competition row, then the team row.
"""

from podium.submissions.services.creation import submission_create
from podium.submissions.services.final_selection import (
    final_selection_set,
    final_selections_autoselect,
)
from podium.submissions.services.orphans import orphan_files_remove
from podium.submissions.services.resets import (
    STUCK_MESSAGE,
    submission_rescore,
    submissions_fail_stuck,
    submissions_rescore_for_version,
)
from podium.submissions.services.scoring_lease import (
    LEASE,
    Status,
    submission_claim,
    submission_heartbeat,
    submission_mark_failed,
    submission_mark_scored,
    submissions_reconcile,
)

__all__ = [
    "orphan_files_remove",
    "LEASE",
    "STUCK_MESSAGE",
    "Status",
    "final_selection_set",
    "final_selections_autoselect",
    "submission_claim",
    "submission_create",
    "submission_heartbeat",
    "submission_mark_failed",
    "submission_mark_scored",
    "submission_rescore",
    "submissions_fail_stuck",
    "submissions_reconcile",
    "submissions_rescore_for_version",
]
