"""Exceptions of the scoring library.

Every message is written for the person who can act on it. ``SubmissionError`` messages go to
participants and therefore never mention target values or a row's Usage; ``SolutionError`` goes to
organizers; ``ScoringError`` keeps a participant-safe message apart from the organizer-only detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scoring.error_codes import ScoringErrorCode, SolutionErrorCode, SubmissionErrorCode

MAX_PROBLEMS = 20  # a broken file can have millions of problems; report a readable handful


@dataclass(frozen=True)
class Problem:
    code: SubmissionErrorCode
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "details": self.details}


class PodiumScoringError(Exception):
    """Base of every error this library raises on purpose."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SubmissionError(PodiumScoringError):
    """A submission file is unusable. Carries every problem found (capped at MAX_PROBLEMS)."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("SubmissionError needs at least one problem")
        # File, header, rows and ids, then values: the order the codes are declared in.
        rank = {code: i for i, code in enumerate(SubmissionErrorCode)}
        problems = sorted(problems, key=lambda p: rank[p.code])
        self.problems = problems[:MAX_PROBLEMS]
        self.truncated = len(problems) > MAX_PROBLEMS
        self.code = self.problems[0].code.value
        message = "\n".join(p.message for p in self.problems)
        if self.truncated:
            message += f"\n(and {len(problems) - MAX_PROBLEMS} more problems)"
        super().__init__(message)

    @classmethod
    def single(cls, code: SubmissionErrorCode, message: str, **details: Any) -> SubmissionError:
        return cls([Problem(code, message, details)])

    @property
    def codes(self) -> list[str]:
        return [p.code.value for p in self.problems]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
        }


class SolutionError(PodiumScoringError):
    """The organizer's solution file (answer key) is unusable."""

    def __init__(self, code: SolutionErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code.value


class UnknownMetricError(PodiumScoringError, KeyError):
    code = ScoringErrorCode.UNKNOWN_METRIC.value

    def __init__(self, message: str, valid: list[str]) -> None:
        super().__init__(message)
        self.valid = valid

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class MetricFileError(PodiumScoringError):
    """An organizer's metric file cannot be loaded (syntax error, no ``score`` function...)."""

    code = ScoringErrorCode.METRIC_FILE_INVALID.value


class ParticipantVisibleError(Exception):
    """Raised by a metric for a message the participant may see word for word.

    Kaggle's metric template defines its own class of this name; the scorer recognises any
    exception class called ``ParticipantVisibleError``, wherever it was defined.
    """


class ScoringError(PodiumScoringError):
    """Scoring failed after the submission was read.

    ``message`` is safe to show the participant; ``detail`` (a traceback, the metric's own words)
    is for the organizer only.
    """

    def __init__(
        self,
        message: str = "Submission Scoring Error",
        *,
        detail: str = "",
        participant_visible: bool = False,
    ) -> None:
        super().__init__(message)
        self.detail = detail
        self.participant_visible = participant_visible
        self.code = (
            ScoringErrorCode.PARTICIPANT_VISIBLE.value
            if participant_visible
            else ScoringErrorCode.SCORING_ERROR.value
        )
