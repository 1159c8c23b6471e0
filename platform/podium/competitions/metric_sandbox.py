"""Organizer metric files, run only in the sandbox, with their own competition's rows only.

A web or worker process never loads the file. Scoring one submission:

1. here, in-process, as for any metric: ``scoring.read_submission`` checks the file and aligns
   it to the answer key (the participant's file problems are SubmissionErrors, as ever);
2. each board's frames are written as Parquet (``scoring.custom.write_board_inputs``: id and
   target columns, no Usage, sorted by id, row for row);
3. one sandbox start (``podium.core.sandbox``) runs ``scoring/metric_env/runner.py``, which loads
   the file beside ``kaggle_metric_utilities``, calls ``score`` once per board and writes
   ``result.json``;
4. that file is read as hostile (``scoring.custom.read_result``) into scores or a ScoringError,
   as in-process metrics end: only a ParticipantVisibleError's words reach the participant.

Where the sandbox cannot start the metric does not run: the submission fails with a host-side
detail that says why (``SandboxUnavailable``'s words); it never falls back to this process.

``metric_dry_run`` is what the admin form runs before a custom metric is saved: the competition's
sample submission and a perfect one built from the answer key, in the sandbox.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile

import scoring
from podium.competitions import selectors
from podium.competitions.answer_keys import solution_prepare
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.models import Competition
from podium.core import sandbox
from podium.core.errors import DomainError
from podium.core.files import CHUNK, materialize
from scoring.custom import read_result, runner_spec, write_board_inputs
from scoring.metric_env import KAGGLE_METRIC_UTILITIES, RUNNER

INPUT, CODE, OUTPUT = "/sandbox/input", "/sandbox/code", "/sandbox/output"
SPEC, RESULT = "spec.json", "result.json"
LOG_TAIL = 4000  # of the run's output, in an organizer's detail


def metric_limits() -> sandbox.Limits:
    return sandbox.Limits(
        wall_seconds=settings.METRIC_WALL_SECONDS,
        cpu_seconds=settings.METRIC_CPU_SECONDS,
        memory_mb=settings.METRIC_MEMORY_MB,
        work_mb=settings.METRIC_WORK_MB,
        tmp_mb=settings.METRIC_TMP_MB,
        processes=settings.METRIC_PROCESSES,
        threads=1,
    )


@dataclass(frozen=True)
class MetricSource:
    """An organizer's file as read once: its bytes, and the name it was uploaded as."""

    code: bytes
    name: str

    @classmethod
    def of(cls, file: File) -> MetricSource:
        """A stored file or a new upload, read whole (refused past METRIC_FILE_MAX_BYTES)."""
        limit = settings.METRIC_FILE_MAX_BYTES
        file.open("rb")  # a stored file is opened; an upload goes back to its start
        try:
            code = file.read(limit + 1)
        finally:
            if isinstance(file, FieldFile):
                file.close()
            else:
                file.seek(0)  # a new upload is stored after the checks
        if len(code) > limit:
            raise DomainError(Code.METRIC_INVALID, f"A metric file may be at most {limit:,} bytes.")
        return cls(code=code, name=Path(file.name or "metric.py").name)


def competition_source(competition: Competition) -> MetricSource:
    if not competition.custom_metric_file:
        raise DomainError(Code.METRIC_INVALID, "A custom metric needs its .py file.")
    return MetricSource.of(competition.custom_metric_file)


def run_metric(
    *,
    source: MetricSource,
    id_column: str,
    params: dict[str, Any],
    board_inputs: dict[str, Path] | None,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[float, float] | None:
    """One sandbox start: ``score`` on each board's Parquet frames (``board_inputs`` from
    ``write_board_inputs``) -> (public, private); with ``board_inputs=None`` only load the file
    and check its ``score`` -> None. A failure of any kind is a ScoringError."""
    limits = metric_limits()
    with tempfile.TemporaryDirectory(prefix="podium-metric-run-") as tmp:
        spec = runner_spec(
            metric=f"{CODE}/metric.py",
            metric_name=source.name,
            row_id_column_name=id_column,
            params=params,
            input_dir=INPUT,
            output=f"{OUTPUT}/{RESULT}",
            boards=board_inputs is not None,
        )
        spec_path = Path(tmp) / SPEC
        spec_path.write_text(json.dumps(spec))
        results = Path(tmp) / "results"
        try:
            outcome = sandbox.run(
                [sys.executable, "-s", f"{CODE}/runner.py", f"{INPUT}/{SPEC}"],
                root=settings.SANDBOX_ROOT,
                inputs={**(board_inputs or {}), SPEC: spec_path},
                code={
                    "runner.py": RUNNER,
                    "kaggle_metric_utilities.py": KAGGLE_METRIC_UTILITIES,
                    "metric.py": source.code,
                },
                limits=limits,
                result_dir=results,
                should_stop=should_stop,
            )
        except sandbox.SandboxUnavailable as exc:
            raise scoring.ScoringError(
                detail="The organizer's metric was not run: the sandbox cannot start on this "
                f"host, and a metric file never runs outside it. {exc}"
            ) from exc
        if outcome.timed_out:
            raise scoring.ScoringError(
                detail=(
                    f"The metric ran past its {limits.wall_seconds}-second limit and was stopped."
                    + _log_tail(outcome)
                )
            )
        if outcome.cancelled:
            raise scoring.ScoringError(detail="The metric's run was stopped." + _log_tail(outcome))
        try:
            return read_result(results / "output" / RESULT, boards=board_inputs is not None)
        except scoring.ScoringError as exc:
            if not exc.participant_visible:
                exc.detail += _ending(outcome) + _log_tail(outcome)
            raise


def _ending(outcome: sandbox.Outcome) -> str:
    said = ""
    if outcome.signal is not None:
        said = f"\n\nThe metric's process was ended by signal {outcome.signal}."
    elif outcome.exit_code != 0:
        said = f"\n\nThe metric's process exited with status {outcome.exit_code}."
    if outcome.refused:  # what it left that is not a plain file (a link to result.json...)
        said += "\n\nNot copied out of the sandbox: " + "; ".join(outcome.refused[:5])
    return said


def _log_tail(outcome: sandbox.Outcome) -> str:
    log = (outcome.log or "").strip()
    return f"\n\nIts output (the end):\n{log[-LOG_TAIL:]}" if log else ""


def sandbox_score(
    *,
    solution: scoring.PreparedSolution,
    path: str,
    metric: scoring.Metric,
    source: MetricSource,
    params: dict[str, Any],
    max_bytes: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> scoring.ScoreResult:
    """``scoring.score_submission`` for an organizer's file: the same checks and result, the
    metric in the sandbox. Raises SubmissionError, ScoringError (as the in-process path)."""
    started = time.perf_counter()
    submission = scoring.read_submission(solution, path, metric=metric, max_bytes=max_bytes)
    metric_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="podium-metric-boards-") as tmp:
        inputs = write_board_inputs(solution, submission, tmp)
        del submission
        public, private = run_metric(
            source=source,
            id_column=solution.id_column,
            params=params,
            board_inputs=inputs,
            should_stop=should_stop,
        )
    rows = solution.meta["rows"]
    return scoring.ScoreResult(
        public_score=public,
        private_score=private,
        public_rows=rows["public"],
        private_rows=rows["private"],
        ignored_rows=rows["ignored"],
        duration_s=time.perf_counter() - started,
        timings={"metric_s": time.perf_counter() - metric_started},
    )


# -- the admin's dry run --------------------------------------------------------------------------


@dataclass(frozen=True)
class TriedScore:
    what: str  # "a perfect submission (the answer key)", "the sample submission"
    public: float
    private: float


@dataclass
class DryRun:
    """What a custom metric did in the sandbox before it was saved, for the organizer."""

    metric: str
    scores: list[TriedScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        tried = "; ".join(
            f"{s.what}: public {s.public:.6g}, private {s.private:.6g}" for s in self.scores
        )
        text = f"The metric file {self.metric} ran in the sandbox"
        text += f". {tried[0].upper()}{tried[1:]}." if tried else "."
        return " ".join([text, *self.notes])


PERFECT = "a perfect submission (the answer key)"
SAMPLE = "the sample submission"
LOADING = "its loading"


def metric_dry_run(
    *,
    competition: Competition,
    source: MetricSource,
    params: dict[str, Any],
    higher_is_better: bool,
    solution_file: File | None = None,
) -> DryRun:
    """Run the organizer's file in the sandbox as it would score: on a perfect submission built
    from the answer key (``solution_file``, a new upload, else the competition's active one) and
    on the competition's sample submission when it has one. Raises DomainError(metric_invalid),
    its message holding the metric's traceback, when the file cannot be loaded, has no
    ``score``, crashes or returns anything but one finite number; returns the scores otherwise.
    Stores nothing; ``competition`` may be unsaved. A sample submission that the answer key's
    checks refuse, or that the metric refuses with a ParticipantVisibleError, is a note."""
    from podium.competitions.metrics import custom_metric

    metric = custom_metric(slug=competition.slug or "new", higher_is_better=higher_is_better)
    report = DryRun(metric=source.name)
    with tempfile.TemporaryDirectory(prefix="podium-metric-dry-run-") as tmp:
        folder = Path(tmp)
        key = _answer_key_copy(competition, solution_file, folder)
        if key is None:
            _try(source, "", params, None, LOADING)
            report.notes.append(
                "There is no answer key yet: the file was loaded and its score() found, but "
                "not tried on any rows."
            )
            return report
        sample = selectors.sample_submission(competition) if competition.pk else None
        try:
            solution = solution_prepare(competition=competition, path=key, metric=metric)
        except scoring.SolutionError as exc:  # the form's own answer key check says more
            raise DomainError(
                Code.METRIC_INVALID, f"The answer key could not be read: {exc.message}"
            ) from exc
        public, private = _try(
            source,
            solution.id_column,
            params,
            write_board_inputs(solution, _perfect(solution), folder / "perfect"),
            PERFECT,
        )
        report.scores.append(TriedScore(PERFECT, public, private))
        if sample is None:
            report.notes.append("The competition has no sample submission to try.")
            return report
        with materialize(sample.file) as sample_path:
            try:
                read = scoring.read_submission(solution, sample_path, metric=metric)
            except scoring.SubmissionError as exc:
                report.notes.append(f"The sample submission could not be read: {exc.message}")
                return report
        try:
            public, private = _try(
                source,
                solution.id_column,
                params,
                write_board_inputs(solution, read, folder / "sample"),
                SAMPLE,
            )
        except _ParticipantRefusal as refusal:
            report.notes.append(
                f"The metric refused the sample submission as it would a participant's: "
                f"{refusal.message}"
            )
            return report
        report.scores.append(TriedScore(SAMPLE, public, private))
    return report


class _ParticipantRefusal(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _try(source, id_column, params, inputs, what):
    try:
        return run_metric(source=source, id_column=id_column, params=params, board_inputs=inputs)
    except scoring.ScoringError as exc:
        if exc.participant_visible and what == SAMPLE:
            raise _ParticipantRefusal(exc.message) from exc
        said = f"{exc.message}\n" if exc.participant_visible else ""
        doing = "when loaded" if what == LOADING else f"on {what}"
        raise DomainError(
            Code.METRIC_INVALID,
            f"The metric failed {doing}, in the sandbox:\n{said}{exc.detail}".rstrip(),
        ) from exc


def _answer_key_copy(competition: Competition, upload: File | None, folder: Path) -> Path | None:
    """A private copy of the answer key to prepare (never the stored one's prepared folder,
    which scoring reads): the new upload, else the active version, else None."""
    target = folder / "solution.csv"
    if upload:
        with target.open("wb") as out:
            for chunk in upload.chunks(CHUNK):
                out.write(chunk)
        upload.seek(0)  # it is stored after the checks
        return target
    active = selectors.active_solution(competition) if competition.pk else None
    if active is None:
        return None
    with active.file.open("rb") as stored, target.open("wb") as out:
        shutil.copyfileobj(stored, out, CHUNK)
    return target


def _perfect(solution: scoring.PreparedSolution) -> scoring.Submission:
    """The answer key as a submission: every id with its own target values."""
    table = solution.table.select(solution.columns)
    n = table.num_rows
    return scoring.Submission(table=table, n_rows=n, positions=np.arange(n), y_pred=None)
