"""prepare_solution / load_solution: what is accepted, what is refused and why, id alignment of
every id style, and atomic re-preparation."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import uuid
import zlib

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_squared_error

from scoring import (
    SolutionError,
    SubmissionError,
    load_solution,
    prepare_solution,
    read_submission,
    score_submission,
)
from tests.scoring.factories import prepare, usage_split, write, write_frame


def _frame(n: int = 12, seed: int = 0, **columns) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"id": np.arange(1, n + 1), "y": rng.normal(size=n)})
    frame["Usage"] = usage_split(n, seed)
    for name, values in columns.items():
        frame[name] = values
    return frame


# -- a valid solution -------------------------------------------------------------------------


def test_valid_solution_is_prepared_beside_the_csv_and_loads(tmp_path):
    frame = _frame(30)
    solution = prepare(tmp_path, frame, "rmse")
    folder = tmp_path / "solution.csv.prepared"
    assert solution.folder == folder
    assert (folder / "meta.json").is_file()
    assert (folder / "table.arrow").is_file()
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["metric"] == "rmse"
    assert meta["id_column"] == "id" and meta["target_columns"] == ["y"]
    assert meta["id_type"] == "int"
    counts = frame["Usage"].value_counts()
    assert meta["rows"] == {
        "total": 30,
        "public": counts["Public"],
        "private": counts["Private"],
        "ignored": counts["Ignored"],
    }
    for where in (tmp_path / "solution.csv", folder):
        loaded = load_solution(where)
        assert loaded.columns == ["id", "y"]
        assert loaded.n_rows == 30
        assert sorted(loaded.ids.to_pylist()) == list(range(1, 31))
    assert sorted(tmp_path.iterdir()) == [tmp_path / "solution.csv", folder]


def test_usage_values_in_any_case_and_with_spaces(tmp_path):
    usage = ["PUBLIC", "private ", " Ignored", "pUbLiC", "Private", "public", "PRIVATE", "ignored"]
    frame = _frame(8, Usage=usage)
    solution = prepare(tmp_path, frame, "rmse")
    assert solution.meta["rows"] == {"total": 8, "public": 3, "private": 3, "ignored": 2}


def test_usage_column_name_in_any_case(tmp_path):
    frame = _frame(6).rename(columns={"Usage": "usage"})
    assert prepare(tmp_path, frame, "rmse").columns == ["id", "y"]


def test_a_load_without_prepare_is_refused(tmp_path):
    write(tmp_path / "solution.csv", "id,y,Usage\n1,1,Public\n")
    with pytest.raises(SolutionError) as info:
        load_solution(tmp_path / "solution.csv")
    assert info.value.code == "solution_prepared_stale"


# -- refusals ---------------------------------------------------------------------------------

REFUSALS = {
    "no_usage_column": ("rmse", "id,y\n1,1.5\n2,2.5\n", "solution_usage_missing", "Usage"),
    "unknown_usage_value": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,2.5,Secret\n3,1,Private\n",
        "solution_usage_invalid",
        "'Secret'",
    ),
    "empty_usage_value": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,2.5,\n3,1,Private\n",
        "solution_usage_invalid",
        "Public, Private or Ignored",
    ),
    "no_public_rows": (
        "rmse",
        "id,y,Usage\n1,1.5,Private\n2,2.5,Ignored\n",
        "solution_no_public_rows",
        "Public",
    ),
    "no_private_rows": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,2.5,Public\n",
        "solution_no_private_rows",
        "Private",
    ),
    "duplicate_ids": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,2.5,Private\n1,3,Private\n",
        "solution_ids_duplicated",
        "1",
    ),
    "duplicate_string_ids": (
        "rmse",
        "id,y,Usage\na,1.5,Public\nb,2.5,Private\nb,3,Private\n",
        "solution_ids_duplicated",
        "b",
    ),
    "empty_id": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n,2.5,Private\n3,3,Private\n",
        "solution_ids_missing",
        "empty id",
    ),
    "binary_target_not_0_1": (
        "roc_auc",
        "id,y,Usage\n1,1,Public\n2,0,Private\n3,2,Public\n4,1,Private\n",
        "solution_target_invalid",
        "0 or 1",
    ),
    "non_numeric_target": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,abc,Private\n",
        "solution_target_invalid",
        "numeric",
    ),
    "empty_target": (
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,,Private\n",
        "solution_target_invalid",
        "empty",
    ),
    "target_past_the_ceiling": (  # a squared error could overflow on one board and not another
        "rmse",
        "id,y,Usage\n1,1.5,Public\n2,-2e100,Private\n",
        "solution_target_invalid",
        "beyond ±1e+100",
    ),
    "two_targets_for_rmse": (
        "rmse",
        "id,y,z,Usage\n1,1.5,1,Public\n2,2.5,2,Private\n",
        "solution_columns_invalid",
        "exactly one target column",
    ),
    "usage_first": (
        "rmse",
        "Usage,id,y\nPublic,1,1.5\nPrivate,2,2.5\n",
        "solution_columns_invalid",
        "id column first",
    ),
    "onehot_not_one_hot": (
        "multiclass_log_loss",
        "id,a,b,Usage\n1,1,1,Public\n2,0,1,Private\n",
        "solution_target_invalid",
        "exactly one 1 per row",
    ),
    "invalid_rle_target": (
        "dice",
        "id,y,Usage\n1,1 3,Public\n2,5 x,Private\n",
        "solution_target_invalid",
        "RLE",
    ),
    "empty_file": ("rmse", "", "solution_unreadable", "cannot be read"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refused_solution(tmp_path, name):
    metric, text, code, word = REFUSALS[name]
    path = write(tmp_path / "solution.csv", text)
    with pytest.raises(SolutionError) as info:
        prepare_solution(path, metric=metric)
    assert info.value.code == code
    assert word.lower() in info.value.message.lower(), info.value.message
    assert not (tmp_path / "solution.csv.prepared").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["solution.csv"]  # no temporary folder


@pytest.mark.parametrize(
    "usage, board",
    [
        (["Public", "Private", "Public", "Private", "Ignored"], "Public"),  # Public: 1, 1
        (["Private", "Public", "Private", "Public", "Ignored"], "Private"),  # Private: 1, 1
    ],
)
@pytest.mark.parametrize("metric", ["roc_auc", "average_precision", "normalized_gini"])
def test_a_board_holding_one_class_is_refused_where_the_metric_is_undefined(
    tmp_path, metric, usage, board
):
    targets = [1, 0, 1, 1, 0]
    text = "id,y,Usage\n" + "".join(
        f"{i},{y},{u}\n" for i, (y, u) in enumerate(zip(targets, usage, strict=True))
    )
    path = write(tmp_path / "solution.csv", text)
    with pytest.raises(SolutionError) as info:
        prepare_solution(path, metric=metric)
    assert info.value.code == "solution_target_invalid"
    assert board in info.value.message
    assert not (tmp_path / "solution.csv.prepared").exists()


def test_sample_submission_header_must_match(tmp_path):
    path = write(tmp_path / "solution.csv", "id,y,Usage\n1,1.5,Public\n2,2.5,Private\n")
    good = write(tmp_path / "sample_submission.csv", "id,y\n1,0\n2,0\n")
    assert prepare_solution(path, metric="rmse", sample_submission_path=good).columns == [
        "id",
        "y",
    ]
    bad = write(tmp_path / "sample_bad.csv", "id,target\n1,0\n2,0\n")
    with pytest.raises(SolutionError) as info:
        prepare_solution(path, metric="rmse", sample_submission_path=bad)
    assert info.value.code == "solution_columns_invalid"
    assert "id, target" in info.value.message and "id, y" in info.value.message


# -- ids ----------------------------------------------------------------------------------------


def test_ids_with_leading_zeros_stay_strings(tmp_path):
    path = write(
        tmp_path / "solution.csv",
        "id,y,Usage\n007,1.5,Public\n008,2.5,Private\n009,3.5,Public\n010,4.5,Private\n",
    )
    solution = prepare_solution(path, metric="rmse")
    assert solution.meta["id_type"] == "str"
    assert sorted(solution.ids.to_pylist()) == ["007", "008", "009", "010"]
    good = write(tmp_path / "good.csv", "id,y\n010,4.5\n007,1.5\n009,3.5\n008,2.5\n")
    assert score_submission(solution, good).public_score == 0.0
    bad = write(tmp_path / "bad.csv", "id,y\n7,1.5\n008,2.5\n009,3.5\n010,4.5\n")
    with pytest.raises(SubmissionError) as info:
        read_submission(solution, bad)
    assert set(info.value.codes) == {"ids_unknown", "ids_missing"}
    assert "'7'" in info.value.message and "'007'" in info.value.message


def test_integer_ids_accept_the_same_integers_in_another_spelling(tmp_path):
    path = write(tmp_path / "solution.csv", "id,y,Usage\n7,1.5,Public\n8,2.5,Private\n")
    solution = prepare_solution(path, metric="rmse")
    assert solution.meta["id_type"] == "int"
    sub = write(tmp_path / "sub.csv", 'id,y\n"8",2.5\n007,1.5\n')
    assert score_submission(solution, sub).private_score == 0.0


def _uuid_ids(n: int, rng) -> list[str]:
    return [
        str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))))
        for _ in range(n)
    ]


ID_STYLES = {
    "dense_ints": lambda n, rng: [str(892 + i) for i in range(n)],
    "negative_ints": lambda n, rng: [str(i - n // 2) for i in range(n)],
    "sparse_ints": lambda n, rng: [str((i + 1) * 1_000_003) for i in range(n)],
    "huge_sparse_ints": lambda n, rng: [str(2**62 - i * 987_654_321_011) for i in range(n)],
    "short_strings": lambda n, rng: [f"id{i:04d}" for i in range(n)],
    "leading_zeros": lambda n, rng: [f"{i:06d}" for i in range(n)],
    "uuid4_strings": _uuid_ids,
    "mixed_length_strings": lambda n, rng: [("x" * (1 + i % 13)) + str(i) for i in range(n)],
    "non_ascii_strings": lambda n, rng: [f"café-{i}-Ω" for i in range(n)],
    "same_prefix_long_strings": lambda n, rng: [f"{'p' * 40}{i:05d}" for i in range(n)],
}


@pytest.mark.parametrize("style", list(ID_STYLES))
def test_every_id_style_aligns(tmp_path, style):
    """Score equals scikit-learn's on the solution and a shuffled submission merged by id."""
    n = 200
    rng = np.random.default_rng(zlib.crc32(style.encode()))
    ids = ID_STYLES[style](n, rng)
    assert len(set(ids)) == n
    solution_frame = pd.DataFrame(
        {"id": ids, "y": rng.normal(100, 30, n), "Usage": usage_split(n, 3)}
    )
    solution = prepare(tmp_path, solution_frame, "rmse")
    submission_frame = pd.DataFrame({"id": ids, "y": rng.normal(100, 30, n)}).sample(
        frac=1, random_state=1
    )
    result = score_submission(solution, write_frame(tmp_path / "sub.csv", submission_frame))
    merged = solution_frame.merge(submission_frame, on="id", suffixes=("_true", "_pred"))
    assert len(merged) == n
    for board, score in (("Public", result.public_score), ("Private", result.private_score)):
        rows = merged[merged["Usage"] == board]
        expected = math.sqrt(mean_squared_error(rows["y_true"], rows["y_pred"]))
        assert score == pytest.approx(expected, rel=1e-12)
    # and one wrong id is caught, whatever the layout
    broken = submission_frame.copy()
    lost, doubled = broken.iloc[5, 0], broken.iloc[6, 0]
    broken.iloc[5, 0] = doubled
    with pytest.raises(SubmissionError) as info:
        read_submission(solution, write_frame(tmp_path / "dup.csv", broken))
    assert set(info.value.codes) == {"ids_duplicated", "ids_missing"}

    def shown(value) -> str:
        return repr(value) if solution.meta["id_type"] == "str" else str(int(value))

    assert f"Missing ids (first 1): {shown(lost)}." in info.value.message
    assert f"Duplicated ids (first 5): {shown(doubled)}." in info.value.message


def test_ids_whose_40_bit_hashes_collide_still_align(tmp_path):
    """The sorted layout packs a 40-bit hash beside the row number; ids sharing that hash are
    put back in key order afterwards. Build such ids on purpose (the hash is a multiplication
    by an odd constant, so it can be inverted) and check they align."""
    from scoring.ids import _MIX, _hash40

    inverse = pow(int(_MIX), -1, 2**64)
    colliding = [(123456789 + inverse * j) % 2**64 for j in range(6)]
    colliding = [k - 2**64 if k >= 2**63 else k for k in colliding]  # as signed int64
    keys = np.array(colliding, dtype=np.int64).view(np.uint64)
    assert len(set(_hash40(keys).tolist())) == 1  # the premise: one shared 40-bit hash
    ids = colliding + [(i + 1) * 1_000_003 for i in range(40)]
    rng = np.random.default_rng(4)
    n = len(ids)
    frame = pd.DataFrame({"id": ids, "y": rng.normal(size=n), "Usage": usage_split(n, 4)})
    solution = prepare(tmp_path, frame, "rmse")
    assert solution.meta["index"]["layout"] == "sorted"
    for seed in range(5):
        submission = frame[["id", "y"]].sample(frac=1, random_state=seed)
        result = score_submission(solution, write_frame(tmp_path / "sub.csv", submission))
        assert result.public_score == result.private_score == 0.0
    swapped = frame[["id", "y"]].copy()
    swapped.loc[[0, 1], "y"] = swapped.loc[[1, 0], "y"].to_numpy()  # two colliding ids' values
    result = score_submission(solution, write_frame(tmp_path / "sub.csv", swapped))
    assert (result.public_score, result.private_score) != (0.0, 0.0)


def test_an_unreadable_sample_submission_is_a_solution_error(tmp_path):
    path = write(tmp_path / "solution.csv", "id,y,Usage\n1,1.5,Public\n2,2.5,Private\n")
    missing = tmp_path / "no_such_sample.csv"
    with pytest.raises((SolutionError, FileNotFoundError)):
        prepare_solution(path, metric="rmse", sample_submission_path=missing)


@pytest.mark.parametrize("data", [b"", "id,y\n1,0\n".encode("utf-16")], ids=["empty", "utf16"])
def test_a_broken_sample_submission_is_a_solution_error(tmp_path, data):
    path = write(tmp_path / "solution.csv", "id,y,Usage\n1,1.5,Public\n2,2.5,Private\n")
    sample = write(tmp_path / "sample_submission.csv", data)
    with pytest.raises(SolutionError) as info:
        prepare_solution(path, metric="rmse", sample_submission_path=sample)
    assert info.value.code == "solution_columns_invalid"


@pytest.mark.parametrize(
    "metric, text",
    [
        ("accuracy", "id,y,Usage\n1,NA,Public\n2,EU,Private\n3,NA,Private\n4,EU,Public\n"),
        ("rmse", "id,y,Usage\nNA,1,Public\nEU,2,Private\nnull,3,Private\nnan,4,Public\n"),
    ],
    ids=["label_NA", "string_id_NA"],
)
def test_na_like_strings_are_ordinary_values_in_the_solution(tmp_path, metric, text):
    path = write(tmp_path / "solution.csv", text)
    solution = prepare_solution(path, metric=metric)
    rows = [line.split(",")[:2] for line in text.splitlines()[1:]]
    sub = write(tmp_path / "sub.csv", "id,y\n" + "".join(f"{i},{y}\n" for i, y in rows))
    result = score_submission(solution, sub)
    assert result.public_score == result.private_score == (1.0 if metric == "accuracy" else 0.0)


@pytest.mark.parametrize(
    "labels",
    [["True", "False"], ["1.0", "2.5"]],
    ids=["bool_like", "float_like"],
)
def test_labels_are_matched_as_written(tmp_path, labels):
    """Spaceship Titanic's target is True/False: the submission writes True/False too."""
    ids = range(1, 9)
    frame = pd.DataFrame(
        {"id": ids, "y": [labels[i % 2] for i in ids], "Usage": usage_split(8, 1, ignored=False)}
    )
    solution = prepare(tmp_path, frame, "accuracy")
    sub = write_frame(tmp_path / "sub.csv", frame[["id", "y"]])
    assert score_submission(solution, sub).public_score == 1.0


def test_solution_header_with_spaces_around_names(tmp_path):
    path = write(tmp_path / "solution.csv", "id , y , Usage\n1,1.5,Public\n2,2.5,Private\n")
    assert prepare_solution(path, metric="rmse").columns == ["id", "y"]


# -- re-preparing -------------------------------------------------------------------------------


def test_re_preparing_replaces_the_folder_atomically(tmp_path):
    first = prepare(tmp_path, _frame(10, seed=1), "rmse")
    folder = first.folder
    inode = folder.stat().st_ino
    old_sha = first.meta["source_sha256"]
    second = prepare(tmp_path, _frame(14, seed=2), "mae")
    assert second.folder == folder
    assert folder.stat().st_ino != inode  # a new folder renamed into place, not rewritten
    assert second.meta["source_sha256"] != old_sha
    assert json.loads((folder / "meta.json").read_text())["metric"] == "mae"
    assert second.n_rows == 14
    # the old folder is gone and no temporary folder is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solution.csv", "solution.csv.prepared"]


def test_a_refused_re_prepare_keeps_the_previous_prepared_form(tmp_path):
    prepare(tmp_path, _frame(10), "rmse")
    write(tmp_path / "solution.csv", "id,y\n1,1\n")
    with pytest.raises(SolutionError):
        prepare_solution(tmp_path / "solution.csv", metric="rmse")
    assert load_solution(tmp_path / "solution.csv").n_rows == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solution.csv", "solution.csv.prepared"]


def test_load_solution_cache_returns_fresh_data_after_re_prepare(tmp_path):
    prepare(tmp_path, _frame(10, seed=1), "rmse")
    before = load_solution(tmp_path / "solution.csv")
    assert load_solution(tmp_path / "solution.csv") is before  # cached
    frame = _frame(12, seed=2)
    prepare(tmp_path, frame, "rmse")
    after = load_solution(tmp_path / "solution.csv")
    assert after.n_rows == 12
    assert sorted(np.asarray(after.y_true).tolist()) == sorted(frame["y"].tolist())


def test_load_solution_cache_sees_a_re_prepare_by_another_process(tmp_path):
    """A scoring worker must not keep serving an answer key that the web process replaced."""
    prepare(tmp_path, _frame(10, seed=1), "rmse")
    assert load_solution(tmp_path / "solution.csv").n_rows == 10
    frame = _frame(16, seed=5)
    write_frame(tmp_path / "solution.csv", frame)
    code = "import sys, scoring; scoring.prepare_solution(sys.argv[1], metric='mae')"
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "solution.csv")], check=True, timeout=60
    )
    fresh = load_solution(tmp_path / "solution.csv")
    assert fresh.n_rows == 16
    assert fresh.meta["metric"] == "mae"
    assert sorted(np.asarray(fresh.y_true).tolist()) == sorted(frame["y"].tolist())
