"""The answer key: checked once when uploaded, then stored in a form that loads in milliseconds.

``prepare_solution`` reads the organizer's CSV (Kaggle's format: id column first, target
column(s), a ``Usage`` column of Public / Private / Ignored in any case), refuses what the metric
cannot use, and writes a folder beside it (``<name>.prepared/``): the rows as an Arrow IPC file
in the id index's order, the id index and ``y_true`` as ``.npy``, and ``meta.json``. Loading
memory-maps them, so scoring never parses the solution CSV again. The folder is written to a
temporary name and renamed into place, so a reader never sees half of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from scoring import kinds
from scoring.arrays import canonical_ints, from_numpy, one_chunk, values
from scoring.csv_reader import header_only, read_header
from scoring.error_codes import SolutionErrorCode as Code
from scoring.errors import SolutionError, SubmissionError, UnknownMetricError
from scoring.ids import IdIndex
from scoring.metrics import Metric, PredictionKind, get_metric, list_metrics
from scoring.offenders import quoted

FORMAT_VERSION = 4
USAGE_CODES = {"public": 0, "private": 1, "ignored": 2}
PUBLIC, PRIVATE, IGNORED = 0, 1, 2


@dataclass
class PreparedSolution:
    folder: Path
    meta: dict[str, Any]
    table: pa.Table  # id, targets (as read) and usage (int8), in storage order
    index: IdIndex
    y_true: Any

    @property
    def id_column(self) -> str:
        return self.meta["id_column"]

    @property
    def target_columns(self) -> list[str]:
        return self.meta["target_columns"]

    @property
    def columns(self) -> list[str]:
        """The header a submission must have (the sample submission's)."""
        return [self.id_column, *self.target_columns]

    @cached_property
    def ids(self) -> pa.Array:
        return one_chunk(self.table[self.id_column])

    @cached_property
    def usage(self) -> np.ndarray:
        return values(self.table["__usage__"])

    @property
    def metric(self) -> Metric:
        """The registered metric the solution was prepared for.

        A solution prepared with an organizer's metric file (kind ``custom``) names a metric that
        is not registered: score it with that file's Metric, ``metric=load_metric_file(path)``.
        """
        name = self.meta["metric"]
        if self.meta.get("kind") == PredictionKind.CUSTOM.value:
            raise UnknownMetricError(
                f"This solution was prepared with the organizer's metric file {name!r}, which "
                "is not a registered metric: pass it again when scoring, e.g. "
                f"score_submission(solution, path, metric=load_metric_file('{name}.py')).",
                valid=[m.name for m in list_metrics()],
            )
        return get_metric(name)

    @property
    def n_rows(self) -> int:
        return self.meta["rows"]["total"]


def prepared_folder(solution_path: str | os.PathLike) -> Path:
    path = Path(solution_path)
    return path.with_name(path.name + ".prepared")


def _fail(code: Code, message: str) -> SolutionError:
    return SolutionError(code, message)


def _read(path: Path, text_targets: bool) -> tuple[pa.Table, str, str]:
    """The solution table, and the names of its id and Usage columns.

    Ids and Usage are read as text (ids are typed by ``_typed_ids``), and so are the targets
    when ``text_targets`` (labels, ranked lists, masks: matched as written); other targets are
    type-inferred. Only an empty cell is empty: 'NA' or 'null' are values, as in submissions.
    """
    try:
        with pa.memory_map(str(path), "r") as source:
            header = read_header(source)
    except (SubmissionError, OSError) as exc:
        raise _fail(Code.FILE_UNREADABLE, f"The solution file cannot be read: {exc}") from None
    usage = [c for c in header if c.lower() == "usage"]
    if not usage:
        raise _fail(
            Code.USAGE_MISSING, "The solution needs a 'Usage' column (Public/Private/Ignored)."
        )
    if len(header) < 3 or header[0] == usage[0]:
        raise _fail(
            Code.COLUMNS_INVALID,
            "The solution needs the id column first, then target column(s) and a Usage column.",
        )
    if len(set(header)) != len(header):
        raise _fail(Code.COLUMNS_INVALID, "The solution has duplicated column names.")
    id_col = header[0]
    text = header if text_targets else [id_col, usage[0]]
    try:
        # The header's own (stripped) names, the header line skipped: ' id ' is 'id'.
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(text, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        with pa.memory_map(str(path), "r") as source:
            if not header_only(source):
                raise _fail(
                    Code.FILE_UNREADABLE, f"The solution file is not a well-formed CSV: {exc}"
                ) from None
        table = pa.schema([(name, pa.string()) for name in header]).empty_table()
    return table, id_col, usage[0]


def _typed_ids(ids: pa.Array) -> pa.Array:
    """Integers when every id is one written canonically ('7', not '007'), else strings."""
    as_int = canonical_ints(ids)
    return ids if as_int is None else as_int


def _check_ids(ids: pa.Array) -> None:
    if ids.null_count:
        raise _fail(Code.IDS_MISSING, f"{ids.null_count} solution row(s) have an empty id.")
    counts = pc.value_counts(ids)
    dup = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(dup):
        shown = quoted(dup.field("values")[:5].to_pylist())
        raise _fail(Code.IDS_DUPLICATED, f"{len(dup)} id(s) appear more than once: {shown}.")


def _usage_codes(usage: pa.ChunkedArray) -> np.ndarray:
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(usage.combine_chunks()))
    codes = pc.index_in(lowered, value_set=pa.array(list(USAGE_CODES)))
    if codes.null_count:
        bad = pc.unique(usage.combine_chunks().filter(codes.is_null())).to_pylist()[:5]
        raise _fail(
            Code.USAGE_INVALID,
            f"Usage must be Public, Private or Ignored; found {quoted(bad)}.",
        )
    codes = codes.to_numpy().astype(np.int8)
    if not (codes == PUBLIC).any():
        raise _fail(
            Code.NO_PUBLIC_ROWS, "The solution has no Public rows: the public board would be empty."
        )
    if not (codes == PRIVATE).any():
        raise _fail(
            Code.NO_PRIVATE_ROWS,
            "The solution has no Private rows: the private board would be empty.",
        )
    return codes


def _sample_header(path: Path) -> list[str]:
    """The sample submission's header; a file that has none is the solution's problem."""
    try:
        with pa.memory_map(str(path), "r") as source:
            return read_header(source)
    except SubmissionError as exc:
        raise _fail(
            Code.COLUMNS_INVALID,
            f"The sample submission's header cannot be read: {exc.message}",
        ) from None
    except OSError as exc:
        raise _fail(Code.FILE_UNREADABLE, f"The sample submission cannot be read: {exc}") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_solution(
    solution_path: str | os.PathLike,
    *,
    metric: str | Metric,
    sample_submission_path: str | os.PathLike | None = None,
) -> PreparedSolution:
    """Validate the solution for ``metric`` and store its prepared form beside it."""
    path = Path(solution_path)
    metric = get_metric(metric) if isinstance(metric, str) else metric
    table, id_col, usage_col = _read(path, metric.kind in kinds.TEXT_TARGETS)
    ids = _typed_ids(table[id_col].combine_chunks())
    _check_ids(ids)
    usage = _usage_codes(table[usage_col])
    target_cols = [c for c in table.column_names if c not in (id_col, usage_col)]
    if sample_submission_path is not None:
        sample_header = _sample_header(Path(sample_submission_path))
        if sample_header != [id_col, *target_cols]:
            raise _fail(
                Code.COLUMNS_INVALID,
                f"The sample submission's header ({', '.join(sample_header)}) must be the "
                f"solution's without Usage ({', '.join([id_col, *target_cols])}).",
            )

    index, order = IdIndex.build(ids)
    take = from_numpy(order)
    stored = pa.table(
        {
            id_col: ids.take(take),
            **{c: table[c].take(take) for c in target_cols},
            "__usage__": from_numpy(usage[order]),
        }
    )
    targets = kinds.solution_targets(metric, stored.select(target_cols))
    kinds.check_split(metric, targets, usage[order])

    meta = {
        "format_version": FORMAT_VERSION,
        "metric": metric.name,
        "kind": metric.kind.value,
        "id_column": id_col,
        "id_type": "int" if pa.types.is_integer(ids.type) else "str",
        "target_columns": target_cols,
        "classes": targets.classes,
        "label_type": targets.label_type,
        "rows": {
            "total": len(ids),
            "public": int((usage == PUBLIC).sum()),
            "private": int((usage == PRIVATE).sum()),
            "ignored": int((usage == IGNORED).sum()),
        },
        "source_sha256": sha256_of(path),
    }
    return _write(prepared_folder(path), meta, stored, index, targets.y_true)


def _write(
    folder: Path, meta: dict, table: pa.Table, index: IdIndex, y_true: Any
) -> PreparedSolution:
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        with pa.OSFile(str(tmp / "table.arrow"), "wb") as sink:
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        meta["index"] = index.save(tmp)
        if isinstance(y_true, np.ndarray):
            np.save(tmp / "y_true.npy", y_true)
        elif y_true is not None:  # lists of token lists or RLE runs: small, Python objects
            (tmp / "y_true.pickle").write_bytes(pickle.dumps(y_true, protocol=5))
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
        if folder.exists():
            old = folder.with_name(folder.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
            tmp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _cache.clear()
    return load_solution(folder)


# -- loading, with a small per-process cache: a worker scores many submissions per solution ---

_cache: OrderedDict[tuple[str, int], PreparedSolution] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 8


def load_solution(folder_or_csv: str | os.PathLike) -> PreparedSolution:
    folder = Path(folder_or_csv)
    if not (folder / "meta.json").exists():
        folder = prepared_folder(folder)
    meta_path = folder / "meta.json"
    try:
        key = (str(folder.resolve()), meta_path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise _fail(
            Code.PREPARED_STALE, f"No prepared solution at {folder}; run prepare first."
        ) from None
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    meta = json.loads(meta_path.read_text())
    if meta.get("format_version") != FORMAT_VERSION:
        raise _fail(
            Code.PREPARED_STALE,
            "The prepared solution is from another version; prepare it again.",
        )
    table = pa.ipc.open_file(pa.memory_map(str(folder / "table.arrow"), "r")).read_all()
    if (folder / "y_true.npy").exists():
        y_true = np.load(folder / "y_true.npy", mmap_mode="r")
    elif (folder / "y_true.pickle").exists():
        y_true = pickle.loads((folder / "y_true.pickle").read_bytes())  # written by us only
    else:
        y_true = None
    index = IdIndex.load(folder, meta["index"], meta["rows"]["total"])
    solution = PreparedSolution(folder, meta, table, index, y_true)
    with _cache_lock:
        _cache[key] = solution
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return solution
