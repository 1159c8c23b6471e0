"""The registry: lookup, errors, listing, directions, duplicates and entry-point plugins."""

from __future__ import annotations

import inspect
import logging
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring.errors import UnknownMetricError
from scoring.metrics import (
    Metric,
    MetricNameTaken,
    PredictionKind,
    get_metric,
    list_metrics,
    metric,
    register_metric,
    registry,
)

REPO = Path(__file__).resolve().parents[3]

BUILT_INS = {
    # name: greater_is_better
    "accuracy": True, "balanced_accuracy": True, "f1": True, "f1_micro": True, "f1_macro": True,
    "f1_weighted": True, "precision": True, "recall": True, "precision_macro": True,
    "recall_macro": True, "mcc": True, "quadratic_weighted_kappa": True, "log_loss": False,
    "multiclass_log_loss": False, "roc_auc": True, "roc_auc_ovr": True,
    "average_precision": True, "normalized_gini": True, "mse": False, "rmse": False,
    "mae": False, "rmsle": False, "mape": False, "r2": True, "pearson": True, "spearman": True,
    "map_at_k": True, "dice": True, "iou": True,
}  # fmt: skip

# A small valid input of each kind, with the parameters the scorer passes.
SAMPLES = {
    PredictionKind.LABEL: (np.array([0, 1, 2, 1]), np.array([0, 2, 2, 1]), {"n_classes": 3}),
    PredictionKind.BINARY_SCORE: (
        np.array([0, 1, 1, 0], dtype=np.int8), np.array([0.1, 0.8, 0.3, 0.3]), {}),
    PredictionKind.PROBABILITY: (
        np.array([0, 1, 1, 0], dtype=np.int8), np.array([0.1, 0.8, 0.3, 0.0]), {}),
    PredictionKind.CLASS_PROBABILITIES: (
        np.array([0, 1, 2]), np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 0.6], [0, 0, 1.0]]),
        {"n_classes": 3}),
    PredictionKind.CONTINUOUS: (np.array([1.0, 2.0, 4.0]), np.array([1.5, 2.0, 3.0]), {}),
    PredictionKind.RANKED_LIST: ([["a", "b"], ["c"]], [["b", "x", "a"], ["c"]], {}),
    PredictionKind.RLE_MASK: (
        [np.array([[1, 3]]), np.empty((0, 2), np.int64)],
        [np.array([[2, 3]]), np.empty((0, 2), np.int64)], {}),
}  # fmt: skip


@pytest.fixture
def clean_registry(monkeypatch):
    """A private copy of the registry, with entry points not yet loaded."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    return registry._REGISTRY


@pytest.fixture
def no_plugins(clean_registry, monkeypatch):
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: [])
    return clean_registry


def test_every_built_in_is_registered_with_its_direction(no_plugins):
    names = {m.name for m in list_metrics()}
    assert names == set(BUILT_INS)
    for name, greater in BUILT_INS.items():
        m = get_metric(name)
        assert m.name == name and m.greater_is_better is greater
        assert m.direction == ("maximize" if greater else "minimize")
        assert m.is_better(1.0, 0.5) is greater
        assert m.description and len(m.description) <= 100


def test_list_metrics_is_sorted_by_name(no_plugins):
    names = [m.name for m in list_metrics()]
    assert names == sorted(names)


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_each_metric_returns_a_finite_python_float(no_plugins, name):
    m = get_metric(name)
    y_true, y_pred, params = SAMPLES[m.kind]
    value = m(y_true, y_pred, **params)
    assert type(value) is float and math.isfinite(value)
    assert type(m.func(y_true, y_pred, **{**m.default_params, **params})) is float


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_signatures_are_explicit(no_plugins, name):
    m = get_metric(name)
    params = inspect.signature(m.func).parameters
    assert not any(p.kind is p.VAR_KEYWORD for p in params.values())
    if m.kind is PredictionKind.LABEL:
        assert params["n_classes"].kind is inspect.Parameter.KEYWORD_ONLY
    if name in {"f1", "precision", "recall"}:
        assert params["pos_label"].default == 1


def test_special_parameters(no_plugins):
    assert get_metric("rmsle").value_range == (0.0, float("inf"))
    assert get_metric("map_at_k").default_params == {"k": 5}


def test_unknown_name_lists_valid_names_and_suggests_a_close_one(no_plugins):
    with pytest.raises(UnknownMetricError) as info:
        get_metric("roc_acu")
    err = info.value
    assert "Did you mean 'roc_auc'?" in str(err)
    assert err.valid == sorted(BUILT_INS)
    assert all(name in str(err) for name in BUILT_INS)
    assert isinstance(err, KeyError)


def test_unknown_name_without_a_close_match(no_plugins):
    with pytest.raises(UnknownMetricError) as info:
        get_metric("zzzzzzzz")
    assert "Did you mean" not in str(info.value)


def test_registering_a_duplicate_name_fails(no_plugins):
    with pytest.raises(MetricNameTaken, match="already registered") as info:

        @metric("accuracy", greater_is_better=True, kind="label")
        def accuracy_again(y_true, y_pred, *, n_classes):
            return 1.0

    # the message names both: the built-in that stays and the one refused
    assert "scoring.metrics.classification.accuracy" in str(info.value)
    assert "accuracy_again" in str(info.value) and "replace=True" in str(info.value)
    assert isinstance(info.value, ValueError) and info.value.name == "accuracy"
    assert get_metric("accuracy").func.__name__ == "accuracy"
    with pytest.raises(MetricNameTaken):
        register_metric(Metric("accuracy", lambda t, p: 0.0, True, PredictionKind.LABEL))
    assert get_metric("accuracy").func.__name__ == "accuracy"
    replacement = Metric("accuracy", lambda t, p: 0.0, True, PredictionKind.LABEL)
    assert register_metric(replacement, replace=True) is get_metric("accuracy")


def test_the_decorator_replaces_only_when_told(no_plugins):
    @metric("rmse", greater_is_better=False, kind="continuous", replace=True)
    def my_rmse(y_true, y_pred):
        return 0.0

    assert get_metric("rmse").func is my_rmse


def test_decorator_takes_the_description_from_the_docstring(no_plugins):
    @metric("doc_metric", greater_is_better=False, kind="continuous")
    def doc_metric(y_true, y_pred):
        """Mean something.

        Details nobody reads in a list.
        """
        return 0.0

    assert get_metric("doc_metric").description == "Mean something."
    assert get_metric("doc_metric").kind is PredictionKind.CONTINUOUS


class FakeEntryPoint:
    def __init__(self, name, obj):
        self.name, self.obj = name, obj

    def load(self):
        if isinstance(self.obj, Exception):
            raise self.obj
        return self.obj


def _plugin_metric(name: str) -> Metric:
    return Metric(name, lambda t, p: 0.5, False, PredictionKind.CONTINUOUS, "A plugin metric")


def test_entry_point_plugins_are_loaded_once(clean_registry, monkeypatch):
    calls = []
    eps = [
        FakeEntryPoint("single", _plugin_metric("plugin_single")),
        FakeEntryPoint("many", [_plugin_metric("plugin_a"), _plugin_metric("plugin_b")]),
        FakeEntryPoint("factory", lambda: _plugin_metric("plugin_factory")),
    ]

    def entry_points(group):
        calls.append(group)
        return eps

    monkeypatch.setattr(registry.metadata, "entry_points", entry_points)
    assert get_metric("plugin_single")(None, None) == 0.5
    names = [m.name for m in list_metrics()]
    assert {"plugin_single", "plugin_a", "plugin_b", "plugin_factory"} <= set(names)
    assert names == sorted(names)
    assert calls == ["podium.metrics"]


def test_a_broken_plugin_does_not_break_lookup(clean_registry, monkeypatch, caplog):
    eps = [
        FakeEntryPoint("broken", ImportError("no module named nowhere")),
        FakeEntryPoint("bad_factory", lambda: 1 / 0),
        FakeEntryPoint("good", _plugin_metric("plugin_good")),
    ]
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: eps)
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        assert get_metric("roc_auc").name == "roc_auc"
    assert get_metric("plugin_good").name == "plugin_good"
    assert "broken" in caplog.text and "bad_factory" in caplog.text


def test_a_plugin_never_silently_replaces_a_built_in(clean_registry, monkeypatch, caplog):
    """A plugin metric named like a built-in (or like an earlier plugin's) is refused and logged
    with both origins; the built-in stays, and the plugin's other metrics load."""
    eps = [
        FakeEntryPoint("shadow", [_plugin_metric("rmse"), _plugin_metric("plugin_kept")]),
        FakeEntryPoint("first", _plugin_metric("plugin_twice")),
        FakeEntryPoint("second", _plugin_metric("plugin_twice")),
    ]
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: eps)
    first = eps[1].obj
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        assert get_metric("rmse").func.__module__ == "scoring.metrics.regression"
    assert get_metric("rmse").greater_is_better is False
    assert get_metric("plugin_kept").name == "plugin_kept"
    assert get_metric("plugin_twice") is first
    assert "shadow" in caplog.text and "'rmse' is already registered" in caplog.text
    assert "second" in caplog.text and "'plugin_twice' is already registered" in caplog.text


def test_a_plugin_replaces_a_built_in_only_explicitly(clean_registry, monkeypatch):
    mine = _plugin_metric("rmse")

    def install():
        register_metric(mine, replace=True)
        return []

    monkeypatch.setattr(
        registry.metadata, "entry_points", lambda group: [FakeEntryPoint("mine", install)]
    )
    assert get_metric("rmse") is mine


def test_importing_metrics_loads_neither_sklearn_nor_scipy():
    code = (
        "import sys, scoring.metrics\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sklearn', 'scipy', 'django'})\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_every_built_in_has_a_display_name_and_a_one_line_description():
    for name in BUILT_INS:
        found = get_metric(name)
        assert found.display_name and found.display_name != name, name
        assert found.label == found.display_name
        assert found.description and "\n" not in found.description, name
        assert len(found.description) <= 120, name
    labels = [get_metric(name).display_name for name in BUILT_INS]
    assert len(set(labels)) == len(labels), "two built-ins read the same"
    assert get_metric("roc_auc").display_name == "ROC AUC"


def test_a_plugin_without_a_display_name_shows_its_name():
    assert _plugin_metric("plugin_plain").label == "plugin_plain"
