"""Organizer metrics written in Kaggle's own interface.

A Python file defines::

    def score(solution: pd.DataFrame, submission: pd.DataFrame, row_id_column_name: str,
              **kwargs) -> float

and may raise ``ParticipantVisibleError`` (its own class of that name, as in Kaggle's template, or
``scoring.ParticipantVisibleError``, or ``kaggle_metric_utilities``') for a message the
participant sees word for word. As on Kaggle, each board is scored by its own call with both
frames sorted by id and aligned row for row; the solution frame never holds the Usage column.

Two ways to run one:

* offline, in this process (``load_metric_file``, the ``python -m scoring`` CLI): for an
  organizer trying their own file on their own machine. ``kaggle_metric_utilities`` is importable
  (``scoring/metric_env/``) unless another module of that name is.
* on the server, only in the sandbox: the server validates and aligns the submission here
  (``read_submission``), writes each board's frames with ``write_board_inputs``, runs
  ``scoring/metric_env/runner.py`` in the sandbox, and reads its ``result.json`` as hostile with
  ``read_result``. The server's Metric is a descriptor (``sandboxed_metric``) whose function
  refuses to run in-process.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import inspect
import json
import math
import os
import stat
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import MetricFileError, ScoringError
from scoring.metric_env import KAGGLE_METRIC_UTILITIES
from scoring.metrics import Metric, PredictionKind
from scoring.safe_call import run_metric
from scoring.solution import PRIVATE, PUBLIC, PreparedSolution
from scoring.submission import Submission

KAGGLE_HELPER = "kaggle_metric_utilities"
BOARDS = (("public", PUBLIC), ("private", PRIVATE))
RESULT_MAX_BYTES = 1024 * 1024  # the runner cuts its messages well below this
UNREADABLE = "The metric's result could not be read"


def load_metric_file(
    path: str | os.PathLike, *, name: str | None = None, greater_is_better: bool | None = None
) -> Metric:
    """Load ``score`` from an organizer's file as a Metric of kind ``custom``.

    Direction: the argument, else the file's ``HIGHER_IS_BETTER``, else higher is better.
    """
    path = Path(path)
    module_name = "podium_metric_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    install_kaggle_helper()
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{path} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(module_name, None)
        raise MetricFileError(
            f"The metric file {path.name} could not be loaded:\n"
            + "".join(traceback.format_exception_only(exc))
        ) from exc
    func = getattr(module, "score", None)
    if not callable(func):
        raise MetricFileError(f"The metric file {path.name} must define a function named 'score'.")
    if len(inspect.signature(func).parameters) < 3:
        raise MetricFileError(
            "score must take (solution, submission, row_id_column_name, **kwargs), as on Kaggle."
        )
    if greater_is_better is None:
        greater_is_better = bool(getattr(module, "HIGHER_IS_BETTER", True))
    doc = (module.__doc__ or func.__doc__ or "").strip().splitlines()
    return Metric(
        name=name or path.stem,
        func=func,
        greater_is_better=greater_is_better,
        kind=PredictionKind.CUSTOM,
        description=doc[0] if doc else f"Organizer metric from {path.name}",
    )


def install_kaggle_helper() -> None:
    """Make ``import kaggle_metric_utilities`` work in this process: ours, from
    ``scoring/metric_env/``, unless a module of that name is already importable."""
    if KAGGLE_HELPER in sys.modules or importlib.util.find_spec(KAGGLE_HELPER) is not None:
        return
    spec = importlib.util.spec_from_file_location(KAGGLE_HELPER, KAGGLE_METRIC_UTILITIES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[KAGGLE_HELPER] = module


def sandboxed_metric(
    *, name: str, greater_is_better: bool, description: str = "Organizer metric"
) -> Metric:
    """The Metric of an organizer's file that runs only in the sandbox: its name, direction and
    kind for the reader and the boards; calling it in-process is refused."""

    def refuse(*args: Any, **kwargs: Any) -> float:
        raise MetricFileError(
            f"The organizer metric {name} runs only in the sandbox, never in this process."
        )

    return Metric(
        name=name,
        func=refuse,
        greater_is_better=greater_is_better,
        kind=PredictionKind.CUSTOM,
        description=description,
    )


def board_tables(
    solution: PreparedSolution, submission: Submission
) -> list[tuple[str, pa.Table, pa.Table]]:
    """Per board (public, then private): the solution's id and target columns (no Usage) and the
    submission's rows for the same ids, both sorted by id, row for row."""
    id_col = solution.id_column
    by_id = pc.sort_indices(solution.ids).to_numpy()
    usage = solution.usage[by_id]
    sub_row_of = np.empty(solution.n_rows, dtype=np.int64)
    sub_row_of[submission.positions] = np.arange(submission.n_rows)
    visible = solution.table.select([id_col, *solution.target_columns])
    boards = []
    for name, code in BOARDS:
        rows = by_id[usage == code]
        boards.append(
            (name, visible.take(pa.array(rows)), submission.table.take(pa.array(sub_row_of[rows])))
        )
    return boards


def score_boards(
    metric: Metric, solution: PreparedSolution, submission: Submission, params: dict[str, Any]
) -> tuple[float, float]:
    """In this process (offline use): ``metric.func`` once per board on fresh pandas frames."""
    id_col = solution.id_column

    def kaggle_score(sol_df, sub_df, **kwargs):
        return metric.func(sol_df, sub_df, id_col, **kwargs)

    scores = [
        run_metric(kaggle_score, sol.to_pandas(), sub.to_pandas(), params)
        for _, sol, sub in board_tables(solution, submission)
    ]
    return scores[0], scores[1]


# -- the sandbox's side door: inputs written here, the result read back as hostile --------------


def write_board_inputs(
    solution: PreparedSolution, submission: Submission, folder: str | os.PathLike
) -> dict[str, Path]:
    """Each board's two frames as Parquet in ``folder``: ``{"solution_public.parquet": path,
    "submission_public.parquet": ..., "solution_private.parquet": ..., ...}``."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, sol, sub in board_tables(solution, submission):
        for side, table in (("solution", sol), ("submission", sub)):
            file_name = f"{side}_{name}.parquet"
            pq.write_table(table, folder / file_name, compression="none")
            written[file_name] = folder / file_name
    return written


def runner_spec(
    *,
    metric: str,
    metric_name: str,
    row_id_column_name: str,
    params: dict[str, Any],
    input_dir: str,
    output: str,
    boards: bool = True,
) -> dict[str, Any]:
    """What ``runner.py`` is told (see its docstring); paths as the runner sees them.
    ``boards=False``: only load the file and check its ``score``."""
    return {
        "metric": metric,
        "metric_name": metric_name,
        "row_id_column_name": row_id_column_name,
        "params": params,
        "boards": [
            {
                "name": name,
                "solution": f"{input_dir}/solution_{name}.parquet",
                "submission": f"{input_dir}/submission_{name}.parquet",
            }
            for name, _ in BOARDS
        ]
        if boards
        else [],
        "output": output,
    }


def _unreadable(why: str) -> ScoringError:
    return ScoringError(detail=f"{UNREADABLE}: {why}")


def _read_capped(path: Path) -> bytes:
    """At most RESULT_MAX_BYTES of a regular file, never following a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _unreadable("the metric wrote no result.") from None
    except OSError as exc:
        reason = "it is a link" if exc.errno == errno.ELOOP else exc.strerror
        raise _unreadable(f"{reason}.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _unreadable("it is not a regular file.")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(RESULT_MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > RESULT_MAX_BYTES:
        raise _unreadable(f"it is larger than {RESULT_MAX_BYTES:,} bytes.")
    return data


def _strict_json(data: bytes) -> Any:
    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("a key appears twice")
        return dict(pairs)

    return json.loads(
        data.decode("utf-8"), parse_constant=refuse_constant, object_pairs_hook=no_duplicates
    )


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def read_result(path: str | os.PathLike, *, boards: bool = True) -> tuple[float, float] | None:
    """The (public, private) scores in the runner's ``result.json``; None for a load-only run
    (``boards=False``) that passed. The file came out of the sandbox: it is read capped, never
    through a link, and strictly: two finite numbers, or an error object of a bool and two
    strings, or, load-only, ``{"loaded": true}``. Anything else is a ScoringError saying the
    result could not be read.

    A metric's error becomes a ScoringError as in-process ones do (``safe_call``): only a
    ParticipantVisibleError's words reach the participant; anything else is "Submission Scoring
    Error" for them, its words and traceback the organizer's detail.
    """
    data = _read_capped(Path(path))
    try:
        result = _strict_json(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _unreadable(f"it is not valid JSON ({str(exc)[:200]}).") from None
    if not isinstance(result, dict):
        raise _unreadable("it is not a JSON object.")
    if set(result) == {"error"}:
        raise _metric_error(result["error"])
    if not boards:
        if result == {"loaded": True}:
            return None
        raise _unreadable('expected {"loaded": true} or an error.')
    if set(result) != {"public", "private"}:
        raise _unreadable("expected the keys public and private, or error.")
    public, private = _finite(result["public"]), _finite(result["private"])
    if public is None or private is None:
        raise _unreadable("public and private must both be finite numbers.")
    return public, private


def _metric_error(error: Any) -> ScoringError:
    shape = {"participant_visible": bool, "message": str, "traceback": str}
    if not (
        isinstance(error, dict)
        and set(error) == set(shape)
        and all(type(error[key]) is kind for key, kind in shape.items())
    ):
        return _unreadable("its error is not {participant_visible, message, traceback}.")
    message, trace = error["message"], error["traceback"]
    if error["participant_visible"]:
        return ScoringError(message, detail=trace, participant_visible=True)
    return ScoringError(detail="\n\n".join(part for part in (message, trace) if part))
