"""Reads of submissions. A private score leaves this package only after the reveal, or to the
competition's organizers: every participant-facing read goes through ``submission_view``.

By family:

- ``limits``: what counts toward the limits (``counted_q``, ``counted_submissions``) and what a
  team has used of them (``quota``).
- ``viewing``: what a viewer may see of a submission (``submission_view``,
  ``private_visible``), the team's own list (``team_submissions``), ``submission_get``, and
  whose file a teammate may download (``submission_file_get``).
- ``final_selection``: a team's final selection and whether it may still change
  (``final_selection_state``).
- ``rescoring``: the rescoring with a new answer key (``rescored_q``, ``submission_ids_page``,
  ``rescore_progress``).
- ``uploading``: what an upload checks before its file is stored (``upload_facts``).
- ``dashboard``: the organizers' figures (``submissions_per_day``, ``status_counts``,
  ``failures_by_error_code``, ``stuck_submissions``, ``public_scores``).

Everything public is re-exported here: import from ``podium.submissions.selectors``. Only
``viewing`` imports a sibling (``final_selection``).
"""

from podium.submissions.selectors.dashboard import (
    FailureCount,
    failures_by_error_code,
    public_scores,
    status_counts,
    stuck_submissions,
    submissions_per_day,
)
from podium.submissions.selectors.final_selection import (
    FinalSelectionState,
    final_selection_state,
)
from podium.submissions.selectors.limits import (
    Quota,
    counted_q,
    counted_submissions,
    quota,
)
from podium.submissions.selectors.rescoring import (
    RescoreProgress,
    rescore_progress,
    rescored_q,
    submission_ids_page,
)
from podium.submissions.selectors.uploading import UploadFacts, upload_facts
from podium.submissions.selectors.viewing import (
    SubmissionView,
    new_submission_view,
    private_visible,
    submission_file_get,
    submission_get,
    submission_view,
    team_submission_count,
    team_submissions,
)

__all__ = [
    "UploadFacts",
    "upload_facts",
    "FailureCount",
    "FinalSelectionState",
    "Quota",
    "RescoreProgress",
    "SubmissionView",
    "counted_q",
    "counted_submissions",
    "failures_by_error_code",
    "final_selection_state",
    "private_visible",
    "public_scores",
    "quota",
    "rescore_progress",
    "rescored_q",
    "status_counts",
    "stuck_submissions",
    "submission_file_get",
    "submission_get",
    "submission_ids_page",
    "new_submission_view",
    "submission_view",
    "submissions_per_day",
    "team_submission_count",
    "team_submissions",
]
