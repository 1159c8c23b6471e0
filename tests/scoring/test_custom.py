"""Organizer metrics in Kaggle's interface: loading, calling conventions and failure handling."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import (
    MetricFileError,
    ScoringError,
    load_metric_file,
    prepare_solution,
    score_submission,
)
from tests.scoring.factories import write

SOLUTION = """\
row_id,target,Usage
30,1.0,Public
10,2.0,Private
20,4.0,Public
50,8.0,Ignored
40,16.0,Private
60,32.0,Public
"""
# Shuffled, with different values per row so that misalignment shows.
SUBMISSION = "row_id,target\n60,30.0\n20,5.0\n50,0\n10,2.5\n40,15.0\n30,1.0\n"
# Mean absolute error per board: Public ids 20, 30, 60 -> (1 + 0 + 2) / 3; Private 10, 40 -> 0.75
PUBLIC_MAE, PRIVATE_MAE = 1.0, 0.75


def metric_file(tmp_path, body: str, name: str = "metric.py"):
    return write(tmp_path / name, textwrap.dedent(body))


@pytest.fixture
def solution_csv(tmp_path):
    return write(tmp_path / "solution.csv", SOLUTION)


@pytest.fixture
def submission_csv(tmp_path):
    return write(tmp_path / "submission.csv", SUBMISSION)


def _score(tmp_path, solution_csv, submission_csv, body: str, **kwargs):
    metric = load_metric_file(metric_file(tmp_path, body))
    solution = prepare_solution(solution_csv, metric=metric)
    return metric, score_submission(solution, submission_csv, metric=metric, **kwargs)


NORMAL = '''
    """Mean absolute error, Kaggle style."""
    import numpy as np

    CALLS = []
    HIGHER_IS_BETTER = False

    def score(solution, submission, row_id_column_name, **kwargs):
        CALLS.append((solution.copy(), submission.copy(), row_id_column_name, kwargs))
        return float(np.mean(np.abs(solution["target"].to_numpy() - submission["target"])))
'''


def test_normal_metric_file(tmp_path, solution_csv, submission_csv):
    metric, result = _score(
        tmp_path, solution_csv, submission_csv, NORMAL, params={"threshold": 0.5}
    )
    assert metric.name == "metric"
    assert metric.description == "Mean absolute error, Kaggle style."
    assert not metric.greater_is_better and metric.direction == "minimize"
    assert result.public_score == pytest.approx(PUBLIC_MAE)
    assert result.private_score == pytest.approx(PRIVATE_MAE)
    assert (result.public_rows, result.private_rows, result.ignored_rows) == (3, 2, 1)

    calls = metric.func.__globals__["CALLS"]
    assert len(calls) == 2  # once per board: public, then private
    for (sol, sub, id_col, kwargs), ids in zip(calls, ([20, 30, 60], [10, 40]), strict=True):
        assert id_col == "row_id"
        assert kwargs == {"threshold": 0.5}
        assert list(sol.columns) == ["row_id", "target"]  # no Usage
        assert list(sub.columns) == ["row_id", "target"]
        assert sol["row_id"].tolist() == ids  # sorted by id...
        assert sub["row_id"].tolist() == ids  # ...and aligned row for row
        assert list(sol.index) == list(sub.index) == list(range(len(ids)))
        assert isinstance(sol, pd.DataFrame) and isinstance(sub, pd.DataFrame)


def test_string_ids_are_sorted_and_aligned(tmp_path):
    solution_csv = write(
        tmp_path / "solution.csv",
        "key,target,Usage\nb-2,1,Public\na-10,2,Private\na-9,3,Public\nc,4,Private\n",
    )
    submission_csv = write(tmp_path / "sub.csv", "key,target\nc,4\na-9,3\nb-2,1\na-10,2\n")
    metric, result = _score(tmp_path, solution_csv, submission_csv, NORMAL)
    assert result.public_score == result.private_score == 0.0
    calls = metric.func.__globals__["CALLS"]
    assert calls[0][0]["key"].tolist() == calls[0][1]["key"].tolist() == ["a-9", "b-2"]
    assert calls[1][0]["key"].tolist() == calls[1][1]["key"].tolist() == ["a-10", "c"]


def test_submission_columns_reach_the_metric_as_written(tmp_path, solution_csv):
    """A custom metric validates for itself: a non-numeric column is not refused by the reader."""
    body = """
        import pandas as pd

        class ParticipantVisibleError(Exception):
            pass

        def score(solution, submission, row_id_column_name):
            if not pd.api.types.is_numeric_dtype(submission["target"]):
                raise ParticipantVisibleError("target must be numeric")
            return 0.0
    """
    sub = write(tmp_path / "sub.csv", SUBMISSION.replace("5.0", "five"))
    with pytest.raises(ScoringError) as info:
        _score(tmp_path, solution_csv, sub, body)
    assert info.value.message == "target must be numeric"


def test_local_participant_visible_error(tmp_path, solution_csv, submission_csv):
    body = """
        class ParticipantVisibleError(Exception):
            pass

        def score(solution, submission, row_id_column_name):
            raise ParticipantVisibleError("Predictions must be sorted by confidence.")
    """
    with pytest.raises(ScoringError) as info:
        _score(tmp_path, solution_csv, submission_csv, body)
    error = info.value
    assert error.participant_visible is True
    assert error.message == "Predictions must be sorted by confidence."
    assert error.code == "participant_visible_error"
    assert "Traceback" in error.detail


def test_subclass_of_a_participant_visible_error(tmp_path, solution_csv, submission_csv):
    body = """
        class ParticipantVisibleError(Exception):
            pass

        class TooFewRows(ParticipantVisibleError):
            pass

        def score(solution, submission, row_id_column_name):
            raise TooFewRows("Too few rows.")
    """
    with pytest.raises(ScoringError) as info:
        _score(tmp_path, solution_csv, submission_csv, body)
    assert info.value.participant_visible and info.value.message == "Too few rows."


def test_scoring_participant_visible_error(tmp_path, solution_csv, submission_csv):
    body = """
        from scoring import ParticipantVisibleError

        def score(solution, submission, row_id_column_name):
            raise ParticipantVisibleError("Use at most 3 labels per row.")
    """
    with pytest.raises(ScoringError) as info:
        _score(tmp_path, solution_csv, submission_csv, body)
    assert info.value.participant_visible is True
    assert info.value.message == "Use at most 3 labels per row."
    assert scoring.ParticipantVisibleError.__name__ == "ParticipantVisibleError"


def test_any_other_exception_is_hidden_from_the_participant(tmp_path, solution_csv, submission_csv):
    body = """
        def score(solution, submission, row_id_column_name):
            raise ValueError("secret threshold is 0.731")
    """
    with pytest.raises(ScoringError) as info:
        _score(tmp_path, solution_csv, submission_csv, body)
    error = info.value
    assert error.message == "Submission Scoring Error"
    assert error.participant_visible is False
    assert error.code == "scoring_error"
    assert "Traceback (most recent call last)" in error.detail
    assert "ValueError: secret threshold is 0.731" in error.detail
    assert "0.731" not in error.message


@pytest.mark.parametrize(
    "returned", ["float('nan')", "float('inf')", "'0.5'", "True", "None", "[0.5]", "np.nan"]
)
def test_a_result_that_is_not_one_finite_number_is_an_error(
    tmp_path, solution_csv, submission_csv, returned
):
    body = f"""
        import numpy as np

        def score(solution, submission, row_id_column_name):
            return {returned}
    """
    with pytest.raises(ScoringError) as info:
        _score(tmp_path, solution_csv, submission_csv, body)
    assert info.value.message == "Submission Scoring Error"
    assert info.value.participant_visible is False
    assert "not a" in info.value.detail


@pytest.mark.parametrize("returned", ["np.float32(0.5)", "np.int64(1)", "1", "0.5"])
def test_numpy_and_integer_results_are_accepted(tmp_path, solution_csv, submission_csv, returned):
    body = f"""
        import numpy as np

        def score(solution, submission, row_id_column_name):
            return {returned}
    """
    _, result = _score(tmp_path, solution_csv, submission_csv, body)
    assert isinstance(result.public_score, float)
    assert result.public_score == float(eval(returned, {"np": np}))


@pytest.mark.parametrize(
    "body, words",
    [
        ("def score(solution, submission, row_id_column_name)\n    return 1\n", ["SyntaxError"]),
        (
            "def metric(solution, submission, row_id_column_name):\n    return 1\n",
            ["must define a function named 'score'"],
        ),
        ("score = 3\n", ["must define a function named 'score'"]),
        ("def score(solution, submission):\n    return 1\n", ["row_id_column_name"]),
        ("import a_module_that_does_not_exist\n", ["ModuleNotFoundError"]),
        ("raise SystemExit(3)\n", ["SystemExit"]),
    ],
    ids=[
        "syntax_error",
        "no_score",
        "score_not_callable",
        "two_arguments",
        "import_error",
        "system_exit",
    ],
)
def test_unloadable_metric_file(tmp_path, body, words):
    path = write(tmp_path / "broken.py", body)
    with pytest.raises(MetricFileError) as info:
        load_metric_file(path)
    assert info.value.code == "metric_file_invalid"
    for word in words:
        assert word in info.value.message, info.value.message


def test_higher_is_better_false_is_respected_and_overridable(tmp_path):
    lower = metric_file(
        tmp_path, "HIGHER_IS_BETTER = False\ndef score(a, b, c):\n    return 1\n", "lower.py"
    )
    assert load_metric_file(lower).greater_is_better is False
    assert load_metric_file(lower).is_better(0.1, 0.2)
    assert load_metric_file(lower, greater_is_better=True).greater_is_better is True
    default = metric_file(tmp_path, "def score(a, b, c):\n    return 1\n", "default.py")
    assert load_metric_file(default).greater_is_better is True
    assert load_metric_file(default, name="my_metric").name == "my_metric"


def test_reloading_an_edited_metric_file_uses_the_new_code(tmp_path, solution_csv, submission_csv):
    path = metric_file(tmp_path, "def score(a, b, c):\n    return 1.0\n")
    first = load_metric_file(path)
    path.write_text("def score(a, b, c):\n    return 2.0\n")
    second = load_metric_file(path)
    solution = prepare_solution(solution_csv, metric=second)
    assert score_submission(solution, submission_csv, metric=second).public_score == 2.0
    assert first.func(None, None, None) == 1.0  # the first Metric keeps its own function


def test_metric_frames_are_copies(tmp_path, solution_csv, submission_csv):
    """A metric that mutates its frames cannot change the next board's or the next call's."""
    body = """
        def score(solution, submission, row_id_column_name):
            value = float((solution["target"] - submission["target"]).abs().sum())
            solution["target"] = 0.0
            submission["target"] = 0.0
            return value
    """
    metric = load_metric_file(metric_file(tmp_path, body))
    solution = prepare_solution(solution_csv, metric=metric)
    first = score_submission(solution, submission_csv, metric=metric)
    again = score_submission(solution, submission_csv, metric=metric)
    assert (first.public_score, first.private_score) == (3.0, 1.5)
    assert (again.public_score, again.private_score) == (3.0, 1.5)
    assert np.isfinite(first.public_score)
