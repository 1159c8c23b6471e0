"""Stable error codes of the submissions app. File problems are scoring's codes as they are
(``scoring.error_codes.SubmissionErrorCode``: ``file_empty``, ``file_too_large``), a metric that
failed is scoring's ``scoring_error``, and a competition without an answer key is competitions'
``no_solution``: those are raised from there, never defined again here."""

from enum import StrEnum


class SubmissionRefusal(StrEnum):
    DAILY_LIMIT_REACHED = "daily_limit_reached"
    INVALID_LIMIT_REACHED = "invalid_submission_limit_reached"
    TOTAL_LIMIT_REACHED = "total_limit_reached"
    NOT_FOUND = "submission_not_found"


class ScoringFailure(StrEnum):
    TIMEOUT = "scoring_timeout"
    ABANDONED = "scoring_abandoned"


class FinalSelectionRefusal(StrEnum):
    NOT_SCORED = "final_selection_not_scored"
    NOT_YOURS = "final_selection_not_your_submission"
    TOO_MANY = "final_selection_too_many"
    CLOSED = "final_selection_closed"
    LATE = "final_selection_late_submission"
    NOT_USED = "final_selection_not_used"
