"""The starter solutions end to end on CPU, a few epochs each: each writes a valid submission
that beats a constant prediction on the private board, and a reproducible log folder."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import torch

import scoring
from baselines import load_config, run
from baselines.__main__ import main
from baselines.reproducibility import pick_device

pytestmark = pytest.mark.slow

CASES = {  # config, demo dataset, epochs
    "breast_cancer_mlp": ("breast_cancer", 4),
    "diabetes_mlp": ("diabetes", 12),
    "digits_cnn": ("digits", 2),
    "wine_mlp": ("wine", 8),
}


def constant_submission(folder, metric, out):
    sample = pd.read_csv(folder / "sample_submission.csv")
    train = pd.read_csv(folder / "train.csv")
    column = sample.columns[1]
    if metric == "rmse":
        sample[column] = train[column].mean()
    elif metric == "accuracy":
        sample[column] = train[column].mode()[0]
    sample.to_csv(out, index=False)
    return out


def private_score(folder, metric, submission, tmp_path):
    solution = tmp_path / "key" / "solution.csv"
    solution.parent.mkdir(exist_ok=True)
    solution.write_bytes((folder / "solution.csv").read_bytes())
    prepared = scoring.prepare_solution(solution, metric=metric)
    return scoring.score_submission(prepared, submission).private_score


@pytest.mark.parametrize("name", list(CASES))
def test_a_starter_solution_beats_a_constant_on_the_private_board(name, demo_data, tmp_path):
    dataset, epochs = CASES[name]
    folder = demo_data(dataset)
    config = load_config(name, [f"epochs={epochs}", "threads=1"])
    result = run(config, folder, tmp_path / "out")

    assert result.device == "cpu" and result.epochs_run <= epochs
    got = private_score(folder, config.metric, result.submission, tmp_path)
    constant = private_score(
        folder,
        config.metric,
        constant_submission(folder, config.metric, tmp_path / "c.csv"),
        tmp_path,
    )
    metric = scoring.get_metric(config.metric)
    assert metric.is_better(got, constant), (got, constant)


def test_the_log_folder_holds_what_reproduces_the_run(demo_data, tmp_path, capsys):
    folder = demo_data("breast_cancer")
    code = main(
        [
            "run",
            "breast_cancer_mlp",
            "--data",
            str(folder),
            "--out",
            str(tmp_path),
            "--set",
            "epochs=3",
            "--set",
            "keep_best=2",
            "--set",
            "threads=1",
        ]
    )
    assert code == 0
    (log_dir,) = (tmp_path / "logs").iterdir()  # the hyperparameters, then the config's hash
    assert re.fullmatch(r"breast-cancer-mlp-lr0\.001-bs32-ep3-seed42-[0-9a-f]{8}", log_dir.name)
    assert (tmp_path / "submission.csv").exists()
    assert "epochs: 3" in (log_dir / "config.yaml").read_text()
    assert (log_dir / "code" / "baselines" / "runner.py").exists()
    assert (log_dir / "code" / "breast_cancer_mlp.yaml").exists()
    assert "torch==2.13.0" in (log_dir / "packages.txt").read_text()
    lines = [json.loads(line) for line in (log_dir / "metrics.jsonl").read_text().splitlines()]
    assert [line["epoch"] for line in lines] == [1, 2, 3]
    assert {"train/loss", "valid/loss", "valid/roc_auc", "valid/roc_auc_constant"} <= set(lines[0])
    assert list((log_dir / "tensorboard").glob("events.out.tfevents.*"))
    assert len(list((log_dir / "checkpoints").glob("*.pt"))) == 2
    assert json.loads((log_dir / "environment.json").read_text())["seed"] == 42
    assert "epoch   3" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_submission(demo_data, tmp_path):
    folder = demo_data("digits")
    config = load_config("digits_cnn", ["epochs=1", "threads=1"])
    first = run(config, folder, tmp_path / "a").submission.read_text()
    second = run(config, folder, tmp_path / "b").submission.read_text()
    assert first == second


def test_auto_picks_cuda_when_there_is_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto").type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device("auto").type == "cpu"
    with pytest.raises(RuntimeError):
        pick_device("cuda")
