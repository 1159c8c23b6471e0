"""Stable error codes of the submissions app (file problems use scoring's codes as they are)."""

from enum import StrEnum


class SubmissionRefusal(StrEnum):
    DAILY_LIMIT_REACHED = "daily_limit_reached"
    INVALID_LIMIT_REACHED = "invalid_submission_limit_reached"
    TOTAL_LIMIT_REACHED = "total_limit_reached"
    FILE_TOO_LARGE = "file_too_large"
    FILE_EMPTY = "file_empty"
    NO_SOLUTION = "no_solution"
    NOT_FOUND = "submission_not_found"


class ScoringFailure(StrEnum):
    TIMEOUT = "scoring_timeout"
    ABANDONED = "scoring_abandoned"
    SCORING_ERROR = "scoring_error"


class FinalSelectionRefusal(StrEnum):
    NOT_SCORED = "final_selection_not_scored"
    NOT_YOURS = "final_selection_not_your_submission"
    TOO_MANY = "final_selection_too_many"
    CLOSED = "final_selection_closed"
    LATE = "final_selection_late_submission"
    NOT_USED = "final_selection_not_used"
