"""Accepted variants of one submission score exactly like the plain file; a gzip bomb is refused
in bounded memory."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from scoring import SubmissionError, score_submission
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
        "sub.gz", lambda b: gzip.compress(b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"))
    ),
    "zip": ("sub.zip", lambda b: zip_bytes({"sub.csv": b})),
    "zip_with_macos_junk": ("sub.zip", lambda b: zip_bytes(
        {"__MACOSX/._sub.csv": b"\x00\x05\x16\x07junk", "folder/": b"", "folder/sub.csv": b,
         "folder/.DS_Store": b"\x00\x00\x00\x01Bud1"})),
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


def test_size_cap_is_inclusive_and_counts_the_inflated_size(tmp_path, case):
    solution, plain, expected = case
    path = write(tmp_path / "sub.csv", plain)
    assert score_submission(solution, path, max_bytes=len(plain)).public_score == (
        expected.public_score
    )
    with pytest.raises(SubmissionError) as info:
        score_submission(solution, path, max_bytes=len(plain) - 1)
    assert info.value.code == "file_too_large"
    gz = write(tmp_path / "sub.csv.gz", gzip.compress(plain))
    assert score_submission(solution, gz, max_bytes=len(plain)).public_score == (
        expected.public_score
    )
    with pytest.raises(SubmissionError) as info:
        score_submission(solution, gz, max_bytes=len(plain) - 1)
    assert info.value.code == "decompressed_too_large"


def test_empty_file_inside_an_archive_is_refused(tmp_path, case):
    solution = case[0]
    for name, data in (("e.csv.gz", gzip.compress(b"")), ("e.zip", zip_bytes({"e.csv": b""}))):
        with pytest.raises(SubmissionError) as info:
            score_submission(solution, write(tmp_path / name, data))
        assert info.value.code == "file_empty"


# -- the gzip bomb -------------------------------------------------------------------------------

_BOMB_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from scoring import SubmissionError, load_solution, read_submission

    solution = load_solution(sys.argv[1])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        read_submission(solution, sys.argv[2])
        outcome = {"code": None}
    except SubmissionError as exc:
        outcome = {"code": exc.code, "message": exc.message}
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome["rss_increase_mb"] = (after - before) / 1024  # ru_maxrss is in KiB on Linux
    print(json.dumps(outcome))
    """
)


def test_gzip_bomb_is_refused_in_bounded_memory(tmp_path, case):
    """~8 MB of gzip members, each a 1 MiB CSV-looking chunk, inflating to 4 GiB: refused as
    soon as the count passes the (default, 512 MiB) cap, with the peak memory of the process
    barely moving. Measured in a fresh process so earlier tests do not hide the peak."""
    solution = case[0]
    chunk = (b"id,y\n" + b"1234567,0.5\n" * (1 << 20))[: 1 << 20]
    member = gzip.compress(chunk, compresslevel=9)
    bomb = tmp_path / "bomb.csv.gz"
    with bomb.open("wb") as f:
        for _ in range(4096):  # 4096 x 1 MiB = 4 GiB inflated
            f.write(member)
    assert bomb.stat().st_size < 16 * 1024 * 1024
    run = subprocess.run(
        [sys.executable, "-c", _BOMB_CHILD, str(solution.folder), str(bomb)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout)
    assert outcome["code"] == "decompressed_too_large", outcome
    assert "larger than the limit of 512.0 MB" in outcome["message"]
    assert outcome["rss_increase_mb"] < 100, outcome

