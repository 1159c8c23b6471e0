"""Reading a submission: header, rows, ids and values checked, then aligned to the solution.

Every problem found is reported together (capped), each with its stable code. Messages quote the
participant's own file only: ids they sent or left out, their values, line numbers; never a target
or a row's Usage.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scoring import kinds
from scoring.arrays import one_chunk
from scoring.csv_reader import check_header, read_header, read_typed
from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import Problem, SubmissionError
from scoring.ids import IdMismatch
from scoring.inputs import DEFAULT_MAX_BYTES, InflatedCap, inflated_cap_for, open_csv
from scoring.metrics import Metric, PredictionKind
from scoring.offenders import FIRST_OFFENDERS, LineMap, line_numbers, lines, quoted, shown
from scoring.solution import PreparedSolution


@dataclass
class Submission:
    table: pa.Table | None  # as read, in the file's row order; kept for custom metrics only
    n_rows: int
    positions: np.ndarray  # solution row of each submission row
    # Aligned to the solution: y_pred[r] is the prediction for the solution's row r (its storage
    # order), so a metric sees the same rows in the same order whatever the file's row order
    # (float sums are then bit-identical). The file's order: y_pred[positions]. None for custom.
    y_pred: Any
    timings: dict[str, float] = field(default_factory=dict)


def read_submission(
    solution: PreparedSolution,
    path: str | os.PathLike,
    *,
    metric: Metric | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Submission:
    """Read and check a submission for ``solution``; raise one SubmissionError with every
    problem found. ``metric``: by default the solution's own (see ``score_submission``).
    ``max_bytes`` caps the file as uploaded; what it holds uncompressed is capped by the
    answer key's size (``scoring.inputs.inflated_cap_for``)."""
    metric = metric or solution.metric
    started = time.perf_counter()
    id_type = pa.int64() if solution.meta["id_type"] == "int" else pa.string()
    types = {
        solution.id_column: id_type,
        **kinds.prediction_types(metric, solution.target_columns, solution.meta["label_type"]),
    }
    custom = metric.kind == PredictionKind.CUSTOM
    # Line numbers for messages: the file is read again for them only when there is a problem.
    inflated = inflated_cap_for(solution, metric)
    line_map = LineMap(lambda: _file_bytes(path, max_bytes, inflated))
    with open_csv(path, max_bytes=max_bytes, inflated=inflated) as source:
        check_header(read_header(source), solution.columns)
        table, problems = read_typed(
            source,
            types,
            solution.id_column,
            line_map=line_map,
            multiline_values=custom,
            rows=None if inflated.max_rows is None else (solution.n_rows, inflated.max_rows),
        )
    pa.default_memory_pool().release_unused()  # the parser's blocks, cached by the allocator
    read_s = time.perf_counter() - started
    if table.num_rows == 0:
        raise SubmissionError.single(
            Code.HEADER_ONLY,
            f"The file has a header but no rows. Expected {solution.n_rows} rows, one per id.",
        )

    started = time.perf_counter()
    sub_ids = table[solution.id_column]
    try:
        if problems:
            raise IdMismatch
        positions = solution.index.positions(sub_ids, lambda: solution.ids)
    except IdMismatch:
        positions = None
        if not problems and not custom:
            # Arrow read the file, but an unclosed quote may have swallowed lines into a value
            # (on large files it may even drop them): that, and not the ids, is the problem.
            quote = line_map.quote_problem(table.num_rows)
            if quote is not None:
                raise SubmissionError([quote]) from None
        ids_reported = any(p.code == Code.ID_INVALID for p in problems)
        problems += diagnose_ids(
            solution, one_chunk(sub_ids), report_empty=not ids_reported, line_map=line_map
        )
    y_pred, value_problems = kinds.predictions(
        metric,
        table,
        solution.target_columns,
        solution.meta["classes"],
        solution.meta["label_type"],
        line_map,
    )
    problems += value_problems
    if problems:
        raise SubmissionError(problems)
    # Built-in metrics need only y_pred: let the table go, it is the largest thing held, and
    # hand what Arrow's allocator keeps cached back to the system (tens of MB on large files).
    # y_pred is put in the solution's row order first: its column in the file's order (which
    # it may still be a view of) is then freed as well.
    keep = table if custom else None
    del table, sub_ids
    pool = pa.default_memory_pool()
    pool.release_unused()
    y_pred = _in_solution_order(y_pred, positions)
    pool.release_unused()
    return Submission(
        keep,
        len(positions),
        positions,
        y_pred,
        {"read_s": read_s, "validate_s": time.perf_counter() - started},
    )


def _in_solution_order(y_pred: Any, positions: np.ndarray) -> Any:
    """``y_pred`` scattered once to the solution rows that ``positions`` name."""
    if y_pred is None:
        return None
    if isinstance(y_pred, list):  # ranked lists, RLE masks: Python objects
        aligned: list = [None] * len(positions)
        for row, value in zip(positions.tolist(), y_pred, strict=True):
            aligned[row] = value
        return aligned
    out = np.empty((len(positions), *y_pred.shape[1:]), dtype=y_pred.dtype)
    out[positions] = y_pred
    return out


def _file_bytes(path: str | os.PathLike, max_bytes: int, inflated: InflatedCap) -> bytes:
    with open_csv(path, max_bytes=max_bytes, inflated=inflated) as source:
        return source.read()


def diagnose_ids(
    solution: PreparedSolution,
    sub_ids: pa.Array,
    *,
    report_empty: bool = True,
    line_map: LineMap | None = None,
) -> list[Problem]:
    """The slow, exact account of how the ids differ from the solution's."""
    n, got = solution.n_rows, len(sub_ids)
    problems: list[Problem] = []
    if got != n:
        problems.append(
            Problem(
                Code.ROW_COUNT_MISMATCH,
                f"Submission has {got} rows; expected {n}.",
                {"rows": got, "expected": n},
            )
        )
    empty = np.flatnonzero(sub_ids.is_null().to_numpy(zero_copy_only=False))
    if len(empty) and report_empty:
        problems.append(
            Problem(
                Code.ID_INVALID,
                f"{len(empty)} row(s) have an empty id ({lines(empty, line_map)}).",
                {"rows": line_numbers(empty, line_map), "count": int(len(empty))},
            )
        )
    solution_ids = solution.ids
    pos = pc.index_in(sub_ids, value_set=solution_ids)
    unknown = np.flatnonzero(
        pc.and_(pos.is_null(), sub_ids.is_valid()).to_numpy(zero_copy_only=False)
    )
    if len(unknown):
        samples = sub_ids.take(pa.array(unknown[:FIRST_OFFENDERS])).to_pylist()
        problems.append(
            Problem(
                Code.IDS_UNKNOWN,
                f"{len(unknown)} id(s) are not in the test set ({lines(unknown, line_map)}: "
                f"{quoted(samples)}).",
                {"count": int(len(unknown)), "ids": shown(samples)},
            )
        )
    matched = pos.drop_null().to_numpy().astype(np.int64)
    counts = np.bincount(matched, minlength=n)
    dup_rows = np.flatnonzero(counts > 1)
    if len(dup_rows):
        samples = solution_ids.take(pa.array(dup_rows[:FIRST_OFFENDERS])).to_pylist()
        extra = int((counts[dup_rows] - 1).sum())
        problems.append(
            Problem(
                Code.IDS_DUPLICATED,
                f"{len(dup_rows)} id(s) appear more than once ({extra} extra row(s)); each id "
                f"must appear exactly once. Duplicated ids (first {FIRST_OFFENDERS}): "
                f"{quoted(samples)}.",
                {"count": int(len(dup_rows)), "ids": shown(samples)},
            )
        )
    missing_rows = np.flatnonzero(counts == 0)
    if len(missing_rows):
        # Sorted by id, so the participant sees the same ids whatever our storage order is.
        missing_ids = pc.sort_indices(solution_ids.take(pa.array(missing_rows)))
        samples = solution_ids.take(pa.array(missing_rows)).take(missing_ids[:FIRST_OFFENDERS])
        problems.append(
            Problem(
                Code.IDS_MISSING,
                f"{len(missing_rows)} id(s) of the test set are missing. Missing ids (first "
                f"{min(FIRST_OFFENDERS, len(missing_rows))}): {quoted(samples.to_pylist())}.",
                {"count": int(len(missing_rows)), "ids": shown(samples.to_pylist())},
            )
        )
    return problems
