"""The publish checklist of a draft: what must hold before participants see it (a selector: it
reads, and runs the metric on the sample submission, storing nothing)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import scoring
from podium.competitions import selectors
from podium.competitions.answer_keys import prepared_solution
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.metric_sandbox import SAMPLE, competition_source, metric_dry_run
from podium.competitions.metrics import competition_metric
from podium.competitions.models import Competition
from podium.competitions.rules import competition_schedule_refusals
from podium.core.errors import DomainError
from podium.core.files import materialize
from podium.core.timeutils import now


class PublishCheck(StrEnum):
    """Stable codes of the checklist's items (in ``details["unmet"]`` of a refused publish)."""

    ANSWER_KEY = "answer_key"
    METRIC_DRY_RUN = "metric_dry_run"
    DATA_FILES = "data_files"
    SCHEDULE = "schedule"


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    ok: bool
    meaning: str  # what the item asks for
    detail: str  # what was found (why it is not ok, or what passed)
    fix: str  # how to make it ok ("" when it is)


def publish_checklist(*, competition: Competition) -> list[ChecklistItem]:
    """Every item of the checklist, in order: an active answer key; the metric's dry run (the
    sample submission scored against the answer key, in the sandbox for a custom metric) gives
    two finite scores; at least one data file; dates sane (the end after the start, the
    deadlines not after it, a scheduled reveal after it, the end still ahead). No locks."""
    version = selectors.active_solution(competition)
    return [
        _answer_key_item(version),
        _dry_run_item(competition, version),
        _data_files_item(competition),
        _schedule_item(competition),
    ]


def checklist_unmet(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if not item.ok]


def _answer_key_item(version) -> ChecklistItem:
    meaning = "An active answer key: the test set's targets, with its public/private split."
    if version is None:
        return ChecklistItem(
            PublishCheck.ANSWER_KEY,
            False,
            meaning,
            "There is no answer key.",
            "Upload one in the admin's competition form (Answer key).",
        )
    rows = version.rows or {}
    found = (
        f"v{version.number} is active: {rows.get('public', 0)} public, "
        f"{rows.get('private', 0)} private rows."
    )
    return ChecklistItem(PublishCheck.ANSWER_KEY, True, meaning, found, "")


def _dry_run_item(competition: Competition, version) -> ChecklistItem:
    meaning = "The metric scores the sample submission against the answer key."
    code = PublishCheck.METRIC_DRY_RUN
    sample = selectors.sample_submission(competition)
    if version is None:
        return ChecklistItem(
            code, False, meaning, "Not run: there is no answer key.", "Upload an answer key."
        )
    if sample is None:
        return ChecklistItem(
            code,
            False,
            meaning,
            "Not run: there is no sample submission.",
            "Add a data file of kind 'Sample submission' in the admin.",
        )
    fix = "Fix the metric (or its parameters) or the sample submission, then check again."
    try:
        public, private = _sample_scores(competition, version, sample)
    except (DomainError, scoring.SolutionError, scoring.SubmissionError) as exc:
        return ChecklistItem(code, False, meaning, f"It failed: {exc.message}", fix)
    except scoring.ScoringError as exc:
        detail = exc.message if exc.participant_visible else (exc.detail or exc.message)
        return ChecklistItem(code, False, meaning, f"It failed: {detail}", fix)
    if not (math.isfinite(public) and math.isfinite(private)):
        return ChecklistItem(code, False, meaning, "It gave a score that is not a number.", fix)
    precision = competition.score_display_precision
    found = (
        f"The sample submission scored public {public:.{precision}f}, "
        f"private {private:.{precision}f}."
    )
    return ChecklistItem(code, True, meaning, found, "")


def _sample_scores(competition: Competition, version, sample) -> tuple[float, float]:
    if competition.metric == "custom":
        report = metric_dry_run(
            competition=competition,
            source=competition_source(competition),
            params=competition.metric_params or {},
            higher_is_better=competition.custom_metric_higher_is_better,
        )
        tried = [s for s in report.scores if s.what == SAMPLE]
        if not tried:
            raise DomainError(Code.METRIC_INVALID, " ".join(report.notes) or "Not scored.")
        return tried[0].public, tried[0].private
    metric = competition_metric(competition)
    solution = prepared_solution(version, metric)
    with materialize(sample.file) as path:
        result = scoring.score_submission(
            solution, path, metric=metric, params=competition.metric_params or None
        )
    return result.public_score, result.private_score


def _data_files_item(competition: Competition) -> ChecklistItem:
    count = selectors.data_files(competition=competition).count()
    meaning = "At least one data file for participants to download."
    if not count:
        return ChecklistItem(
            PublishCheck.DATA_FILES,
            False,
            meaning,
            "There are no data files.",
            "Add the training data (and the sample submission) in the admin's Data files.",
        )
    found = f"{count} data file{'' if count == 1 else 's'}."
    return ChecklistItem(PublishCheck.DATA_FILES, True, meaning, found, "")


def _schedule_item(competition: Competition) -> ChecklistItem:
    meaning = (
        "Dates sane: the end after the start, the deadlines not after the end, a scheduled "
        "reveal after the end, and the end still ahead."
    )
    refusals = competition_schedule_refusals(competition)
    problems = list(refusals.values())
    if competition.end_at <= now():
        problems.append(f"The end ({competition.end_at:%d %b %Y %H:%M} UTC) has passed.")
    if problems:
        return ChecklistItem(
            PublishCheck.SCHEDULE,
            False,
            meaning,
            " ".join(problems),
            "Change the dates in the admin's competition form (Schedule).",
        )
    found = f"{competition.start_at:%d %b %Y %H:%M} to {competition.end_at:%d %b %Y %H:%M} UTC."
    return ChecklistItem(PublishCheck.SCHEDULE, True, meaning, found, "")
