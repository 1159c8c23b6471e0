"""End to end, one representative metric of each prediction kind: the public and the private
scores equal scikit-learn's (or the reference implementation's) on the Public and the Private
rows only, from a randomly ordered submission; row order never matters."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import ScoreResult, ScoringError, SubmissionError, get_metric, score_submission
from scoring.metrics import MAX_ABS_CEILING
from tests.scoring.factories import (
    apk,
    mask_to_rle,
    prepare,
    rle_to_mask,
    usage_split,
    write_frame,
)

N = 120
PIXELS = 64


@dataclass
class Setup:
    metric: str
    solution: pd.DataFrame  # id, target(s), Usage
    submission: pd.DataFrame  # id, prediction(s), in the file's (shuffled) order
    reference: Callable[[pd.DataFrame, pd.DataFrame], float]  # (solution rows, submission rows)
    params: dict[str, Any] | None = None
    exact: bool = False  # the score is a ratio of integers: bit-identical in any row order


def _ids(rng) -> np.ndarray:
    return rng.permutation(np.arange(5000, 5000 + 3 * N, 3))


def _roc_auc(rng) -> Setup:
    ids = _ids(rng)
    y = rng.integers(0, 2, N)
    score = np.round(0.3 * y + rng.random(N), 2)  # rounded: many ties
    return Setup(
        "roc_auc",
        pd.DataFrame({"id": ids, "target": y}),
        pd.DataFrame({"id": ids, "target": score}),
        lambda s, p: skm.roc_auc_score(s["target"], p["target"]),
        exact=True,
    )


def _log_loss(rng) -> Setup:
    ids = _ids(rng)
    y = rng.integers(0, 2, N)
    p = np.clip(0.25 * y + rng.random(N) * 0.7, 0.01, 0.99)
    return Setup(
        "log_loss",
        pd.DataFrame({"id": ids, "target": y}),
        pd.DataFrame({"id": ids, "target": p}),
        lambda s, q: skm.log_loss(s["target"], q["target"], labels=[0, 1]),
    )


def _accuracy_strings(rng) -> Setup:
    ids = _ids(rng)
    classes = np.array(["cat", "dog", "emu", "yak"])
    y = classes[rng.integers(0, 4, N)]
    pred = np.where(rng.random(N) < 0.6, y, classes[rng.integers(0, 4, N)])
    return Setup(
        "accuracy",
        pd.DataFrame({"id": ids, "species": y}),
        pd.DataFrame({"id": ids, "species": pred}),
        lambda s, p: skm.accuracy_score(s["species"], p["species"]),
        exact=True,
    )


def _f1_pos_label(rng) -> Setup:
    ids = _ids(rng)
    labels = np.array(["neg", "pos"])
    y = labels[(rng.random(N) < 0.3).astype(int)]
    pred = np.where(rng.random(N) < 0.7, y, labels[rng.integers(0, 2, N)])
    return Setup(
        "f1",
        pd.DataFrame({"id": ids, "label": y}),
        pd.DataFrame({"id": ids, "label": pred}),
        lambda s, p: skm.f1_score(s["label"], p["label"], pos_label="pos"),
        params={"pos_label": "pos"},
        exact=True,
    )


def _multiclass_log_loss(rng) -> Setup:
    ids = _ids(rng)
    classes = ["Class_1", "Class_2", "Class_3", "Class_4"]
    y = rng.integers(0, 4, N)
    onehot = np.eye(4, dtype=int)[y]
    probs = rng.dirichlet(np.ones(4), N) + 0.5 * np.eye(4)[y]
    probs = probs / probs.sum(axis=1, keepdims=True)
    solution = pd.DataFrame({"id": ids, **{c: onehot[:, k] for k, c in enumerate(classes)}})
    submission = pd.DataFrame({"id": ids, **{c: probs[:, k] for k, c in enumerate(classes)}})

    def reference(s: pd.DataFrame, p: pd.DataFrame) -> float:
        q = p[classes].to_numpy()
        q = q / q.sum(axis=1, keepdims=True)  # Kaggle rescales each row to sum 1
        return skm.log_loss(s[classes].to_numpy().argmax(axis=1), q, labels=range(4))

    return Setup("multiclass_log_loss", solution, submission, reference)


def _rmse(rng) -> Setup:
    ids = _ids(rng)
    y = rng.normal(1000, 250, N)
    return Setup(
        "rmse",
        pd.DataFrame({"id": ids, "SalePrice": y}),
        pd.DataFrame({"id": ids, "SalePrice": y + rng.normal(0, 40, N)}),
        lambda s, p: skm.root_mean_squared_error(s["SalePrice"], p["SalePrice"]),
    )


def _map_at_k(rng) -> Setup:
    ids = _ids(rng)
    items = [f"h{k}" for k in range(12)]
    actual = [" ".join(rng.choice(items, rng.integers(1, 4), replace=False)) for _ in range(N)]
    predicted = [" ".join(rng.choice(items, rng.integers(0, 6))) for _ in range(N)]  # repeats too
    return Setup(
        "map_at_k",
        pd.DataFrame({"id": ids, "hotels": actual}),
        pd.DataFrame({"id": ids, "hotels": predicted}),
        lambda s, p: float(
            np.mean(
                [
                    apk(a.split(), str(q).split() if isinstance(q, str) else [], 3)
                    for a, q in zip(s["hotels"], p["hotels"], strict=True)
                ]
            )
        ),
        params={"k": 3},
        exact=True,  # math.fsum of exact per-row values
    )


def _dice(rng) -> Setup:
    ids = _ids(rng)
    truth = rng.random((N, PIXELS)) < np.linspace(0, 0.6, N)[:, None]  # some rows empty
    noisy = truth ^ (rng.random((N, PIXELS)) < 0.15)
    noisy[::17] = False  # some empty predictions
    rle_true = [mask_to_rle(m) for m in truth]
    rle_pred = [mask_to_rle(m) for m in noisy]

    def reference(s: pd.DataFrame, p: pd.DataFrame) -> float:
        values = []
        for a, b in zip(s["EncodedPixels"], p["EncodedPixels"], strict=True):
            ma, mb = rle_to_mask(a, PIXELS), rle_to_mask(b, PIXELS)
            total = ma.sum() + mb.sum()
            values.append(1.0 if total == 0 else 2 * (ma & mb).sum() / total)
        return float(np.mean(values))

    return Setup(
        "dice",
        pd.DataFrame({"id": ids, "EncodedPixels": rle_true}),
        pd.DataFrame({"id": ids, "EncodedPixels": rle_pred}),
        reference,
    )


BUILDERS = {
    "roc_auc": _roc_auc,
    "log_loss": _log_loss,
    "accuracy_strings": _accuracy_strings,
    "f1_pos_label": _f1_pos_label,
    "multiclass_log_loss_onehot": _multiclass_log_loss,
    "rmse": _rmse,
    "map_at_k": _map_at_k,
    "dice": _dice,
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Every setup, with its Usage column, prepared once."""
    out = {}
    for seed, (name, build) in enumerate(BUILDERS.items()):
        rng = np.random.default_rng(seed)
        setup = build(rng)
        setup.solution["Usage"] = usage_split(N, seed)
        folder = tmp_path_factory.mktemp(name)
        out[name] = (setup, prepare(folder, setup.solution, setup.metric), folder)
    return out


def _expected(setup: Setup) -> tuple[float, float]:
    merged = setup.solution.merge(setup.submission, on="id", suffixes=("", "__pred"))
    assert len(merged) == N
    scores = []
    for board in ("Public", "Private"):
        rows = merged[merged["Usage"] == board]
        truth = rows[[c for c in setup.solution.columns if c != "Usage"]]
        pred = rows[["id"]].assign(
            **{c: rows[f"{c}__pred"] for c in setup.submission.columns if c != "id"}
        )
        scores.append(setup.reference(truth.reset_index(drop=True), pred.reset_index(drop=True)))
    return scores[0], scores[1]


@pytest.mark.parametrize("name", list(BUILDERS))
def test_scores_equal_the_reference_on_each_board(tmp_path, prepared, name):
    setup, solution, _ = prepared[name]
    path = write_frame(tmp_path / "submission.csv", setup.submission)
    result = score_submission(solution, path, params=setup.params)
    public, private = _expected(setup)
    assert isinstance(result, ScoreResult)
    assert result.public_score == pytest.approx(public, rel=1e-12, abs=1e-15)
    assert result.private_score == pytest.approx(private, rel=1e-12, abs=1e-15)
    counts = setup.solution["Usage"].value_counts()
    assert (result.public_rows, result.private_rows, result.ignored_rows) == (
        counts["Public"],
        counts["Private"],
        counts["Ignored"],
    )
    assert set(result.timings) >= {"read_s", "validate_s", "metric_s"}
    assert all(t >= 0 for t in result.timings.values())
    assert result.duration_s >= result.timings["metric_s"]
    as_dict = result.as_dict()
    assert as_dict["public_score"] == result.public_score and "timings" in as_dict


def test_ignored_rows_do_not_count(tmp_path, prepared):
    """Ruining every Ignored row's prediction changes neither score."""
    setup, solution, _ = prepared["rmse"]
    ignored = set(setup.solution.loc[setup.solution["Usage"] == "Ignored", "id"])
    ruined = setup.submission.copy()
    ruined.loc[ruined["id"].isin(ignored), "SalePrice"] = 1e9
    clean = score_submission(solution, write_frame(tmp_path / "a.csv", setup.submission))
    dirty = score_submission(solution, write_frame(tmp_path / "b.csv", ruined))
    assert (dirty.public_score, dirty.private_score) == (clean.public_score, clean.private_score)


def test_f1_default_pos_label_is_the_last_class(tmp_path, prepared):
    """Without pos_label, as scikit-learn with string labels: the last class in sorted order."""
    setup, solution, _ = prepared["f1_pos_label"]
    path = write_frame(tmp_path / "submission.csv", setup.submission)
    default = score_submission(solution, path)
    explicit = score_submission(solution, path, params={"pos_label": "pos"})
    assert default.public_score == explicit.public_score


def test_unknown_pos_label_is_a_scoring_error(tmp_path, prepared):
    setup, solution, _ = prepared["f1_pos_label"]
    path = write_frame(tmp_path / "submission.csv", setup.submission)
    with pytest.raises(ScoringError) as info:
        score_submission(solution, path, params={"pos_label": "positive"})
    assert info.value.message == "Submission Scoring Error"
    assert not info.value.participant_visible
    assert "positive" in info.value.detail


# -- row order ----------------------------------------------------------------------------------

PERMUTATION_SETTINGS = settings(max_examples=8, deadline=None, derandomize=True)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_row_order_does_not_change_the_score(tmp_path_factory, prepared, name):
    setup, solution, folder = prepared[name]
    path = folder / "permuted.csv"
    base = score_submission(solution, write_frame(path, setup.submission), params=setup.params)

    @PERMUTATION_SETTINGS
    @given(order=st.permutations(range(N)))
    def check(order):
        permuted = setup.submission.iloc[list(order)]
        result = score_submission(solution, write_frame(path, permuted), params=setup.params)
        if setup.exact:
            assert (result.public_score, result.private_score) == (
                base.public_score,
                base.private_score,
            )
        else:  # a float mean: compared loosely here; bit-identical: the test below
            assert result.public_score == pytest.approx(base.public_score, rel=1e-13)
            assert result.private_score == pytest.approx(base.private_score, rel=1e-13)

    check()


@pytest.mark.parametrize("name", ["rmse", "log_loss"])
def test_row_order_gives_bit_identical_float_scores(tmp_path, name):
    n = 200
    rng = np.random.default_rng(0)
    ids = np.arange(n)
    if name == "rmse":
        truth, pred = rng.normal(size=n) * 100, rng.normal(size=n) * 100
    else:
        truth, pred = rng.integers(0, 2, n), rng.uniform(0.01, 0.99, n)
    solution = prepare(
        tmp_path,
        pd.DataFrame({"id": ids, "y": truth, "Usage": ["Public", "Private"] * (n // 2)}),
        name,
    )
    submission = pd.DataFrame({"id": ids, "y": pred})
    forward = score_submission(solution, write_frame(tmp_path / "a.csv", submission))
    backward = score_submission(solution, write_frame(tmp_path / "b.csv", submission[::-1]))
    assert (forward.public_score, forward.private_score) == (
        backward.public_score,
        backward.private_score,
    )
    assert math.isfinite(forward.public_score)


# -- the public/private split answers no question for free -------------------------------------

PROBE = 1e154  # squared, 1e308: two of them on one board overflow RMSE's sum of squares
PLACEMENTS = {  # where the two probed rows are
    "both public": ("Public", "Public"),
    "both private": ("Private", "Private"),
    "public and private": ("Public", "Private"),
    "private and public": ("Private", "Public"),
    "one ignored": ("Ignored", "Private"),
}


def _probe(folder, placement, value: float = PROBE):
    n = 12
    rng = np.random.default_rng(5)
    usage = ["Public", "Private", "Ignored", "Public"] * (n // 4)
    usage[:2] = placement
    truth = rng.normal(size=n) * 10
    solution = prepare(
        folder, pd.DataFrame({"id": np.arange(n), "y": truth, "Usage": usage}), "rmse"
    )
    pred = truth.copy()
    pred[:2] = value
    path = write_frame(folder / "probe.csv", pd.DataFrame({"id": np.arange(n), "y": pred}))
    return solution, path


def _outcome(solution, path, metric=None) -> tuple:
    try:
        result = score_submission(solution, path, metric=metric)
    except SubmissionError as exc:
        return ("refused before the split", tuple(exc.codes), exc.message)
    except ScoringError as exc:
        return ("failed in the metric", exc.code)
    return ("scored", math.isfinite(result.public_score), math.isfinite(result.private_score))


def test_the_rmse_overflow_probe_has_one_outcome_wherever_its_rows_are(tmp_path):
    """Two predictions of 1e154 used to overflow RMSE only when both rows shared a board: a
    failure (free) answered "same board?". They are now refused by the file checks, before the
    split is looked at, with the same words whatever the rows' Usage."""
    outcomes = {
        name: _outcome(*_probe(tmp_path / name.replace(" ", "_"), placement))
        for name, placement in PLACEMENTS.items()
    }
    assert len(set(outcomes.values())) == 1, outcomes
    kind, codes, message = outcomes["both public"]
    assert kind == "refused before the split" and codes == ("value_out_of_range",)
    assert "between -1e+12 and 1e+12" in message and "lines 2, 3" in message


def test_the_widest_bound_an_organizer_may_set_cannot_overflow_on_either_board(tmp_path):
    """At the ceiling (1e100) the same probe is scored, finite on both boards, wherever its
    rows are: a widened bound opens no oracle either."""
    wide = get_metric("rmse").with_max_abs(MAX_ABS_CEILING)
    outcomes = {
        name: _outcome(
            *_probe(tmp_path / name.replace(" ", "_"), placement, MAX_ABS_CEILING), metric=wide
        )
        for name, placement in PLACEMENTS.items()
    }
    assert set(outcomes.values()) == {("scored", True, True)}, outcomes
