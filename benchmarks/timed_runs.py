"""What one child process times: ``python -m benchmarks.timed_runs MODE CASE`` prints one JSON
object (scores, seconds, memory) on stdout.

Each mode imports what it needs first (timed apart), notes the RSS right after the imports, then
times its work with ``perf_counter``. Peak memory is ``ru_maxrss`` at the end; the parent is kept
small so that this is the child's own (Linux carries the high-water mark over ``exec``), and
``VmHWM`` (this address space only) is reported beside it as a check.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from benchmarks.cases import (
    BOMB,
    BOMB_FILE,
    BOMB_SOLUTION,
    CASES,
    INFLATE,
    INFLATE_FILE,
    INFLATE_SOLUTION,
    NAIVE_HEADROOM_BYTES,
    Case,
)

PUBLIC, PRIVATE = 0, 1


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")  # pragma: no cover


def _memory(after_imports_mib: float) -> dict:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {
        "rss_after_imports_mib": after_imports_mib,
        "peak_rss_mib": peak,
        "peak_above_imports_mib": peak - after_imports_mib,
        "vm_hwm_mib": _status_mib("VmHWM"),
    }


def podium(case: Case) -> dict:
    started = time.perf_counter()
    from scoring import load_solution, score_submission

    import_s = time.perf_counter() - started
    baseline = _status_mib("VmRSS")

    started = time.perf_counter()
    solution = load_solution(case.solution)
    loaded = time.perf_counter()
    result = score_submission(solution, case.submission)
    seconds = time.perf_counter() - started
    memory = _memory(baseline)
    again = score_submission(solution, case.submission)  # a worker's next submission: not timed
    return {
        "seconds": seconds,
        "load_solution_s": loaded - started,
        "warm_duration_s": again.duration_s,
        "warm_timings": again.timings,
        "duration_s": result.duration_s,
        "timings": result.timings,
        "public": result.public_score,
        "private": result.private_score,
        "rows": [result.public_rows, result.private_rows, result.ignored_rows],
        "import_s": import_s,
        **memory,
    }


def naive(case: Case) -> dict:
    started = time.perf_counter()
    import pandas as pd

    pandas_import_s = time.perf_counter() - started
    started = time.perf_counter()
    from sklearn.metrics import roc_auc_score

    sklearn_import_s = time.perf_counter() - started
    baseline = _status_mib("VmRSS")

    started = time.perf_counter()
    submission = pd.read_csv(case.submission)
    solution = pd.read_csv(case.solution)
    merged = solution.merge(submission, on="id", suffixes=("_true", "_pred"))
    scores = {}
    for board in ("Public", "Private"):
        rows = merged[merged["Usage"] == board]
        scores[board] = float(roc_auc_score(rows["target_true"], rows["target_pred"]))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "public": scores["Public"],
        "private": scores["Private"],
        "import_s": pandas_import_s,
        "sklearn_import_s": sklearn_import_s,
        **_memory(baseline),
    }


def _float64_values(column):
    """A float64 column without nulls as one ndarray, read from the Arrow buffers.

    Not ``to_numpy()``: pyarrow's NumPy conversions import pandas on first use when it is
    installed (0.3 s or more), which is no part of reading a CSV and computing an AUC.
    """
    import numpy as np

    parts = [
        np.frombuffer(c.buffers()[1], dtype=np.float64, count=len(c), offset=c.offset * 8)
        for c in column.chunks
    ]
    return np.concatenate(parts) if len(parts) != 1 else parts[0]


def floor(case: Case) -> dict:
    started = time.perf_counter()
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from benchmarks.numpy_auc import roc_auc

    import_s = time.perf_counter() - started
    baseline = _status_mib("VmRSS")

    started = time.perf_counter()
    id_type = pa.int64() if case.id_kind == "int" else pa.string()
    table = pcsv.read_csv(
        case.submission,
        convert_options=pcsv.ConvertOptions(column_types={"id": id_type, "target": pa.float64()}),
    )
    read_s = time.perf_counter() - started
    y_score = _float64_values(table["target"])
    labels = np.load(case.aligned_labels)
    usage = np.load(case.aligned_usage)
    scores = [roc_auc(labels[usage == b], y_score[usage == b]) for b in (PUBLIC, PRIVATE)]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "read_s": read_s,
        "auc_s": seconds - read_s,
        "public": scores[0],
        "private": scores[1],
        "import_s": import_s,
        **_memory(baseline),
    }


def bomb(case_name: str) -> dict:
    """The gzip bomb submitted to the 100k competition: refused, quickly and in little memory."""
    started = time.perf_counter()
    from scoring import SubmissionError, load_solution, score_submission

    import_s = time.perf_counter() - started
    solution = load_solution(CASES[case_name].solution)  # before the baseline: not the bomb's
    baseline = _status_mib("VmRSS")

    started = time.perf_counter()
    try:
        score_submission(solution, BOMB_FILE)
        code = None
    except SubmissionError as exc:
        code = exc.code
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "code": code, "import_s": import_s, **_memory(baseline)}


def _bounded() -> float:
    """Cap this process's address space at what it holds now plus NAIVE_HEADROOM_BYTES (so an
    unbounded way meets a MemoryError instead of the machine's limit); return the cap in MiB."""
    limit = int(_status_mib("VmSize") * 1024 * 1024) + NAIVE_HEADROOM_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    return limit / 1024 / 1024


def _refused_or_ran(work, refused: tuple = (), failed: tuple = ()) -> dict:
    """Run ``work``; say how it ended: refused (one of ``refused``, with its code), out of
    memory (MemoryError, or one of ``failed`` saying so: pandas' C parser reports a failed
    allocation as a ParserError), or done."""
    started = time.perf_counter()
    outcome, code = "done", None
    try:
        work()
    except refused as exc:
        outcome, code = "refused", exc.code
    except MemoryError:
        outcome = "memory_limit"
    except failed as exc:
        outcome = "memory_limit" if "memory" in str(exc).lower() else type(exc).__name__
    return {"outcome": outcome, "code": code, "seconds": time.perf_counter() - started}


def inflate_podium(flat_cap: bool = False) -> dict:
    """The decompression bomb submitted to the 100k competition. ``flat_cap``: as before the
    inflated cap followed the answer key (a flat DEFAULT_MAX_BYTES), under RLIMIT_AS."""
    started = time.perf_counter()
    import scoring.submission
    from scoring import DEFAULT_MAX_BYTES, SubmissionError, load_solution, score_submission
    from scoring.inputs import InflatedCap, inflated_cap_for

    import_s = time.perf_counter() - started
    solution = load_solution(CASES[INFLATE_SOLUTION].solution)  # before the baseline
    cap = inflated_cap_for(solution)
    if flat_cap:
        flat = InflatedCap(DEFAULT_MAX_BYTES, cap.rows, cap.columns)
        scoring.submission.inflated_cap_for = lambda *_: flat
    baseline = _status_mib("VmRSS")
    limit = _bounded() if flat_cap else None
    result = _refused_or_ran(
        lambda: score_submission(solution, INFLATE_FILE), refused=(SubmissionError,)
    )
    return {
        **result,
        "cap_bytes": DEFAULT_MAX_BYTES if flat_cap else cap.max_bytes,
        "limit_mib": limit,
        "import_s": import_s,
        **_memory(baseline),
    }


def inflate_naive() -> dict:
    """pandas.read_csv on the same gzip, its address space capped (RLIMIT_AS)."""
    started = time.perf_counter()
    import pandas as pd

    import_s = time.perf_counter() - started
    baseline = _status_mib("VmRSS")
    limit = _bounded()
    result = _refused_or_ran(lambda: pd.read_csv(INFLATE_FILE), failed=(pd.errors.ParserError,))
    return {**result, "limit_mib": limit, "import_s": import_s, **_memory(baseline)}


MODES = {"podium": podium, "naive": naive, "floor": floor}
INFLATE_MODES = {
    "podium": inflate_podium,
    "flat": lambda: inflate_podium(flat_cap=True),
    "naive": inflate_naive,
}


def main(argv: list[str]) -> int:
    mode, name = argv
    if name == BOMB:
        result = bomb(BOMB_SOLUTION)
    elif name == INFLATE:
        result = INFLATE_MODES[mode]()
    else:
        result = MODES[mode](CASES[name])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
