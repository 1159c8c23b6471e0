"""The LR finder: an exponential sweep on a copy of the model, a smoothed loss, a stop on
divergence, the curve as CSV and SVG, and the rate of the steepest descent."""

from __future__ import annotations

import csv
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch

from baselines import data as data_module
from baselines import load_config
from baselines.__main__ import main
from baselines.lr_finder import lr_sweep, suggest
from baselines.runner import Runner


def test_the_suggestion_is_the_steepest_descent_before_the_minimum():
    lrs = list(np.logspace(-6, 0, 121))
    # A loss that falls fastest at 1e-3 (a logistic in log10 lr), then blows up past 1e-1.
    smoothed = [2 - 1.5 / (1 + math.exp(-4 * (math.log10(lr) + 3))) for lr in lrs]
    smoothed = [
        v + (50 * (lr - 0.1) if lr > 0.1 else 0) for v, lr in zip(smoothed, lrs, strict=True)
    ]
    assert suggest(lrs, smoothed) == pytest.approx(1e-3, rel=0.15)
    assert suggest(lrs[:2], smoothed[:2]) is None


@pytest.mark.slow
def test_the_sweep_runs_on_a_copy_and_stops_when_the_loss_diverges(demo_data, tmp_path):
    config = load_config("digits_cnn")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    runner = Runner(config, data_module.load(config, demo_data("digits")), [], tmp_path)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}

    finding = lr_sweep(runner, start_lr=1e-4, end_lr=1000.0, steps=60)

    after = runner.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # the model is untouched
    assert runner.optimizer is None and all(p.grad is None for p in runner.model.parameters())
    assert finding.diverged and 20 < len(finding.lrs) < 60
    ratios = np.diff(np.log(finding.lrs))
    assert np.allclose(ratios, math.log(1e7) / 59)  # exponential steps
    assert finding.smoothed[-1] > 4 * min(finding.smoothed[:-1])
    assert 1e-4 < finding.suggested_lr < finding.min_loss_lr < finding.lrs[-1]


@pytest.mark.slow
def test_the_command_writes_the_curve_and_the_suggested_rate(demo_data, tmp_path, capsys):
    out = tmp_path / "lr"
    code = main(
        ["lr-find", "digits_cnn", "--data", str(demo_data("digits")), "--out", str(out)]
        + ["--set", "threads=1", "--steps", "80", "--start", "1e-5", "--end", "10"]
    )
    assert code == 0
    summary = json.loads((out / "lr_find.json").read_text())
    rows = list(csv.DictReader((out / "lr_find.csv").open()))
    assert summary["steps"] == len(rows) <= 80 and summary["stage"] == "main"
    assert [float(r["lr"]) for r in rows] == sorted(float(r["lr"]) for r in rows)
    assert float(rows[0]["lr"]) == pytest.approx(1e-5)
    svg = ET.parse(out / "lr_find.svg").getroot()
    assert svg.tag.endswith("svg")
    assert len(svg.find("{http://www.w3.org/2000/svg}polyline").get("points").split()) == len(rows)
    printed = capsys.readouterr().out
    assert f"suggested lr: {summary['suggested_lr']:.3g}" in printed
    assert float(rows[0]["lr"]) < summary["suggested_lr"] < float(rows[-1]["lr"])


def test_the_command_refuses_a_stage_the_config_does_not_have(demo_data, tmp_path):
    from baselines.config import ConfigError

    with pytest.raises(ConfigError, match="--stage 'warmup': one of main"):
        main(
            ["lr-find", "digits_cnn", "--data", str(demo_data("digits")), "--out", str(tmp_path)]
            + ["--stage", "warmup"]
        )
