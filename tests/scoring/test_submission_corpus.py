"""A corpus of broken submissions: each is refused with its stable code and a message that says
what is wrong and where, and no message ever reveals a target value or a row's Usage."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from scoring import PreparedSolution, SubmissionError, read_submission, score_submission
from scoring.errors import MAX_PROBLEMS
from tests.scoring.factories import (
    csv_bytes,
    encrypted_zip_bytes,
    parquet_bytes,
    prepare,
    usage_split,
    write,
    zip_bytes,
)

# -- the solutions the corpus is checked against ---------------------------------------------

TITANIC_IDS = list(range(892, 1310))  # Kaggle's Titanic test ids: 418 rows
# Distinctive targets: if one of them, or its integer part, shows up in a message, it leaked.
REG_TARGETS = [round(123456.789 + 1000.001 * i, 3) for i in range(len(TITANIC_IDS))]
STR_CLASSES = ["zebra_alpha", "quokka_beta", "narwhal_gamma"]
MULTI_CLASSES = [f"c{k:02d}" for k in range(25)]


@dataclass
class Valid:
    """A valid submission for one solution, to be broken one way per case."""

    header: list[str]
    rows: list[list[str]]

    def csv(self, rows: list[list[str]] | None = None, header: list[str] | None = None) -> bytes:
        return csv_bytes(header or self.header, self.rows if rows is None else rows)

    def with_cell(self, row: int, col: int, value: str) -> bytes:
        rows = [list(r) for r in self.rows]
        rows[row][col] = value
        return self.csv(rows)


def _solutions() -> dict[str, tuple[pd.DataFrame, str, Valid]]:
    n = len(TITANIC_IDS)
    reg = pd.DataFrame(
        {"id": TITANIC_IDS, "y": [f"{v:.3f}" for v in REG_TARGETS], "Usage": usage_split(n, 1)}
    )
    reg_valid = Valid(["id", "y"], [[str(i), "1.5"] for i in TITANIC_IDS])
    ids30 = list(range(1, 31))
    binary = pd.DataFrame({"id": ids30, "y": [i % 2 for i in ids30], "Usage": usage_split(30, 2)})
    labels_int = pd.DataFrame(
        {"id": ids30, "y": [10 * (1 + i % 3) for i in ids30], "Usage": usage_split(30, 3)}
    )
    labels_str = pd.DataFrame(
        {"id": ids30, "y": [STR_CLASSES[i % 3] for i in ids30], "Usage": usage_split(30, 4)}
    )
    ids10 = list(range(1, 11))
    dice = pd.DataFrame(
        {
            "id": ids10,
            "y": ["3 4 20 2" if i % 2 else "" for i in ids10],
            "Usage": usage_split(10, 5, ignored=False),
        }
    )
    multi = pd.DataFrame({"id": ids30})
    for k, c in enumerate(MULTI_CLASSES):
        multi[c] = [int(i % 25 == k) for i in ids30]
    multi["Usage"] = usage_split(30, 6)
    return {
        "reg": (reg, "rmse", reg_valid),
        "rmsle": (reg, "rmsle", reg_valid),
        "logloss": (binary, "log_loss", Valid(["id", "y"], [[str(i), "0.5"] for i in ids30])),
        "labels_int": (labels_int, "accuracy", Valid(["id", "y"], [[str(i), "20"] for i in ids30])),
        "labels_str": (
            labels_str,
            "accuracy",
            Valid(["id", "y"], [[str(i), "quokka_beta"] for i in ids30]),
        ),
        "dice": (dice, "dice", Valid(["id", "y"], [[str(i), "1 2"] for i in ids10])),
        "multi": (
            multi,
            "multiclass_log_loss",
            Valid(["id", *MULTI_CLASSES], [[str(i)] + ["0.04"] * 25 for i in ids30]),
        ),
    }


SOLUTIONS = _solutions()


@pytest.fixture(scope="module")
def boards(tmp_path_factory) -> dict[str, PreparedSolution]:
    folder = tmp_path_factory.mktemp("corpus")
    return {
        key: prepare(folder, frame, metric, name=f"{key}.csv")
        for key, (frame, metric, _) in SOLUTIONS.items()
    }


# -- the corpus --------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    solution: str
    make: Callable[[Valid], bytes]
    code: str  # must be among the problems' codes
    words: list[str]  # each must appear in the message (case-insensitive)
    also: list[str] = field(default_factory=list)  # further codes that must be reported
    suffix: str = ".csv"
    max_bytes: int | None = None
    bug: str = ""  # a known defect: the case is an expected failure (see the report)


def _quote_all(v: Valid) -> bytes:
    return b"\n".join(b",".join(b'"%s"' % c.encode() for c in r) for r in [v.header, *v.rows])


def _drop(v: Valid, rows: range) -> bytes:
    return v.csv([r for i, r in enumerate(v.rows) if i not in rows][::-1])


def _ids(v: Valid, changes: dict[int, str]) -> bytes:
    rows = [list(r) for r in v.rows]
    for row, value in changes.items():
        rows[row][0] = value
    return v.csv(rows)


def _many(v: Valid) -> bytes:
    rows = [list(r) for r in v.rows[:-3]]  # 415 rows: three ids missing
    rows[0][0] = "99999"  # an unknown id
    rows[1][1] = "NaN"
    rows[2][1] = ""
    rows[3][1] = "abc"
    return csv_bytes(v.header, rows)


def _latin1_at_line_5(v: Valid, row_text: bytes) -> bytes:
    lines = v.csv().split(b"\n")
    lines[4] = row_text
    return b"\n".join(lines)


CASES = [
    # the file as a whole
    Case("empty_file", "reg", lambda v: b"", "file_empty", ["empty"]),
    Case("whitespace_only", "reg", lambda v: b"  \n\t\n   \n", "file_empty", ["empty"]),
    Case("header_only", "reg", lambda v: b"id,y\n", "header_only", ["no rows", "418 rows"]),
    Case("header_only_no_newline", "reg", lambda v: b"id,y", "header_only", ["no rows"]),
    Case(
        "over_size_cap",
        "reg",
        lambda v: v.csv(),
        "file_too_large",
        ["larger than the limit", "1000 bytes"],
        max_bytes=1000,
    ),
    # the inflated cap follows the key: 418 rows x 2 columns is under the 1 MiB floor
    Case(
        "gzip_over_cap_inflated",
        "reg",
        lambda v: gzip.compress(v.csv() * 300),
        "decompressed_too_large",
        ["inflates past 1.0 MB", "at most 1.0 MB uncompressed", "418 rows x 2 columns"],
        suffix=".csv.gz",
    ),
    Case(
        "zip_over_cap_inflated",
        "reg",
        lambda v: zip_bytes({"sub.csv": v.csv() * 300}),
        "decompressed_too_large",
        ["inflates past 1.0 MB", "418 rows x 2 columns"],
        suffix=".zip",
    ),
    Case(
        "plain_over_key_cap",
        "reg",
        lambda v: v.csv() * 300,
        "file_too_large",
        [
            "larger than a submission for this competition can be",
            "at most 1.0 MB",
            "418 rows x 2 columns",
        ],
    ),
    Case(
        "gzip_damaged",
        "reg",
        lambda v: gzip.compress(v.csv())[:-12],
        "archive_invalid",
        ["gzip", "damaged"],
        suffix=".csv.gz",
    ),
    Case(
        "gzip_corrupted_inside",
        "reg",
        lambda v: (lambda g: g[:30] + bytes(b ^ 0x55 for b in g[30:60]) + g[60:])(
            gzip.compress(v.csv())
        ),
        "archive_invalid",
        ["gzip", "damaged"],
        suffix=".csv.gz",
    ),
    Case(
        "zip_two_csvs",
        "reg",
        lambda v: zip_bytes({"a.csv": v.csv(), "b.csv": v.csv()}),
        "archive_invalid",
        ["exactly one csv", "holds 2", "a.csv", "b.csv"],
        suffix=".zip",
    ),
    Case(
        "zip_empty",
        "reg",
        lambda v: zip_bytes({}),
        "archive_invalid",
        ["exactly one csv", "holds 0"],
        suffix=".zip",
    ),
    Case(
        "zip_encrypted",
        "reg",
        lambda v: encrypted_zip_bytes("sub.csv", v.csv()),
        "archive_invalid",
        ["password"],
        suffix=".zip",
    ),
    Case(
        "excel_xls",
        "reg",
        lambda v: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "encoding_invalid",
        ["Excel", "CSV"],
        suffix=".xls",
    ),
    Case(
        "parquet",
        "reg",
        lambda v: parquet_bytes(pd.DataFrame(v.rows, columns=v.header)),
        "encoding_invalid",
        ["Parquet", "CSV"],
        suffix=".parquet",
    ),
    Case(
        "utf16",
        "reg",
        lambda v: v.csv().decode().encode("utf-16"),
        "encoding_invalid",
        ["UTF-16", "UTF-8"],
    ),
    Case(
        "latin1_in_label",
        "labels_str",
        lambda v: _latin1_at_line_5(v, b"4,caf\xe9"),
        "encoding_invalid",
        ["not valid UTF-8", "line 5"],
    ),
    Case(
        "latin1_in_numeric_value",
        "reg",
        lambda v: _latin1_at_line_5(v, b"895,1.5\xe9"),
        "encoding_invalid",
        ["not valid UTF-8", "line 5"],
    ),
    Case(
        "latin1_in_header",
        "reg",
        lambda v: b"id,\xe9y\n" + v.csv().split(b"\n", 1)[1],
        "encoding_invalid",
        ["header", "UTF-8"],
    ),
    # what is not a comma-separated file at all says what it looks like (issue 16)
    Case(
        "semicolon_separated",
        "reg",
        lambda v: v.csv().replace(b",", b";"),
        "columns_missing",
        ["looks ';'-separated", "Podium reads comma-separated CSV", "header must be: id, y"],
    ),
    Case(
        "semicolon_separated_decimal_commas",
        "reg",
        lambda v: v.csv().replace(b",", b";").replace(b".", b","),
        "columns_missing",
        ["looks ';'-separated"],
    ),
    Case(
        "tab_separated",
        "reg",
        lambda v: v.csv().replace(b",", b"\t"),
        "columns_missing",
        ["looks tab-separated", "comma-separated"],
    ),
    Case(
        "png_image",
        "reg",
        lambda v: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        "encoding_invalid",
        ["does not look like a CSV file", "it starts with \\x89PNG\\r\\n\\x1a\\n"],
        suffix=".png",
    ),
    Case(
        "html_page",
        "reg",
        lambda v: b"<!DOCTYPE html>\n<html><body>Not found</body></html>\n",
        "columns_missing",
        ["does not look like a CSV file", "it starts with '<!DOCTYPE html>'"],
    ),
    Case(
        "excel_xlsx",
        "reg",
        lambda v: zip_bytes(
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
        ),
        "archive_invalid",
        ["Excel workbook (.xlsx)", "Export it as CSV"],
        suffix=".xlsx",
    ),
    Case(
        "ragged_row",
        "reg",
        lambda v: v.with_cell(4, 1, "1.5,2.5"),
        "csv_malformed",
        ["wrong number of fields", "line 6 has 3", "expected 2"],
    ),
    Case(
        "unclosed_quote",
        "reg",
        lambda v: v.with_cell(4, 1, '"1.5'),
        "csv_malformed",
        ["quote", "line 6"],
    ),
    # the header
    Case(
        "column_missing",
        "reg",
        lambda v: v.csv([[r[0]] for r in v.rows], ["id"]),
        "columns_missing",
        ["Missing column", "y", "header must be: id, y"],
    ),
    Case(
        "column_extra",
        "reg",
        lambda v: v.csv([[*r, "1"] for r in v.rows], ["id", "y", "conf"]),
        "columns_extra",
        ["Unexpected column", "'conf'", "header must be: id, y"],
    ),
    Case(
        "column_renamed",
        "reg",
        lambda v: v.csv(header=["id", "target"]),
        "columns_missing",
        ["Missing column(s): y", "Unexpected column(s): 'target'"],
        also=["columns_extra"],
    ),
    Case(
        "id_column_case",
        "reg",
        lambda v: v.csv(header=["ID", "y"]),
        "columns_missing",
        ["Missing column(s): id", "'ID'"],
        also=["columns_extra"],
    ),
    Case(
        "column_duplicated",
        "reg",
        lambda v: v.csv([[*r, "2"] for r in v.rows], ["id", "y", "y"]),
        "columns_duplicated",
        ["more than once", "y"],
    ),
    Case(
        "columns_out_of_order",
        "reg",
        lambda v: v.csv([r[::-1] for r in v.rows], ["y", "id"]),
        "columns_out_of_order",
        ["wrong order", "found y, id", "expected id, y"],
    ),
    # rows and ids
    Case(
        "one_row_short",
        "reg",
        lambda v: v.csv(v.rows[:-1]),
        "row_count_mismatch",
        ["Submission has 417 rows; expected 418.", "1309"],
        also=["ids_missing"],
    ),
    Case(
        "one_row_too_many",
        "reg",
        lambda v: v.csv([*v.rows, ["5000", "1.5"]]),
        "row_count_mismatch",
        ["Submission has 419 rows; expected 418.", "line 420", "5000"],
        also=["ids_unknown"],
    ),
    Case(
        "ids_missing",
        "reg",
        lambda v: _drop(v, range(5, 12)),
        "ids_missing",
        ["7 id(s) of the test set are missing", "(first 5): 897, 898, 899, 900, 901."],
        also=["row_count_mismatch"],
    ),
    Case(
        "ids_unknown",
        "reg",
        lambda v: _ids(v, {2: "5000", 3: "5001"}),
        "ids_unknown",
        ["2 id(s) are not in the test set", "lines 4, 5", "5000, 5001"],
        also=["ids_missing"],
    ),
    Case(
        "ids_duplicated",
        "reg",
        lambda v: _ids(v, {3: "894"}),
        "ids_duplicated",
        ["appear more than once", "894", "exactly once"],
        also=["ids_missing"],
    ),
    Case(
        "id_not_integer",
        "reg",
        lambda v: _ids(v, {3: "89x"}),
        "id_invalid",
        ["must hold an integer", "line 5", "'89x'"],
    ),
    Case(
        "id_decimal",
        "reg",
        lambda v: _ids(v, {3: "895.0"}),
        "id_invalid",
        ["must hold an integer", "line 5", "'895.0'"],
    ),
    Case(
        "id_overflows_int64",
        "reg",
        lambda v: _ids(v, {3: "99999999999999999999"}),
        "id_invalid",
        ["must hold an integer", "line 5"],
    ),
    Case("id_empty", "reg", lambda v: _ids(v, {3: ""}), "id_invalid", ["empty id", "line 5"]),
    # values
    Case(
        "value_not_numeric",
        "reg",
        lambda v: v.with_cell(7, 1, "abc"),
        "value_not_numeric",
        ["must hold a number", "line 9", "'abc'"],
    ),
    Case(
        "value_nan",
        "reg",
        lambda v: v.with_cell(7, 1, "NaN"),
        "value_not_finite",
        ["NaN or infinite", "line 9"],
    ),
    Case(
        "value_inf",
        "reg",
        lambda v: v.with_cell(7, 1, "inf"),
        "value_not_finite",
        ["NaN or infinite", "line 9", "inf"],
    ),
    Case(
        "value_minus_inf",
        "reg",
        lambda v: v.with_cell(7, 1, "-inf"),
        "value_not_finite",
        ["NaN or infinite", "line 9", "-inf"],
    ),
    Case(
        "value_empty",
        "reg",
        lambda v: v.with_cell(7, 1, ""),
        "value_missing",
        ["empty value", "line 9"],
    ),
    Case(
        "probability_above_1",
        "logloss",
        lambda v: v.with_cell(2, 1, "1.5"),
        "value_out_of_range",
        ["between 0 and 1", "log_loss", "line 4", "1.5"],
    ),
    Case(
        "probability_below_0",
        "logloss",
        lambda v: v.with_cell(2, 1, "-0.1"),
        "value_out_of_range",
        ["between 0 and 1", "line 4", "-0.1"],
    ),
    Case(
        "rmsle_negative",
        "rmsle",
        lambda v: v.with_cell(9, 1, "-3.5"),
        "value_out_of_range",
        ["at least 0", "rmsle", "line 11", "-3.5"],
    ),
    Case(
        "label_unknown_int",
        "labels_int",
        lambda v: v.with_cell(3, 1, "40"),
        "label_unknown",
        ["not a known class", "line 5", "40", "Valid classes: 10, 20, 30"],
    ),
    Case(
        "label_unknown_str",
        "labels_str",
        lambda v: v.with_cell(3, 1, "unicorn"),
        "label_unknown",
        [
            "not a known class",
            "line 5",
            "'unicorn'",
            "Valid classes: narwhal_gamma, quokka_beta, zebra_alpha",
        ],
    ),
    Case(
        "label_empty",
        "labels_str",
        lambda v: v.with_cell(3, 1, ""),
        "value_missing",
        ["empty value", "line 5"],
    ),
    Case(
        "rle_not_integer",
        "dice",
        lambda v: v.with_cell(2, 1, "1 x"),
        "value_invalid_format",
        ["run-length", "line 4", "'x'"],
    ),
    Case(
        "rle_odd_count",
        "dice",
        lambda v: v.with_cell(2, 1, "1 3 5"),
        "value_invalid_format",
        ["run-length", "line 4", "pairs"],
    ),
    Case(
        "rle_overlap",
        "dice",
        lambda v: v.with_cell(2, 1, "1 5 3 2"),
        "value_invalid_format",
        ["run-length", "line 4", "overlap"],
    ),
    Case(
        "rle_zero_start",
        "dice",
        lambda v: v.with_cell(2, 1, "0 5"),
        "value_invalid_format",
        ["run-length", "line 4", "at least 1"],
    ),
    # many problems at once
    Case(
        "many_problems",
        "reg",
        _many,
        "row_count_mismatch",
        ["Submission has 415 rows; expected 418.", "99999", "line 3", "line 4", "'abc'"],
        also=[
            "ids_missing",
            "ids_unknown",
            "value_not_finite",
            "value_missing",
            "value_not_numeric",
        ],
    ),
]


def _submit(tmp_path: Path, solution: PreparedSolution, case: Case) -> SubmissionError:
    valid = SOLUTIONS[case.solution][2]
    path = write(tmp_path / f"submission{case.suffix}", case.make(valid))
    kwargs = {"max_bytes": case.max_bytes} if case.max_bytes else {}
    with pytest.raises(SubmissionError) as info:
        score_submission(solution, path, **kwargs)
    return info.value


def _param(case: Case):
    marks = [pytest.mark.xfail(reason=f"BUG: {case.bug}", strict=True)] if case.bug else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_refused_with_code_and_message(tmp_path, boards, case):
    error = _submit(tmp_path, boards[case.solution], case)
    assert case.code in error.codes, error.message
    for code in case.also:
        assert code in error.codes, error.message
    message = error.message.lower()
    for word in case.words:
        assert word.lower() in message, f"{word!r} not in {error.message!r}"
    # the error's own code is its first problem's; every problem carries a message
    assert error.code == error.codes[0]
    assert all(p.message for p in error.problems)
    assert error.as_dict()["problems"][0]["code"] == error.code


def test_valid_submissions_of_the_corpus_are_accepted(tmp_path, boards):
    """The corpus breaks valid files; make sure the valid files themselves are accepted."""
    for key, (_, _, valid) in SOLUTIONS.items():
        path = write(tmp_path / f"{key}.csv", valid.csv())
        assert read_submission(boards[key], path).n_rows == len(valid.rows)


# -- no leak: messages never reveal targets or Usage -------------------------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SECRET_NUMBERS = {float(v) for v in REG_TARGETS} | {float(int(v)) for v in REG_TARGETS}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES if not c.bug])
def test_messages_never_reveal_targets_or_usage(tmp_path, boards, case):
    error = _submit(tmp_path, boards[case.solution], case)
    text = error.message + "\n" + json.dumps([p.details for p in error.problems], default=str)
    lowered = text.lower()
    for word in ("public", "private", "ignored", "usage"):
        assert word not in lowered, f"{word!r} in {text!r}"
    if case.solution in ("reg", "rmsle"):
        numbers = {float(n) for n in _NUMBER.findall(text)}
        assert not numbers & _SECRET_NUMBERS, text
    if "label_unknown" not in error.codes:  # only that message lists the valid classes
        for name in STR_CLASSES:
            if name not in case.make(SOLUTIONS[case.solution][2]).decode("utf-8", "replace"):
                assert name not in text


# -- many problems: all reported, capped ------------------------------------------------------


def test_many_problems_are_reported_together_and_capped(tmp_path, boards):
    """25 broken columns: 25 problems, of which MAX_PROBLEMS are shown and the rest counted."""
    valid = SOLUTIONS["multi"][2]
    rows = [list(r) for r in valid.rows]
    for k in range(len(MULTI_CLASSES)):
        rows[k][k + 1] = "abc"
    path = write(tmp_path / "sub.csv", valid.csv(rows))
    with pytest.raises(SubmissionError) as info:
        read_submission(boards["multi"], path)
    error = info.value
    assert len(error.problems) == MAX_PROBLEMS
    assert error.truncated
    assert set(error.codes) == {"value_not_numeric"}
    assert error.message.endswith(f"(and {25 - MAX_PROBLEMS} more problems)")
    # each problem names its column and its own line
    assert "Column 'c00'" in error.problems[0].message
    assert "line 2" in error.problems[0].message


def test_first_offenders_are_listed_with_a_count(tmp_path, boards):
    valid = SOLUTIONS["reg"][2]
    rows = [list(r) for r in valid.rows]
    for i in range(10, 40):
        rows[i][1] = "x"
    path = write(tmp_path / "sub.csv", valid.csv(rows))
    with pytest.raises(SubmissionError) as info:
        read_submission(boards["reg"], path)
    (problem,) = info.value.problems
    assert "30 value(s)" in problem.message
    assert "lines 12, 13, 14, 15, 16 (first 5 of 30)" in problem.message
    assert problem.details == {"column": "y", "rows": [12, 13, 14, 15, 16], "count": 30}


def test_line_numbers_count_blank_lines(tmp_path, boards):
    """A blank line in the middle of the file is skipped, and later lines keep their numbers."""
    valid = SOLUTIONS["reg"][2]
    lines = valid.with_cell(5, 1, "abc").split(b"\n")  # 'abc' on line 7
    lines.insert(3, b"")  # a blank line 4: 'abc' is now on line 8
    path = write(tmp_path / "sub.csv", b"\n".join(lines))
    with pytest.raises(SubmissionError) as info:
        read_submission(boards["reg"], path)
    assert "line 8" in info.value.message, info.value.message


def test_ragged_line_number_counts_blank_lines(tmp_path, boards):
    valid = SOLUTIONS["reg"][2]
    lines = valid.with_cell(5, 1, "1,2").split(b"\n")  # 3 fields on line 7
    lines.insert(3, b"")  # now line 8
    path = write(tmp_path / "sub.csv", b"\n".join(lines))
    with pytest.raises(SubmissionError) as info:
        read_submission(boards["reg"], path)
    assert "line 8 has 3" in info.value.message, info.value.message


def test_id_with_a_plus_sign_is_accepted_or_refused_never_a_crash(tmp_path, boards):
    valid = SOLUTIONS["reg"][2]
    path = write(tmp_path / "sub.csv", _ids(valid, {3: "+895"}))
    try:
        read_submission(boards["reg"], path)
    except SubmissionError as exc:
        assert exc.codes == ["id_invalid"]


@pytest.mark.parametrize("key, cell", [("reg", "9" * 5000 + "x"), ("labels_str", "z" * 5000)])
def test_a_huge_cell_is_shortened_in_the_message(tmp_path, boards, key, cell):
    valid = SOLUTIONS[key][2]
    path = write(tmp_path / "sub.csv", valid.with_cell(3, 1, cell))
    with pytest.raises(SubmissionError) as info:
        read_submission(boards[key], path)
    assert "line 5" in info.value.message
    assert len(info.value.message) < 1000, len(info.value.message)


def test_an_unclosed_quote_in_a_large_file_is_found(tmp_path):
    """Past Arrow's 1 MB block, a quote that is never closed makes the multi-threaded reader
    drop lines without an error: reported as the quote, not as the ids that went missing."""
    n = 200_000
    frame = pd.DataFrame({"id": range(1, n + 1), "y": [1.5] * n, "Usage": usage_split(n, 7)})
    solution = prepare(tmp_path, frame, "rmse")
    rows = [[str(i), "1.25"] for i in range(1, n + 1)]
    rows[10][1] = '"1.25'  # line 12
    path = write(tmp_path / "sub.csv", csv_bytes(["id", "y"], rows))
    assert path.stat().st_size > 2 * 1024 * 1024
    with pytest.raises(SubmissionError) as info:
        read_submission(solution, path)
    assert info.value.codes == ["csv_malformed"], info.value.message
    assert "unclosed quote starting on line 12" in info.value.message.lower()


def test_a_quote_inside_a_value_is_not_taken_for_an_unclosed_one(tmp_path, boards):
    valid = SOLUTIONS["reg"][2]
    rows = [list(r) for r in valid.rows]
    rows[3][1] = '1.5"'  # a stray quote, not at the start of the value: Arrow keeps it as text
    rows[7][1] = "abc"
    path = write(tmp_path / "sub.csv", valid.csv(rows))
    with pytest.raises(SubmissionError) as info:
        read_submission(boards["reg"], path)
    assert info.value.codes == ["value_not_numeric"], info.value.message
    assert "lines 5, 9" in info.value.message


# -- the hints of what a file looks like stay off ordinary CSV files -------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda v: v.csv([[r[0]] for r in v.rows], ["id"]), id="id_only"),
        pytest.param(lambda v: v.csv([[r[1]] for r in v.rows], ["prediction"]), id="one_column"),
        pytest.param(lambda v: _latin1_at_line_5(v, b"895,1.5\xe9"), id="latin1"),
    ],
)
def test_a_csv_file_is_not_called_binary_nor_otherwise_separated(tmp_path, boards, make):
    case = Case("plain", "reg", make, "", [])
    message = _submit(tmp_path, boards["reg"], case).message
    assert "does not look like a CSV" not in message and "-separated:" not in message
