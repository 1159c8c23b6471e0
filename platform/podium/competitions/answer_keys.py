"""The prepared answer key: the stored CSV turned into the memory-mapped form the scorer reads
(``scoring.prepare_solution``), kept beside the stored key as a cache and prepared again when it
is missing (a new host) or was made for another metric (the organizer changed it).

``scoring_setup`` is the one read the scoring pipeline makes before it scores: the answer-key
version, the competition's metric and the prepared key, each looked up once.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import scoring
from podium.competitions import selectors
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.metrics import competition_metric
from podium.competitions.models import Competition, SolutionVersion
from podium.core.errors import DomainError
from podium.core.files import local_path


def solution_prepare(
    *, competition: Competition, path: str | Path, metric: scoring.Metric
) -> scoring.PreparedSolution:
    """Prepare the answer key at ``path`` for ``metric``, checked against the competition's
    sample submission when it has one (``competition`` may be unsaved). Raises SolutionError.
    Writes the prepared form beside ``path``; no rows."""
    sample = selectors.sample_submission(competition) if competition.pk else None
    if sample is None:
        return scoring.prepare_solution(path, metric=metric)
    with local_path(sample.file) as sample_path:
        return scoring.prepare_solution(path, metric=metric, sample_submission_path=sample_path)


def version_prepare(version: SolutionVersion, metric: scoring.Metric) -> scoring.PreparedSolution:
    """Prepare a stored version; its problems as DomainError(solution_invalid)."""
    try:
        return solution_prepare(
            competition=version.competition, path=version.file.path, metric=metric
        )
    except scoring.SolutionError as exc:
        raise DomainError(Code.SOLUTION_INVALID, exc.message, details={"reason": exc.code}) from exc


def prepared_solution(
    version: SolutionVersion, metric: scoring.Metric | None = None
) -> scoring.PreparedSolution:
    """The memory-mapped answer key of ``version`` for ``metric`` (default: the competition's)."""
    metric = metric or competition_metric(version.competition)
    try:
        solution = scoring.load_solution(version.file.path)
    except scoring.SolutionError:
        return version_prepare(version, metric)
    if solution.meta["metric"] != metric.name:
        return version_prepare(version, metric)
    return solution


class ScoringSetup:
    """The active answer-key version of a competition, its metric and its prepared key, each
    read once. The metric and the key are read on first use, so a broken one (DomainError:
    metric_invalid, solution_invalid) is raised where the caller already knows the version."""

    def __init__(self, competition: Competition, version: SolutionVersion):
        version.competition = competition  # already loaded: no second fetch of the row
        self.competition = competition
        self.version = version

    @cached_property
    def metric(self) -> scoring.Metric:
        return competition_metric(self.competition)

    @cached_property
    def solution(self) -> scoring.PreparedSolution:
        return prepared_solution(self.version, self.metric)


def scoring_setup(competition: Competition) -> ScoringSetup | None:
    """What scoring a submission of ``competition`` needs, or None when it has no answer key."""
    version = selectors.active_solution(competition)
    return None if version is None else ScoringSetup(competition, version)
