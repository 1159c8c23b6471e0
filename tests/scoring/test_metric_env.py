"""The organizer metric's environment: Kaggle's helper module, the runner that the sandbox starts,
and the strict reading of what the runner leaves behind.

The runner is run here as a plain child process (the server runs the same script in the sandbox:
tests/podium/competitions/test_metric_sandbox.py); the files it reads are the ones the server
writes, and its result is read by the server's own ``read_result``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics

from scoring import ScoringError, load_metric_file, prepare_solution, read_submission
from scoring.custom import (
    read_result,
    runner_spec,
    sandboxed_metric,
    score_boards,
    write_board_inputs,
)
from scoring.errors import MetricFileError
from scoring.metric_env import KAGGLE_METRIC_UTILITIES, RUNNER
from tests.scoring.factories import usage_split, write, write_frame
from tests.scoring.kaggle_metrics import BALANCED_ACCURACY, KL_DIVERGENCE, MACRO_ROC_AUC

CLASSES = ["a", "b", "c"]


def run_runner(
    tmp_path, solution_csv, submission_csv, source: str, params=None, *, boards: bool = True
):
    """What the server does around the sandbox, with a plain child process in its place."""
    metric = sandboxed_metric(name="custom:test", greater_is_better=True)
    solution = prepare_solution(solution_csv, metric=metric)
    submission = read_submission(solution, submission_csv, metric=metric)
    input_dir, code, output = tmp_path / "input", tmp_path / "code", tmp_path / "output"
    shutil.rmtree(tmp_path / "input", ignore_errors=True)
    write_board_inputs(solution, submission, input_dir)
    code.mkdir(exist_ok=True)
    shutil.copyfile(RUNNER, code / "runner.py")
    shutil.copyfile(KAGGLE_METRIC_UTILITIES, code / "kaggle_metric_utilities.py")
    write(code / "metric.py", textwrap.dedent(source))
    spec = runner_spec(
        metric=str(code / "metric.py"),
        metric_name="my_metric.py",
        row_id_column_name=solution.id_column,
        params=params or {},
        input_dir=str(input_dir),
        output=str(output / "result.json"),
        boards=boards,
    )
    write(tmp_path / "spec.json", json.dumps(spec))
    shutil.rmtree(output, ignore_errors=True)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-s", str(code / "runner.py"), str(tmp_path / "spec.json")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return read_result(output / "result.json", boards=boards)


def multilabel(tmp_path, n: int = 300, seed: int = 0):
    """A 3-class multi-label answer key and a noisy submission, as CSV files; the frames too."""
    rng = np.random.default_rng(seed)
    truth = pd.DataFrame({"id": np.arange(1, n + 1)})
    guess = truth.copy()
    for name in CLASSES:
        truth[name] = (rng.random(n) < 0.3).astype(int)
        guess[name] = np.round(np.clip(truth[name] * 0.4 + rng.random(n) * 0.6, 0, 1), 6)
    truth["Usage"] = usage_split(n, seed)
    shuffled = guess.sample(frac=1, random_state=seed)
    return (
        write_frame(tmp_path / "solution.csv", truth),
        write_frame(tmp_path / "submission.csv", shuffled),
        truth,
        guess,
    )


def on_board(truth: pd.DataFrame, guess: pd.DataFrame, board: str):
    rows = (truth["Usage"] == board).to_numpy()
    return truth[rows].sort_values("id"), guess[rows].sort_values("id")


def probabilities(tmp_path, n: int = 200, seed: int = 1):
    rng = np.random.default_rng(seed)
    truth = pd.DataFrame({"id": np.arange(n)})
    guess = truth.copy()
    t = rng.dirichlet(np.ones(len(CLASSES)), n)
    g = rng.dirichlet(np.ones(len(CLASSES)), n)
    for i, name in enumerate(CLASSES):
        truth[name], guess[name] = np.round(t[:, i], 8), g[:, i]
    truth[CLASSES] = truth[CLASSES].div(truth[CLASSES].sum(axis=1), axis=0)
    truth["Usage"] = usage_split(n, seed, ignored=False)
    return truth, guess


# -- Kaggle's published style runs unmodified and scores like scikit-learn ----------------------


def test_kaggle_macro_roc_auc_scores_like_scikit_learn(tmp_path):
    solution_csv, submission_csv, truth, guess = multilabel(tmp_path)
    public, private = run_runner(tmp_path, solution_csv, submission_csv, MACRO_ROC_AUC)
    for board, got in (("Public", public), ("Private", private)):
        t, g = on_board(truth, guess, board)
        expected = sklearn.metrics.roc_auc_score(
            t[CLASSES].values, g[CLASSES].values, average="macro"
        )
        assert got == pytest.approx(expected, abs=1e-12)


def test_kaggle_balanced_accuracy_with_params_scores_like_scikit_learn(tmp_path):
    rng = np.random.default_rng(3)
    n = 240
    truth = pd.DataFrame({"id": np.arange(n), "label": rng.integers(0, 3, n)})
    guess = truth.copy()
    flip = rng.random(n) < 0.3
    guess.loc[flip, "label"] = rng.integers(0, 3, flip.sum())
    truth["Usage"] = usage_split(n, 3)
    solution_csv = write_frame(tmp_path / "solution.csv", truth)
    submission_csv = write_frame(tmp_path / "submission.csv", guess)
    public, private = run_runner(
        tmp_path, solution_csv, submission_csv, BALANCED_ACCURACY, params={"adjusted": True}
    )
    for board, got in (("Public", public), ("Private", private)):
        t, g = on_board(truth, guess, board)
        expected = sklearn.metrics.balanced_accuracy_score(t["label"], g["label"], adjusted=True)
        assert got == pytest.approx(expected, abs=1e-12)


def test_kaggle_kl_divergence_matches_the_in_process_offline_run(tmp_path):
    truth, guess = probabilities(tmp_path)
    solution_csv = write_frame(tmp_path / "solution.csv", truth)
    submission_csv = write_frame(tmp_path / "submission.csv", guess)
    sandboxed = run_runner(tmp_path, solution_csv, submission_csv, KL_DIVERGENCE)
    # Offline, the same file through load_metric_file: kaggle_metric_utilities is importable.
    metric = load_metric_file(write(tmp_path / "kl.py", KL_DIVERGENCE))
    solution = prepare_solution(solution_csv, metric=metric)
    offline = score_boards(
        metric, solution, read_submission(solution, submission_csv, metric=metric), {}
    )
    assert sandboxed == pytest.approx(offline, abs=1e-12)
    t, g = on_board(truth, guess, "Public")
    y, p = t[CLASSES].to_numpy(), np.clip(g[CLASSES].to_numpy(), 1e-15, 1 - 1e-15)
    expected = np.mean(np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / p), 0), axis=1))
    assert sandboxed[0] == pytest.approx(expected, rel=1e-9)


# -- errors: the participant reads only a ParticipantVisibleError's words -------------------------


def test_a_participant_error_from_the_helper_reaches_the_participant_word_for_word(tmp_path):
    truth, guess = probabilities(tmp_path)
    guess.loc[5, "b"] = -0.25
    solution_csv = write_frame(tmp_path / "solution.csv", truth)
    submission_csv = write_frame(tmp_path / "submission.csv", guess)
    with pytest.raises(ScoringError) as info:
        run_runner(tmp_path, solution_csv, submission_csv, KL_DIVERGENCE)
    error = info.value
    assert error.participant_visible and error.code == "participant_visible_error"
    assert error.message == "All target values in submission must be at least zero"
    assert "Traceback" in error.detail and "verify_valid_probabilities" in error.detail


def test_a_metric_s_own_participant_error_with_numbers_is_shown_as_raised(tmp_path):
    n = 40
    truth = pd.DataFrame(
        {
            "id": range(n),
            "label": [i % 2 for i in range(n)],
            "Usage": usage_split(n, 0, ignored=False),
        }
    )
    solution_csv = write_frame(tmp_path / "solution.csv", truth)
    submission_csv = write(
        tmp_path / "submission.csv", "id,label\n" + "".join(f"{i},{i % 2}\n" for i in range(n))
    )
    source = BALANCED_ACCURACY.replace("len(submission.columns) > 1", "True")
    with pytest.raises(ScoringError) as info:
        run_runner(tmp_path, solution_csv, submission_csv, source)
    assert info.value.participant_visible
    assert info.value.message == (
        "The submission can only include one column of predictions. Found 1"
    )


SAFE_CALL = """
    import numpy as np
    import kaggle_metric_utilities

    def complain(solution, submission):
        raise ValueError({message!r})

    def score(solution, submission, row_id_column_name):
        return kaggle_metric_utilities.safe_call_score(complain, solution, submission)
"""


@pytest.mark.parametrize(
    ("message", "visible"),
    [
        ("Predictions must be sorted by confidence.", True),  # no digits, numeric solution
        ("Expected 17 columns", False),  # a number could be the answer key's
    ],
)
def test_safe_call_score_shows_only_messages_without_numbers(tmp_path, message, visible):
    n = 30
    truth = pd.DataFrame(
        {
            "id": range(n),
            "y": [i * 0.5 for i in range(n)],
            "Usage": usage_split(n, 0, ignored=False),
        }
    )
    solution_csv = write_frame(tmp_path / "solution.csv", truth)
    submission_csv = write_frame(tmp_path / "submission.csv", truth.drop(columns="Usage"))
    with pytest.raises(ScoringError) as info:
        run_runner(tmp_path, solution_csv, submission_csv, SAFE_CALL.format(message=message))
    error = info.value
    assert error.participant_visible is visible
    if visible:
        assert error.message == message
    else:
        assert error.message == "Submission Scoring Error"
        assert message in error.detail and "Traceback" in error.detail


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "def score(solution, submission, row_id_column_name)\n    return 1\n",
            ["could not be loaded", "SyntaxError", "my_metric.py"],
        ),
        (
            "def metric(solution, submission, row_id_column_name):\n    return 1\n",
            ["must define a function named 'score'"],
        ),
        ("def score(solution, submission):\n    return 1\n", ["row_id_column_name"]),
        ("import a_module_that_does_not_exist\n", ["ModuleNotFoundError"]),
        ("raise SystemExit(3)\n", ["SystemExit"]),
        ("def score(s, p, i):\n    return float('nan')\n", ["not a finite number"]),
        ("def score(s, p, i):\n    return '0.5'\n", ["not a single number"]),
        ("def score(s, p, i):\n    return True\n", ["not a single number"]),
        ("def score(s, p, i):\n    raise KeyError('secret 0.731')\n", ["KeyError", "0.731"]),
        ("import os\ndef score(s, p, i):\n    os._exit(0)\n", ["could not be read", "no result"]),
    ],
    ids=[
        "syntax",
        "no-score",
        "two-arguments",
        "import",
        "system-exit",
        "nan",
        "string",
        "bool",
        "crash",
        "exit-without-result",
    ],
)
def test_a_broken_metric_is_a_scoring_error_for_the_organizer(tmp_path, body, words):
    solution_csv, submission_csv, _, _ = multilabel(tmp_path, n=30)
    with pytest.raises(ScoringError) as info:
        run_runner(tmp_path, solution_csv, submission_csv, body)
    error = info.value
    assert error.message == "Submission Scoring Error" and not error.participant_visible
    for word in words:
        assert word in error.detail, error.detail


def test_each_board_gets_fresh_frames_sorted_and_aligned_without_usage(tmp_path):
    solution_csv, submission_csv, truth, _ = multilabel(tmp_path, n=50)
    body = """
        import json
        from pathlib import Path

        def score(solution, submission, row_id_column_name, **kwargs):
            seen = {"cols": list(solution.columns), "sub_cols": list(submission.columns),
                    "ids": solution[row_id_column_name].tolist(),
                    "sub_ids": submission[row_id_column_name].tolist(),
                    "index": list(solution.index), "kwargs": kwargs}
            solution.iloc[:, 1] = -1  # mutating cannot reach the next board
            return float(len(seen["ids"]) + 1000 * (seen["ids"] == seen["sub_ids"])
                         + 10000 * (seen["cols"] == ["id", "a", "b", "c"] == seen["sub_cols"])
                         + 100000 * (seen["index"] == list(range(len(seen["ids"]))))
                         + 1000000 * (seen["ids"] == sorted(seen["ids"]))
                         + 10000000 * (seen["kwargs"] == {"k": 3}))
    """
    public, private = run_runner(tmp_path, solution_csv, submission_csv, body, params={"k": 3})
    rows = truth["Usage"].value_counts()
    assert public == 11111000 + rows["Public"]
    assert private == 11111000 + rows["Private"]


def test_load_only_checks_the_file_without_scoring(tmp_path):
    solution_csv, submission_csv, _, _ = multilabel(tmp_path, n=30)
    assert run_runner(tmp_path, solution_csv, submission_csv, MACRO_ROC_AUC, boards=False) is None
    with pytest.raises(ScoringError) as info:
        run_runner(tmp_path, solution_csv, submission_csv, "x = 1\n", boards=False)
    assert "must define a function named 'score'" in info.value.detail


# -- the result file is hostile ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[0.5, 0.5]",
        b'{"public": 0.5}',
        b'{"public": 0.5, "private": 0.5, "extra": 1}',
        b'{"public": NaN, "private": 0.5}',
        b'{"public": Infinity, "private": 0.5}',
        b'{"public": 1e999, "private": 0.5}',
        b'{"public": true, "private": 0.5}',
        b'{"public": "0.5", "private": 0.5}',
        b'{"public": 0.5, "private": 0.5, "public": 0.9}',
        b'{"public": [0.5], "private": 0.5}',
        b'{"error": "boom"}',
        b'{"error": {"participant_visible": "yes", "message": "m", "traceback": "t"}}',
        b'{"error": {"participant_visible": true, "message": 3, "traceback": "t"}}',
        b'{"error": {"participant_visible": true, "message": "m"}}',
        b'{"error": {"participant_visible": true, "message": "m", "traceback": "t"}, "x": 1}',
        b'{"loaded": true}',
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"public": 0.5, "private": 0.5}' + b" " * (1024 * 1024),
    ],
    ids=[
        "empty",
        "text",
        "list",
        "one-board",
        "extra-key",
        "nan",
        "infinity",
        "overflow",
        "bool",
        "string",
        "duplicate",
        "nested",
        "error-string",
        "error-bool-type",
        "error-message-type",
        "error-keys",
        "error-extra",
        "loaded-when-scoring",
        "not-utf8",
        "deep",
        "too-large",
    ],
)
def test_anything_but_two_finite_numbers_or_an_error_object_cannot_be_read(tmp_path, content):
    path = write(tmp_path / "result.json", content)
    with pytest.raises(ScoringError) as info:
        read_result(path)
    assert info.value.message == "Submission Scoring Error"
    assert not info.value.participant_visible
    assert info.value.detail.startswith("The metric's result could not be read")


def test_a_link_or_a_folder_is_not_read(tmp_path):
    secret = write(tmp_path / "secret.json", b'{"public": 1.0, "private": 1.0}')
    (tmp_path / "link.json").symlink_to(secret)
    (tmp_path / "folder.json").mkdir()
    for name in ("link.json", "folder.json", "missing.json"):
        with pytest.raises(ScoringError) as info:
            read_result(tmp_path / name)
        assert "could not be read" in info.value.detail


def test_a_good_result_and_an_error_object(tmp_path):
    assert read_result(write(tmp_path / "r.json", b'{"private": 2, "public": 0.25}')) == (0.25, 2.0)
    visible = write(
        tmp_path / "v.json",
        json.dumps(
            {
                "error": {
                    "participant_visible": True,
                    "message": "Use 3 labels.",
                    "traceback": "Trace",
                }
            }
        ),
    )
    with pytest.raises(ScoringError) as info:
        read_result(visible)
    assert (info.value.message, info.value.detail) == ("Use 3 labels.", "Trace")
    hidden = write(
        tmp_path / "h.json",
        json.dumps(
            {
                "error": {
                    "participant_visible": False,
                    "message": "The metric failed: KeyError",
                    "traceback": "T",
                }
            }
        ),
    )
    with pytest.raises(ScoringError) as info:
        read_result(hidden)
    assert info.value.message == "Submission Scoring Error"
    assert info.value.detail == "The metric failed: KeyError\n\nT"


def test_the_sandboxed_metric_refuses_to_run_in_process():
    metric = sandboxed_metric(name="custom:x", greater_is_better=False)
    assert metric.kind == "custom" and metric.direction == "minimize"
    with pytest.raises(MetricFileError, match="only in the sandbox"):
        metric.func(None, None, "id")
