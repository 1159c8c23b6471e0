"""What each prediction kind means for the solution's targets and the submission's columns.

For a kind this module knows: the Arrow types to read prediction columns as, how to turn the
solution's target columns into ``y_true`` (refusing targets the metric cannot use), and how to turn
a submission's columns into ``y_pred`` with every problem found. Submission messages name the
participant's own values only, never a target value or a row's Usage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scoring import arrays
from scoring.error_codes import SolutionErrorCode
from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import Problem, SolutionError
from scoring.metrics.registry import MAX_ABS_CEILING, Metric
from scoring.metrics.registry import PredictionKind as K
from scoring.metrics.segmentation import parse_rle
from scoring.offenders import FIRST_OFFENDERS, LineMap, line_numbers, lines, quoted

_NUMERIC_PRED = {K.BINARY_SCORE, K.PROBABILITY, K.CLASS_PROBABILITIES, K.CONTINUOUS}
_TEXT = {K.RANKED_LIST, K.RLE_MASK}
# Kinds whose solution targets are read as the text written, never type-inferred: a label
# 'True' or '1.0' must stay what the participant will write ('true' and '1' would not match).
TEXT_TARGETS = {K.LABEL, *_TEXT}
_SHOWN_CLASSES = 20


@dataclass
class Targets:
    """The solution's targets as a metric needs them, plus what validation must know."""

    y_true: object
    classes: list = field(default_factory=list)  # label / class_probabilities kinds
    label_type: str = ""  # "int" or "str" for label kinds


def prediction_types(metric: Metric, columns: list[str], label_type: str) -> dict:
    kind = metric.kind
    if kind in _NUMERIC_PRED:
        return dict.fromkeys(columns, pa.float64())
    if kind == K.LABEL:
        return dict.fromkeys(columns, pa.int64() if label_type == "int" else pa.string())
    if kind in _TEXT:
        return dict.fromkeys(columns, pa.string())
    return dict.fromkeys(columns, None)  # custom: Arrow infers, the metric validates


# -- the solution ---------------------------------------------------------------------------


def _bad_target(message: str) -> SolutionError:
    return SolutionError(SolutionErrorCode.TARGET_INVALID, message)


def _numeric(col: pa.ChunkedArray, name: str) -> np.ndarray:
    try:
        values = pc.cast(col, pa.float64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _bad_target(f"Target column {name!r} must be numeric.") from None
    if col.null_count or not np.isfinite(values).all():
        raise _bad_target(f"Target column {name!r} has empty or non-finite values.")
    return values


def _one_column(metric: Metric, targets: pa.Table) -> str:
    if targets.num_columns != 1:
        raise SolutionError(
            SolutionErrorCode.COLUMNS_INVALID,
            f"{metric.name} needs exactly one target column besides the id and Usage; "
            f"found {targets.num_columns}: {', '.join(targets.column_names)}.",
        )
    return targets.column_names[0]


def solution_targets(metric: Metric, targets: pa.Table) -> Targets:
    kind = metric.kind
    if kind == K.CUSTOM:
        return Targets(y_true=None)
    if kind == K.CLASS_PROBABILITIES:
        onehot = np.column_stack([_numeric(targets[c], c) for c in targets.column_names])
        if targets.num_columns < 2 or not (
            np.isin(onehot, (0.0, 1.0)).all() and (onehot.sum(axis=1) == 1).all()
        ):
            raise _bad_target(
                f"{metric.name} needs one 0/1 column per class with exactly one 1 per row."
            )
        return Targets(y_true=onehot.argmax(axis=1), classes=list(targets.column_names))
    name = _one_column(metric, targets)
    col = targets[name]
    if kind in (K.BINARY_SCORE, K.PROBABILITY):
        values = _numeric(col, name)
        if not np.isin(values, (0.0, 1.0)).all():
            raise _bad_target(f"{metric.name} needs target {name!r} to be 0 or 1 on every row.")
        return Targets(y_true=values.astype(np.int8))
    if kind == K.CONTINUOUS:
        values = _numeric(col, name)
        if (
            metric.value_range
            and not ((values >= metric.value_range[0]) & (values <= metric.value_range[1])).all()
        ):
            raise _bad_target(f"{metric.name} needs targets within {metric.value_range}.")
        if not (np.abs(values) <= MAX_ABS_CEILING).all():
            # Beyond it a squared error can overflow: a board's score could then fail or not
            # depending on which rows it holds.
            raise _bad_target(
                f"Target column {name!r} has values beyond ±{MAX_ABS_CEILING:g}; "
                f"{metric.name} cannot score them reliably. Rescale the targets."
            )
        return Targets(y_true=values)
    if kind == K.LABEL:
        if col.null_count:
            raise _bad_target(f"Target column {name!r} has empty values.")
        # Integers only when every label is one written canonically (as the ids): '7', not
        # '07' or '7.0'; anything else is matched as the text written.
        text = pc.cast(col, pa.string())
        as_int = arrays.canonical_ints(text)
        label_type = "int" if as_int is not None else "str"
        values = as_int if as_int is not None else text
        classes = pc.unique(values).sort()
        codes = pc.index_in(values, value_set=classes).to_numpy().astype(np.int64)
        return Targets(y_true=codes, classes=classes.to_pylist(), label_type=label_type)
    text = pc.cast(col, pa.string()).fill_null("").to_pylist()
    if kind == K.RANKED_LIST:
        return Targets(y_true=[t.split() for t in text])
    try:
        return Targets(y_true=[parse_rle(t) for t in text])
    except ValueError as exc:
        raise _bad_target(f"Target column {name!r} holds an invalid RLE mask: {exc}") from None


def check_split(metric: Metric, targets: Targets, usage: np.ndarray) -> None:
    """Refuse a split on which the metric is undefined (ROC AUC with one class on a board)."""
    if not metric.needs_every_class:
        return
    n_classes = len(targets.classes) or 2
    for code, board in ((0, "Public"), (1, "Private")):
        present = len(np.unique(np.asarray(targets.y_true)[usage == code]))
        if present < n_classes:
            raise SolutionError(
                SolutionErrorCode.TARGET_INVALID,
                f"The {board} rows hold {present} of the {n_classes} classes; {metric.name} is "
                "undefined there. Move rows so that every class appears in both splits.",
            )


# -- the submission -------------------------------------------------------------------------


def predictions(
    metric: Metric,
    table: pa.Table,
    columns: list[str],
    classes: list,
    label_type: str,
    line_map: LineMap | None = None,
) -> tuple[object, list[Problem]]:
    """``y_pred`` in submission row order, and every problem found in its columns.

    ``line_map`` gives the file's line numbers in messages (by default row + 2)."""
    kind = metric.kind
    if kind == K.CUSTOM:
        return None, []
    if kind in _NUMERIC_PRED:
        problems: list[Problem] = []
        columns_read = []
        for name in columns:
            values, found = _numeric_predictions(metric, name, table[name], line_map)
            columns_read.append(values)
            problems += found
        y = columns_read[0] if kind != K.CLASS_PROBABILITIES else np.column_stack(columns_read)
        return y, problems
    name = columns[0]
    col = table[name].combine_chunks()
    if kind == K.LABEL:
        return _label_predictions(name, col, classes, label_type, line_map)
    text = col.fill_null("").to_pylist()
    if kind == K.RANKED_LIST:
        return [t.split() for t in text], []
    return _rle_predictions(name, text, line_map)


def _problem(
    code: Code, rows: np.ndarray, message: str, column: str, line_map: LineMap | None
) -> Problem:
    return Problem(
        code,
        message,
        {"column": column, "rows": line_numbers(rows, line_map), "count": int(len(rows))},
    )


def _missing_problems(name: str, missing: np.ndarray, line_map: LineMap | None) -> list[Problem]:
    if not len(missing):
        return []
    message = f"Column {name!r} has {len(missing)} empty value(s) ({lines(missing, line_map)})."
    return [_problem(Code.VALUE_MISSING, missing, message, name, line_map)]


def _numeric_predictions(
    metric: Metric, name: str, col: pa.ChunkedArray, line_map: LineMap | None = None
):
    values = arrays.values(col)  # nulls become NaN
    problems = []
    missing = arrays.null_rows(col)
    problems += _missing_problems(name, missing, line_map)
    finite = np.isfinite(values)
    nonfinite = np.flatnonzero(~finite)
    if len(missing):
        nonfinite = np.setdiff1d(nonfinite, missing)
    if len(nonfinite):
        problems.append(
            _problem(
                Code.VALUE_NOT_FINITE,
                nonfinite,
                f"Column {name!r} has {len(nonfinite)} value(s) that are NaN or infinite "
                f"({lines(nonfinite, line_map)}: {quoted(values[nonfinite].tolist())}).",
                name,
                line_map,
            )
        )
    # Every row is checked, whatever its Usage: a value the metric could not take is refused
    # here, the same way on every board, and never reaches a metric (see the registry).
    low, high = metric.prediction_range
    outside = np.flatnonzero(finite & ((values < low) | (values > high)))
    if len(outside):
        span = (
            f"between {low:g} and {high:g}"
            if (low, high) == (0.0, 1.0) or low == -high
            else f"at least {low:g} and at most {high:g}"
        )
        problems.append(
            _problem(
                Code.VALUE_OUT_OF_RANGE,
                outside,
                f"Column {name!r} must be {span} for {metric.name}; {len(outside)} value(s) "
                f"are not ({lines(outside, line_map)}: {quoted(values[outside].tolist())}).",
                name,
                line_map,
            )
        )
    return values, problems


def _label_predictions(
    name: str, col: pa.Array, classes: list, label_type: str, line_map: LineMap | None = None
):
    value_set = pa.array(classes, type=pa.int64() if label_type == "int" else pa.string())
    codes = pc.index_in(col, value_set=value_set)
    problems = []
    missing = arrays.null_rows(col)
    problems += _missing_problems(name, missing, line_map)
    unknown = np.flatnonzero(
        pc.and_(codes.is_null(), col.is_valid()).to_numpy(zero_copy_only=False)
    )
    if len(unknown):
        shown = ", ".join(map(str, classes[:_SHOWN_CLASSES]))
        if len(classes) > _SHOWN_CLASSES:
            shown += f", ... ({len(classes)} classes)"
        samples = col.take(pa.array(unknown[:FIRST_OFFENDERS])).to_pylist()
        problems.append(
            _problem(
                Code.LABEL_UNKNOWN,
                unknown,
                f"Column {name!r} has {len(unknown)} value(s) that are not a known class "
                f"({lines(unknown, line_map)}: {quoted(samples)}). Valid classes: {shown}.",
                name,
                line_map,
            )
        )
    return codes.fill_null(-1).to_numpy().astype(np.int64), problems


def _rle_predictions(name: str, text: list[str], line_map: LineMap | None = None):
    masks, bad, reasons = [], [], []
    for i, t in enumerate(text):
        try:
            masks.append(parse_rle(t))
        except ValueError as exc:
            masks.append(None)
            bad.append(i)
            reasons.append(str(exc))
    if not bad:
        return masks, []
    rows = np.array(bad, dtype=np.int64)
    return masks, [
        _problem(
            Code.VALUE_INVALID_FORMAT,
            rows,
            f"Column {name!r} has {len(rows)} invalid run-length encoding(s) "
            f"({lines(rows, line_map)}; line {line_numbers(rows, line_map)[0]}: {reasons[0]}).",
            name,
            line_map,
        )
    ]
