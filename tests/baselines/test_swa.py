"""SWA over the N best checkpoints: the weights averaged, BatchNorm recomputed, both evaluated on
the validation rows, the averaged model submitted when it is not worse."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from baselines import data as data_module
from baselines import load_config, run
from baselines.config import ConfigError, parse_config
from baselines.models import build_model
from baselines.swa import average_state_dicts, recompute_batchnorm


def test_floating_weights_are_averaged_and_counters_kept():
    states = [
        {"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(5)},
        {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(9)},
    ]
    averaged = average_state_dicts(states)
    assert torch.equal(averaged["w"], torch.tensor([2.0, 4.0]))
    assert averaged["n"].item() == 5 and averaged["n"].dtype == states[0]["n"].dtype


def test_batchnorm_statistics_are_recomputed_on_the_rows_given():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    X = torch.randn(500, 3) * 4 + 7
    recompute_batchnorm(model, X, torch.device("cpu"), batch_size=100)  # equal batches
    with torch.no_grad():
        hidden = model[0](X)
    assert torch.allclose(model[1].running_mean, hidden.mean(0), atol=1e-4)
    # the mean of the batches' variances: close to the rows' variance
    assert torch.allclose(model[1].running_var, hidden.var(0), rtol=5e-2)


def test_swa_averages_no_more_than_the_checkpoints_kept():
    with pytest.raises(ConfigError, match=r"swa.best: between 2 and keep_best \(3\)"):
        parse_config("name: t\nmetric: accuracy\nswa: {best: 4}\n")
    assert parse_config("name: t\nmetric: accuracy\nswa: {best: 3}\n").swa.best == 3


def _test_predictions(config, folder, weights):
    prepared = data_module.load(config, folder)
    model = build_model(
        config.model.name, prepared.input_shape, prepared.n_outputs, config.model.params
    )
    model.load_state_dict(weights)
    model.eval()
    with torch.no_grad():
        classes = model(prepared.X_test).argmax(1).numpy()
    return prepared.classes[classes]


@pytest.mark.slow
def test_swa_of_the_best_checkpoints_is_not_worse_on_the_digits_starter(demo_data, tmp_path):
    folder = demo_data("digits")
    config = load_config("digits_cnn", ["epochs=4", "threads=1", "swa={best: 3}"])
    result = run(config, folder, tmp_path)

    swa = result.swa
    assert swa["metric"] == "valid/accuracy" and len(swa["epochs"]) == 3
    assert swa["batchnorm_recomputed"] is True
    assert swa["swa"] >= swa["best_single"], swa  # the figures in the report
    assert swa["used"] == "swa"
    assert json.loads((result.log_dir / "swa.json").read_text()) == swa
    # The submission is the averaged model's.
    saved = torch.load(result.log_dir / "checkpoints" / "swa.pt", weights_only=True)
    assert saved["epochs"] == swa["epochs"]
    submitted = pd.read_csv(result.submission)["label"].to_numpy()
    assert np.array_equal(submitted, _test_predictions(config, folder, saved["model"]))


@pytest.mark.slow
def test_a_worse_average_leaves_the_best_checkpoint_in_the_submission(
    demo_data, tmp_path, monkeypatch
):
    folder = demo_data("digits")
    plain = run(load_config("digits_cnn", ["epochs=2", "threads=1"]), folder, tmp_path / "a")

    def ruined(states):  # an average that forgot everything
        return {
            k: torch.zeros_like(v) if v.is_floating_point() else v for k, v in states[0].items()
        }

    monkeypatch.setattr("baselines.swa.average_state_dicts", ruined)
    config = load_config("digits_cnn", ["epochs=2", "threads=1", "keep_best=2", "swa={best: 2}"])
    result = run(config, folder, tmp_path / "b")

    assert result.swa["used"] == "best_single"
    assert result.swa["swa"] < result.swa["best_single"] == plain.best["valid/accuracy"]
    assert not (result.log_dir / "checkpoints" / "swa.pt").exists()
    assert result.submission.read_text() == plain.submission.read_text()
