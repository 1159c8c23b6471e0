"""Stable error codes of the submissions app (file problems use scoring's codes as they are)."""

from enum import Enum


class SubmissionRefusal(str, Enum):
    DAILY_LIMIT_REACHED = "daily_limit_reached"
    TOTAL_LIMIT_REACHED = "total_limit_reached"
    FILE_TOO_LARGE = "file_too_large"
    FILE_EMPTY = "file_empty"
    NO_SOLUTION = "no_solution"


class ScoringFailure(str, Enum):
    TIMEOUT = "scoring_timeout"
    ABANDONED = "scoring_abandoned"
    SCORING_ERROR = "scoring_error"
