"""Runs an organizer's metric file, Kaggle's way, and writes what came of it to one JSON file.

    python -s runner.py SPEC.json

Started by the server inside the sandbox (``podium.competitions.metric_sandbox``), with the
metric file, this script and ``kaggle_metric_utilities.py`` in a read-only code folder on the
path. It is trusted; the metric file is not, and runs in this same process: whatever it does
stays inside the sandbox, and the server reads the result as hostile. Standard library, pandas
and pyarrow only: neither ``scoring`` nor the server exists in the sandbox.

SPEC.json::

    {"metric": "/sandbox/code/metric.py", "metric_name": "its uploaded name, for messages",
     "row_id_column_name": "id", "params": {...},
     "boards": [{"name": "public", "solution": ".parquet", "submission": ".parquet"}, ...],
     "output": "/sandbox/output/result.json"}

Each board is scored by its own call, ``score(solution, submission, row_id_column_name,
**params)``, on fresh frames read from its Parquet files (id and target columns, no Usage,
sorted by id and aligned row for row). The result::

    {"public": 0.91, "private": 0.89}                  one finite float per board, or
    {"error": {"participant_visible": false, "message": "...", "traceback": "..."}}
    {"loaded": true}                                   no boards: the file was only loaded

Only a ``ParticipantVisibleError`` (any class of that name in the exception's MRO, as Kaggle's
template and its helper module define it) is participant-visible; its message is its words.
Exit status 0 whenever the result was written.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import math
import numbers
import os
import sys
import traceback
from pathlib import Path

MODULE_NAME = "podium_organizer_metric"
# The server refuses a result.json over 1 MB: a message and a traceback are cut well below it.
MAX_MESSAGE = 20_000
MAX_TRACE = 200_000


class MetricFailed(Exception):
    """Ends the run with an error result."""

    def __init__(self, message: str, trace: str = "", participant_visible: bool = False) -> None:
        super().__init__(message)
        self.message, self.trace, self.participant_visible = message, trace, participant_visible


def _is_participant_visible(exc: BaseException) -> bool:
    return any(cls.__name__ == "ParticipantVisibleError" for cls in type(exc).__mro__)


def _text(make, fallback: str) -> str:
    try:
        return str(make())
    except Exception:  # noqa: BLE001 - a hostile __str__ or __repr__
        return fallback


def _describe(exc: BaseException) -> tuple[str, str]:
    """(the exception's last line, its traceback), whatever its __str__ does."""
    name = _text(lambda: type(exc).__name__, "an exception")
    summary = _text(lambda: "".join(traceback.format_exception_only(exc)).strip(), name)
    trace = _text(lambda: "".join(traceback.format_exception(exc)), name)
    return summary[:MAX_MESSAGE], trace[-MAX_TRACE:]


def _failure(exc: BaseException, what: str) -> MetricFailed:
    summary, trace = _describe(exc)
    if _is_participant_visible(exc):
        words = _text(lambda: exc, summary)[:MAX_MESSAGE]
        return MetricFailed(words, trace, participant_visible=True)
    return MetricFailed(f"{what}: {summary}", trace)


def load_score(path: str, shown_name: str):
    """The file's ``score`` function, or MetricFailed saying why not (the words of
    ``scoring.load_metric_file``, which loads the same files offline)."""
    try:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{shown_name} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = module
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: a broken file is reported
        summary, trace = _describe(exc)
        message = f"The metric file {shown_name} could not be loaded:\n{summary}"
        raise MetricFailed(message, trace) from None
    func = getattr(module, "score", None)
    if not callable(func):
        raise MetricFailed(f"The metric file {shown_name} must define a function named 'score'.")
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        parameters = None  # a builtin or an odd callable: let the call tell
    if parameters is not None and len(parameters) < 3:
        raise MetricFailed(
            "score must take (solution, submission, row_id_column_name, **kwargs), as on Kaggle."
        )
    return func


def finite(value) -> float:
    """The metric's result as a float, or MetricFailed: one finite real number only."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise MetricFailed(f"The metric returned {_short_repr(value)}, not a single number.")
    number = float(value)
    if not math.isfinite(number):
        raise MetricFailed(f"The metric returned {number}, not a finite number.")
    return number


def _short_repr(value) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__
        text = f"a {type(value).__name__}"
    return text if len(text) <= 200 else text[:200] + "..."


def read_frame(path: str):
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()


def score_boards(spec: dict) -> dict:
    score = load_score(spec["metric"], spec.get("metric_name") or Path(spec["metric"]).name)
    id_column = spec["row_id_column_name"]
    params = spec.get("params") or {}
    scores: dict[str, float] = {}
    for board in spec["boards"]:
        solution = read_frame(board["solution"])
        submission = read_frame(board["submission"])
        try:
            value = score(solution, submission, id_column, **params)
        except BaseException as exc:  # noqa: BLE001 - whatever the metric raises is its result
            raise _failure(exc, "The metric failed") from None
        scores[board["name"]] = finite(value)
        del solution, submission
    return scores if spec["boards"] else {"loaded": True}


def write_result(path: str, result: dict) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name("." + target.name + ".partial")
    partial.write_text(json.dumps(result, allow_nan=False))
    os.replace(partial, target)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: runner.py SPEC.json", file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text())
    try:
        result = score_boards(spec)
    except MetricFailed as failed:
        result = {
            "error": {
                "participant_visible": failed.participant_visible,
                "message": failed.message,
                "traceback": failed.trace,
            }
        }
    write_result(spec["output"], result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
