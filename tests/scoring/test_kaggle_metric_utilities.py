"""Kaggle's helper module, as its published metrics use it (scoring/metric_env)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from scoring.custom import install_kaggle_helper
from scoring.metric_env import KAGGLE_METRIC_UTILITIES


@pytest.fixture(scope="module")
def kmu():
    spec = importlib.util.spec_from_file_location("kmu_under_test", KAGGLE_METRIC_UTILITIES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NUMERIC = pd.DataFrame({"a": [0.1, 0.2], "b": [1, 2]})
WITH_BOOLS = pd.DataFrame({"a": [True, False], "b": [1.0, 2.0]})
WITH_TEXT = pd.DataFrame({"a": ["x", "y"], "b": [1.0, 2.0]})


@pytest.mark.parametrize(
    ("message", "solution", "expected"),
    [
        ("Predictions must be sorted", NUMERIC, True),
        ("Expected 3 columns", NUMERIC, False),
        ("Found \u0663 rows", NUMERIC, False),  # any numeric character, not only 0-9
        ("Predictions must be sorted", WITH_TEXT, False),
        ("value was True", WITH_BOOLS, False),
        ("value was FALSE", WITH_BOOLS, False),
        ("value was True", NUMERIC, True),
        ("shapes differ", np.array([1.0, 2.0]), True),
        ("shapes differ", np.array(["a", "b"]), False),
        ("shapes differ", np.array([True, False]), True),
        ("it is true", np.array([True, False]), False),
        ("shapes differ", [1, 2], False),  # neither a frame nor an array: not shown
    ],
)
def test_treat_as_participant_error(kmu, message, solution, expected):
    assert kmu.treat_as_participant_error(message, solution) is expected


def test_safe_call_score_passes_arguments_and_returns_the_score(kmu):
    def metric(solution, submission, *, power):
        return float(((solution - submission) ** power).sum())

    assert kmu.safe_call_score(metric, np.array([1.0, 2.0]), np.array([0.0, 0.0]), power=2) == 5.0


def test_safe_call_score_sorts_errors(kmu):
    class ParticipantVisibleError(Exception):  # a metric file's own class of that name
        pass

    class HostVisibleError(Exception):
        pass

    def raising(exc):
        def metric(solution, submission):
            raise exc

        return metric

    cases = [
        (ParticipantVisibleError("Bad 7"), kmu.ParticipantVisibleError, "Bad 7"),
        (HostVisibleError("secret"), kmu.HostVisibleError, "secret"),
        (ValueError("Input contains NaN"), kmu.ParticipantVisibleError, "Input contains NaN"),
    ]
    for raised, expected, words in cases:
        with pytest.raises(expected) as info:
            kmu.safe_call_score(raising(raised), NUMERIC, NUMERIC)
        assert str(info.value) == words and info.value.__cause__ is raised
    leaky = ValueError("row 17 should be 0.42")
    with pytest.raises(ValueError) as info:
        kmu.safe_call_score(raising(leaky), NUMERIC, NUMERIC)
    assert info.value is leaky  # re-raised as it was
    with pytest.raises(KeyError):
        kmu.safe_call_score(raising(KeyError("x")), WITH_TEXT, WITH_TEXT)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"a": ["0.5", "x"], "b": [0.5, 0.5]}),
            "All target values in submission must be numeric",
        ),
        (
            pd.DataFrame({"a": [-0.1, 0.5], "b": [1.1, 0.5]}),
            "All target values in submission must be at least zero",
        ),
        (
            pd.DataFrame({"a": [0.0, 0.5], "b": [1.5, 0.5]}),
            "All target values in submission must be no greater than one",
        ),
        (
            pd.DataFrame({"a": [0.2, 0.5], "b": [0.2, 0.5]}),
            "Target values in submission do not add to one within all rows",
        ),
        (
            pd.DataFrame({"a": [np.inf, 0.5], "b": [0.0, 0.5]}),
            "All target values in submission must be no greater than one",
        ),
        (
            pd.DataFrame({"a": [0.5, np.nan, 0.5], "b": [0.5, 1.0, 0.5]}),
            "All target values in submission must be finite",
        ),
    ],
    ids=["text", "negative", "above-one", "sum", "infinite", "nan"],
)
def test_verify_valid_probabilities_refuses_with_kaggle_s_words(kmu, frame, message):
    with pytest.raises(kmu.ParticipantVisibleError) as info:
        kmu.verify_valid_probabilities(frame, "submission")
    assert str(info.value) == message


def test_verify_valid_probabilities_accepts_rows_summing_to_one(kmu):
    frame = pd.DataFrame({"a": [0.2, 1.0, 1 / 3], "b": [0.8, 0.0, 2 / 3]})
    assert kmu.verify_valid_probabilities(frame, "solution") is None


def test_offline_the_helper_is_importable_by_its_kaggle_name(monkeypatch):
    monkeypatch.delitem(sys.modules, "kaggle_metric_utilities", raising=False)
    install_kaggle_helper()
    import kaggle_metric_utilities

    assert kaggle_metric_utilities.__file__ == str(KAGGLE_METRIC_UTILITIES)
    assert callable(kaggle_metric_utilities.safe_call_score)
