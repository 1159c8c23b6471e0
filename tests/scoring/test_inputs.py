"""Accepted variants of one submission score exactly like the plain file; the upload cap counts
the stored file, the inflated cap follows the answer key; a gzip or zip bomb is refused while it
inflates, in bounded time and memory."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import DEFAULT_MAX_BYTES, SubmissionError, sandboxed_metric, score_submission
from scoring.inputs import (
    BYTES_PER_FIELD,
    HEADER_BYTES,
    LINE_BYTES,
    MIN_INFLATED_BYTES,
    ROWS_FACTOR,
    ROWS_SLACK,
    TEXT_BYTES_PER_FIELD,
    inflated_cap,
    inflated_cap_for,
)
from tests.scoring.factories import (
    csv_bytes,
    gzip_members,
    prepare,
    usage_split,
    write,
    zip_bytes,
)

N = 60


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A prepared rmse solution and the plain bytes of a submission for it, rows shuffled."""
    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(11)
    ids = np.arange(100, 100 + N)
    frame = pd.DataFrame({"id": ids, "y": rng.normal(50, 10, N), "Usage": usage_split(N, 11)})
    solution = prepare(folder, frame, "rmse")
    order = rng.permutation(N)
    plain = csv_bytes(["id", "y"], ([ids[i], repr(float(rng.normal(50, 10)))] for i in order))
    expected = score_submission(solution, write(folder / "plain.csv", plain))
    return solution, plain, expected


def _quoted(plain: bytes) -> bytes:
    lines = plain.decode().splitlines()
    return "\n".join(",".join(f'"{c}"' for c in line.split(",")) for line in lines).encode() + b"\n"


VARIANTS = {
    "utf8_bom": ("sub.csv", lambda b: b"\xef\xbb\xbf" + b),
    "crlf": ("sub.csv", lambda b: b.replace(b"\n", b"\r\n")),
    "bom_and_crlf": ("sub.csv", lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
    "quoted_fields": ("sub.csv", _quoted),
    "no_trailing_newline": ("sub.csv", lambda b: b.rstrip(b"\n")),
    "trailing_blank_line": ("sub.csv", lambda b: b + b"\n"),
    "trailing_blank_lines_crlf": ("sub.csv", lambda b: b.replace(b"\n", b"\r\n") + b"\r\n\r\n"),
    "gzip": ("sub.csv.gz", gzip.compress),
    "gzip_multi_member": ("sub.csv.gz", lambda b: gzip_members(b, 4)),
    "gzip_named_csv": ("sub.csv", gzip.compress),
    "gzip_of_bom_crlf": (
        "sub.gz",
        lambda b: gzip.compress(b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
    ),
    "zip": ("sub.zip", lambda b: zip_bytes({"sub.csv": b})),
    "zip_with_macos_junk": (
        "sub.zip",
        lambda b: zip_bytes(
            {
                "__MACOSX/._sub.csv": b"\x00\x05\x16\x07junk",
                "folder/": b"",
                "folder/sub.csv": b,
                "folder/.DS_Store": b"\x00\x00\x00\x01Bud1",
            }
        ),
    ),
    "zip_stored": ("sub.zip", lambda b: zip_bytes({"sub.csv": b}, compression=0)),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_accepted_variant_scores_like_the_plain_file(tmp_path, case, variant):
    solution, plain, expected = case
    name, transform = VARIANTS[variant]
    result = score_submission(solution, write(tmp_path / name, transform(plain)))
    assert result.public_score == expected.public_score
    assert result.private_score == expected.private_score


def test_header_with_spaces_around_names_is_accepted(tmp_path, case):
    solution, plain, expected = case
    spaced = plain.replace(b"id,y\n", b" id , y \n", 1)
    result = score_submission(solution, write(tmp_path / "sub.csv", spaced))
    assert result.public_score == expected.public_score


def test_upload_cap_counts_the_file_as_stored(tmp_path, case):
    """``max_bytes`` (the competition's upload cap) is inclusive and counts the stored bytes: a
    gzip within it passes whatever it inflates to (the answer key caps that)."""
    solution, plain, expected = case
    for name, data in (("sub.csv", plain), ("sub.csv.gz", gzip.compress(plain))):
        path = write(tmp_path / name, data)
        assert score_submission(solution, path, max_bytes=len(data)).public_score == (
            expected.public_score
        )
        with pytest.raises(SubmissionError) as info:
            score_submission(solution, path, max_bytes=len(data) - 1)
        assert info.value.code == "file_too_large"


@pytest.mark.parametrize(
    ("name", "pack", "code"),
    [
        ("sub.csv", lambda b: b, "file_too_large"),
        ("sub.csv.gz", gzip.compress, "decompressed_too_large"),
        ("sub.zip", lambda b: zip_bytes({"sub.csv": b}), "decompressed_too_large"),
    ],
)
def test_inflated_cap_follows_the_key_and_is_inclusive(tmp_path, case, name, pack, code):
    """A file that is exactly the key's cap uncompressed scores; one byte more is refused with
    a message that states the limit and what it follows from."""
    solution, plain, expected = case
    cap = inflated_cap_for(solution)
    assert cap.max_bytes == MIN_INFLATED_BYTES  # 60 rows: the floor
    # spaces around a number are allowed: the last value padded to make the file cap-sized
    padded = plain[:-1] + b" " * (cap.max_bytes - len(plain)) + b"\n"
    assert len(padded) == cap.max_bytes
    assert score_submission(solution, write(tmp_path / name, pack(padded))).public_score == (
        expected.public_score
    )
    with pytest.raises(SubmissionError) as info:
        score_submission(solution, write(tmp_path / name, pack(b" " + padded)))
    assert info.value.code == code
    assert "at most 1.0 MB" in info.value.message
    assert f"{N} rows x 2 columns" in info.value.message
    assert info.value.problems[0].details == {
        "max_bytes": cap.max_bytes,
        "rows": N,
        "columns": 2,
        "limit": "answer_key",
    }


def test_inflated_cap_formula():
    """rows x columns x BYTES_PER_FIELD (+ a newline each, the header, the key's own text),
    at least MIN_INFLATED_BYTES; free-text columns count TEXT_BYTES_PER_FIELD, capped flat."""
    per_row = 2 * BYTES_PER_FIELD + LINE_BYTES
    assert inflated_cap(10, 2).max_bytes == MIN_INFLATED_BYTES
    assert inflated_cap(100_000, 2).max_bytes == HEADER_BYTES + 100_000 * per_row
    assert inflated_cap(1_000_000, 2).max_bytes == HEADER_BYTES + 1_000_000 * per_row
    assert inflated_cap(100_000, 4).max_bytes > inflated_cap(100_000, 2).max_bytes
    assert inflated_cap(100_000, 2, key_text_bytes=7).max_bytes == (
        HEADER_BYTES + 100_000 * per_row + 7
    )
    with_text = inflated_cap(100, 2, text_columns=1)
    assert with_text.max_bytes == HEADER_BYTES + 100 * (
        BYTES_PER_FIELD + TEXT_BYTES_PER_FIELD + LINE_BYTES
    )
    assert inflated_cap(10_000, 2, text_columns=1).max_bytes == DEFAULT_MAX_BYTES
    assert inflated_cap(100_000, 2).max_rows == ROWS_FACTOR * 100_000 + ROWS_SLACK
    assert inflated_cap(100_000, 2, multiline_values=True).max_rows is None  # lines aren't rows
    # 5M rows (the benchmark's key): the cap passes the old flat 512 MiB, the file is 80 MiB
    assert inflated_cap(5_000_000, 2).max_bytes == HEADER_BYTES + 5_000_000 * per_row
    assert inflated_cap(5_000_000, 2).max_bytes > DEFAULT_MAX_BYTES


def test_inflated_cap_of_label_and_organizer_metric_keys(tmp_path, case):
    """Long class labels are counted at their length; an organizer's metric reads free text
    (a MiB a value, lines not counted as rows, since a quoted value may span lines)."""
    rows = 6000
    labels = ["a" * 100, "b" * 100]
    frame = pd.DataFrame(
        {
            "id": np.arange(rows),
            "label": [labels[i % 2] for i in range(rows)],
            "Usage": usage_split(rows, 3),
        }
    )
    cap = inflated_cap_for(prepare(tmp_path, frame, "accuracy"))
    assert cap.max_bytes == HEADER_BYTES + rows * (2 * BYTES_PER_FIELD + LINE_BYTES) + rows * 100
    organizer = inflated_cap_for(case[0], sandboxed_metric(name="x", greater_is_better=True))
    assert organizer.max_rows is None and organizer.text_columns == 1
    assert organizer.max_bytes == HEADER_BYTES + N * (
        BYTES_PER_FIELD + TEXT_BYTES_PER_FIELD + LINE_BYTES
    )
    assert "1.0 MB a list or mask" in organizer.why


# -- rows: a file of many short rows fits the byte cap; it is refused by its count ---------------

MAX_ROWS = ROWS_FACTOR * N + ROWS_SLACK


@pytest.mark.parametrize(
    ("name", "row", "words"),
    [
        (
            "sub.csv.gz",
            b"1,0",
            f"Submission has more than {MAX_ROWS + 1:,} lines; expected {N} "
            "rows, one per id, and a header.",
        ),
        ("sub.zip", b"1,0", f"Submission has more than {MAX_ROWS + 1:,} lines"),
        ("sub.csv", b"1,0", f"Submission has 5,000 rows; expected {N} rows, one per id."),
        ("sub.csv", b"1,x", f"Submission has 5,000 lines after the header; expected {N} rows"),
        ("sub.csv", b"1,0,0", "Submission has 5,000 lines after the header"),
    ],
)
def test_many_more_rows_than_the_key_are_refused_by_their_count(tmp_path, case, name, row, words):
    """Checking each row costs more than its bytes: past twice the key's rows (+ 1,000), the
    count alone refuses the file, while inflating when it is compressed (before any parsing)."""
    solution = case[0]
    data = b"id,y\n" + (row + b"\n") * 5000
    pack = {
        "sub.csv": bytes,
        "sub.csv.gz": gzip.compress,
        "sub.zip": lambda b: zip_bytes({"sub.csv": b}),
    }[name]
    with pytest.raises(SubmissionError) as info:
        score_submission(solution, write(tmp_path / name, pack(data)))
    assert info.value.code == "row_count_mismatch"
    assert words in info.value.message
    assert f"more than {MAX_ROWS:,} rows long is refused" in info.value.message


def test_a_file_written_twice_is_still_diagnosed_row_by_row(tmp_path, case):
    solution, plain, _ = case
    twice = plain + plain.split(b"\n", 1)[1]
    for name, data in (("sub.csv", twice), ("sub.csv.gz", gzip.compress(twice))):
        with pytest.raises(SubmissionError) as info:
            score_submission(solution, write(tmp_path / name, data))
        assert set(info.value.codes) == {"row_count_mismatch", "ids_duplicated"}
        assert f"Submission has {2 * N} rows; expected {N}." in info.value.message


# -- a large key: legitimate compressed submissions still score; the cap grows with the key --

LARGE = 100_000


@pytest.fixture(scope="module")
def large_case(tmp_path_factory):
    """A 100k-row rmse key with 36-character string ids, and a submission for it written as
    wide as pandas writes a valid one: BOM, every field quoted, CRLF, floats at full precision."""
    folder = tmp_path_factory.mktemp("large")
    rng = np.random.default_rng(5)
    ids = np.array([f"{i:08x}-{i * 7919 % 65536:04x}-4000-8000-{i:012x}" for i in range(LARGE)])
    y = rng.normal(50, 10, LARGE)
    solution = prepare(
        folder, pd.DataFrame({"id": ids, "y": y, "Usage": usage_split(LARGE, 5)}), "rmse"
    )
    order = rng.permutation(LARGE)
    sub = pd.DataFrame({"id": ids[order], "y": y[order] + rng.normal(0, 1, LARGE) * np.pi})
    plain = sub.to_csv(index=False, lineterminator="\n").encode()
    wide = (
        b"\xef\xbb\xbf"
        + sub.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_ALL).encode()
    )
    return solution, plain, wide


def test_legitimate_compressed_submission_of_a_large_key_scores(tmp_path, large_case):
    solution, plain, wide = large_case
    expected = score_submission(solution, write(tmp_path / "plain.csv", plain))
    cap = inflated_cap_for(solution)
    assert len(wide) < cap.max_bytes / 2  # the widest plausible file uses under half the cap
    for name, data in (
        ("sub.csv.gz", gzip.compress(wide, 1)),
        ("sub.zip", zip_bytes({"sub.csv": wide})),
        ("sub.csv", wide),
    ):
        result = score_submission(solution, write(tmp_path / name, data))
        assert result.public_score == expected.public_score
        assert result.private_score == expected.private_score


def test_inflated_cap_scales_with_the_key(tmp_path, case, large_case):
    """The same gzip: a valid submission to the large key, refused by the 60-row one while it
    inflates (its header and ids are never looked at)."""
    small, large = case[0], large_case[0]
    small_cap, large_cap = inflated_cap_for(small), inflated_cap_for(large)
    assert large_cap.max_bytes == (
        HEADER_BYTES + LARGE * (2 * BYTES_PER_FIELD + LINE_BYTES) + 36 * LARGE
    )
    assert large_cap.max_bytes > 15 * small_cap.max_bytes
    gz = write(tmp_path / "sub.csv.gz", gzip.compress(large_case[2], 1))
    score_submission(large, gz)
    with pytest.raises(SubmissionError) as info:
        score_submission(small, gz)
    assert info.value.code == "decompressed_too_large"
    assert info.value.message.startswith("The submission inflates past 1.0 MB")


def test_empty_file_inside_an_archive_is_refused(tmp_path, case):
    solution = case[0]
    for name, data in (("e.csv.gz", gzip.compress(b"")), ("e.zip", zip_bytes({"e.csv": b""}))):
        with pytest.raises(SubmissionError) as info:
            score_submission(solution, write(tmp_path / name, data))
        assert info.value.code == "file_empty"


# -- bombs ----------------------------------------------------------------------------------------
# Measured in a grandchild: Linux carries a process's memory high-water mark over fork and exec,
# so a child of pytest reports pytest's own peak; a launcher that imports nothing but the standard
# library starts small, and its RUSAGE_CHILDREN is the scorer's own peak.

_SCORER = textwrap.dedent(
    """
    import json, resource, sys, time
    from scoring import SubmissionError, load_solution, read_submission

    solution = load_solution(sys.argv[1])
    loaded_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the bomb
    started = time.perf_counter()
    try:
        read_submission(solution, sys.argv[2])
        outcome = {"code": None}
    except SubmissionError as exc:
        outcome = {"code": exc.code, "message": exc.message}
    outcome["seconds"] = time.perf_counter() - started
    outcome["loaded_mib"] = loaded_mib
    print(json.dumps(outcome))
    """
)
_LAUNCHER = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", *sys.argv[1:]], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"rc": run.returncode, "out": run.stdout, "err": run.stderr[-3000:],
                      "peak_mib": peak, "wall_s": time.perf_counter() - started}))
    """
)
ROW = b"1234567,0.50000\n"  # a valid-looking row whose length divides a MiB
MIB = 1024 * 1024


def _bomb_chunk() -> bytes:
    return ROW * (MIB // len(ROW))


def _gzip_bomb(path: Path, mib: int) -> Path:
    """One gzip stream (as gzip(1) writes it) of a header and ``mib`` MiB of the same row,
    written a MiB at a time: the test never holds more."""
    chunk = _bomb_chunk()
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        f.write(b"id,y\n")
        for _ in range(mib):
            f.write(chunk)
    return path


def _gzip_members_bomb(path: Path, mib: int) -> Path:
    """``mib`` gzip members of a MiB each: 8 MB of file inflating to 4 GiB, made instantly."""
    member = gzip.compress(b"id,y\n" + _bomb_chunk()[5:], compresslevel=9, mtime=0)
    with path.open("wb") as f:
        for _ in range(mib):
            f.write(member)
    return path


def _zip_bomb(path: Path, mib: int) -> Path:
    chunk = _bomb_chunk()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("sub.csv", "w", force_zip64=True) as f:
            f.write(b"id,y\n")
            for _ in range(mib):
                f.write(chunk)
    return path


def _score_in_a_fresh_process(solution, path: Path) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, _SCORER, str(solution.folder), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    measured = json.loads(run.stdout)
    assert measured["rc"] == 0, measured["err"]
    return {**json.loads(measured["out"]), **measured}


@pytest.mark.parametrize(
    ("make", "mib", "most_file_mib"),
    [
        pytest.param(_gzip_bomb, 100, 0.4, id="gzip-100MiB"),
        pytest.param(_zip_bomb, 100, 0.4, id="zip-100MiB"),
        pytest.param(_gzip_members_bomb, 4096, 16, id="gzip-members-4GiB"),
    ],
)
def test_bomb_is_refused_while_it_inflates(tmp_path, case, make, mib, most_file_mib):
    """A small archive of one valid-looking row repeated, against the 60-row key (cap 1 MiB):
    refused as soon as the count passes the cap, in well under a second and the memory of the
    interpreter and its imports (pyarrow, numpy: about 80 MiB) plus a few MiB. Before the cap
    followed the key, the 100 MiB gzip was inflated, kept and parsed: 1.17 GB and 27 s."""
    solution = case[0]
    bomb = make(tmp_path / "bomb", mib)
    assert bomb.stat().st_size < most_file_mib * MIB
    outcome = _score_in_a_fresh_process(solution, bomb)
    assert outcome["code"] == "decompressed_too_large", outcome
    assert outcome["message"].startswith(
        f"The submission inflates past 1.0 MB; a submission for this competition is at most "
        f"1.0 MB uncompressed ({N} rows x 2 columns, up to 64 bytes a value)."
    ), outcome["message"]
    assert outcome["seconds"] < 1.0, outcome
    # what refusing it cost, above the interpreter, pyarrow and the loaded key (~80 MiB, more
    # or less by build): the whole process's peak is reported too
    assert outcome["peak_mib"] - outcome["loaded_mib"] < 100, outcome
    assert outcome["wall_s"] < 10, outcome  # interpreter start and imports included


@pytest.mark.parametrize(
    ("compress", "name"),
    [
        (bz2.compress, "bzip2"),
        (lzma.compress, "xz"),
        (lambda b: lzma.compress(b, lzma.FORMAT_ALONE), None),
    ],
)
def test_other_compressions_are_refused_by_name(tmp_path, case, compress, name):
    solution, plain, _ = case
    with pytest.raises(SubmissionError) as info:
        score_submission(solution, write(tmp_path / "sub.csv.x", compress(plain)))
    if name is None:  # no magic number: not recognised, refused as text that is not UTF-8
        assert info.value.code == "encoding_invalid"
        return
    assert info.value.code == "archive_invalid"
    assert f"This is a {name} archive" in info.value.message
