"""The benchmark data: made once with a fixed seed, kept under ``benchmarks/.data/``.

Run as ``python -m benchmarks.generate CASE...`` (the parent does, in a child process): a case is
regenerated only when its manifest is missing or was written for another specification, and its
solution is prepared again only when ``load_solution`` refuses the stored one. Prints one JSON
manifest per case. Nothing here is timed.

* Solution ``id,target,Usage``: ids in a random order; target 0/1 (about 30% ones); Usage
  Public / Private / Ignored drawn with probabilities 0.3 / 0.6 / 0.1.
* Submission ``id,target``: the same ids in another random order; ``target`` a probability
  ``sigmoid(1.5 * y + noise - 0.75)`` (AUC about 0.86), written as ``0.dddddd`` (six decimals,
  so many scores tie, which exercises the exact tie handling).
* String ids are ``ID_0000001`` ... ``ID_5000000``: a common Kaggle / Zindi shape, and 10 bytes,
  so they take the scoring engine's general path (hashed keys, then verified), not the shortcut
  for ids of at most 8 bytes.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import zlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from benchmarks.cases import (
    BOMB,
    BOMB_FILE,
    BOMB_INFLATED_BYTES,
    BOMB_SOLUTION,
    CASES,
    INFLATE,
    INFLATE_FILE,
    INFLATE_INFLATED_BYTES,
    INFLATE_SOLUTION,
    Case,
)

GENERATOR_VERSION = 1
BOMB_VERSION = 2
INFLATE_VERSION = 1
SEED = 20_240_601
USAGE_NAMES = np.array(["Public", "Private", "Ignored"])
USAGE_SHARES = (0.3, 0.6, 0.1)
POSITIVE_SHARE = 0.3
_CHUNK = 1024 * 1024


def _spec(case: Case) -> dict:
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "rows": case.rows,
        "id_kind": case.id_kind,
    }


def _write_csv(path, header: str, table: pa.Table) -> None:
    """An unquoted CSV (pyarrow quotes header names and strings by default)."""
    with open(path, "wb") as f:
        f.write(header.encode() + b"\n")
        pcsv.write_csv(
            table,
            f,
            pcsv.WriteOptions(include_header=False, batch_size=1 << 16, quoting_style="none"),
        )


def _ids(case: Case, order: np.ndarray) -> pa.Array:
    numbers = pa.array(order + 1)
    if case.id_kind == "int":
        return numbers
    digits = pc.utf8_lpad(pc.cast(numbers, pa.string()), 7, "0")
    return pc.binary_join_element_wise(pa.scalar("ID"), digits, "_")


def _six_decimals(p: np.ndarray) -> pa.Array:
    micros = np.clip(np.rint(p * 1e6), 0, 999_999).astype(np.int64)
    digits = pc.utf8_lpad(pc.cast(pa.array(micros), pa.string()), 6, "0")
    return pc.binary_join_element_wise(pa.scalar("0"), digits, ".")


def _generate(case: Case) -> None:
    rng = np.random.default_rng([SEED, zlib.crc32(case.name.encode())])
    n = case.rows
    id_order = rng.permutation(n)  # solution row i holds id number id_order[i] + 1
    y = (rng.random(n) < POSITIVE_SHARE).astype(np.int8)
    usage = rng.choice(3, size=n, p=USAGE_SHARES).astype(np.int8)
    score = 1.0 / (1.0 + np.exp(-(1.5 * y + rng.standard_normal(n) - 0.75)))
    to_submission = rng.permutation(n)  # submission row j is solution row to_submission[j]

    if case.folder.exists():
        shutil.rmtree(case.folder)
    case.folder.mkdir(parents=True)
    ids = _ids(case, id_order)
    solution = pa.table({"id": ids, "target": y, "Usage": USAGE_NAMES[usage]})
    _write_csv(case.solution, "id,target,Usage", solution)
    submission = pa.table(
        {"id": ids.take(pa.array(to_submission)), "target": _six_decimals(score[to_submission])}
    )
    _write_csv(case.submission, "id,target", submission)
    np.save(case.aligned_labels, y[to_submission])
    np.save(case.aligned_usage, usage[to_submission])
    manifest = {
        "spec": _spec(case),
        "solution_bytes": case.solution.stat().st_size,
        "submission_bytes": case.submission.stat().st_size,
        "rows": {
            "public": int((usage == 0).sum()),
            "private": int((usage == 1).sum()),
            "ignored": int((usage == 2).sum()),
            "positive": int(y.sum()),
        },
    }
    case.manifest.write_text(json.dumps(manifest, indent=2))


def _prepared_ok(case: Case) -> bool:
    from scoring import SolutionError, load_solution

    try:
        load_solution(case.solution)
    except SolutionError:
        return False
    return True


def ensure_case(case: Case) -> dict:
    try:
        manifest = json.loads(case.manifest.read_text())
    except (OSError, ValueError):
        manifest = None
    if manifest is None or manifest.get("spec") != _spec(case):
        _generate(case)
        manifest = json.loads(case.manifest.read_text())
    if not _prepared_ok(case):
        from scoring import prepare_solution

        prepare_solution(case.solution, metric="roc_auc")
    return manifest


def _bomb_chunk() -> bytes:
    """1 MiB of one short CSV row repeated: an 8-byte period compresses about 680:1."""
    row = b"12,0.25\n"
    return row * (_CHUNK // len(row))


def ensure_bomb() -> dict:
    """A gzip of many members, one compressed 1 MiB chunk each, inflating to 4 GiB of text."""
    ensure_case(CASES[BOMB_SOLUTION])
    manifest_path = BOMB_FILE.with_name("manifest.json")
    spec = {"bomb_version": BOMB_VERSION, "inflated_bytes": BOMB_INFLATED_BYTES}
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("spec") == spec and BOMB_FILE.exists():
            return manifest
    except (OSError, ValueError):
        pass
    BOMB_FILE.parent.mkdir(parents=True, exist_ok=True)
    member = gzip.compress(_bomb_chunk(), compresslevel=9, mtime=0)
    with open(BOMB_FILE, "wb") as f:
        f.write(gzip.compress(b"id,target\n", mtime=0))
        for _ in range(BOMB_INFLATED_BYTES // _CHUNK):
            f.write(member)
    manifest = {"spec": spec, "file_bytes": BOMB_FILE.stat().st_size}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest


def ensure_inflate_bomb() -> dict:
    """One gzip stream (as gzip(1) writes it) of a header and 100 MiB of one valid-looking row,
    compressed a MiB at a time."""
    ensure_case(CASES[INFLATE_SOLUTION])
    manifest_path = INFLATE_FILE.with_name("manifest.json")
    spec = {"version": INFLATE_VERSION, "inflated_bytes": INFLATE_INFLATED_BYTES}
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("spec") == spec and INFLATE_FILE.exists():
            return manifest
    except (OSError, ValueError):
        pass
    INFLATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    chunk = _bomb_chunk()
    with gzip.GzipFile(INFLATE_FILE, "wb", compresslevel=9, mtime=0) as f:
        f.write(b"id,target\n")
        for _ in range(INFLATE_INFLATED_BYTES // _CHUNK):
            f.write(chunk)
    manifest = {"spec": spec, "file_bytes": INFLATE_FILE.stat().st_size}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest


def main(argv: list[str]) -> int:
    manifests = {}
    for name in argv:
        if name == BOMB:
            manifests[name] = ensure_bomb()
        elif name == INFLATE:
            manifests[name] = ensure_inflate_bomb()
        else:
            manifests[name] = ensure_case(CASES[name])
    print(json.dumps(manifests))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
