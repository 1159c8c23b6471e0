"""The log folder's name: the hyperparameters, readable, then a short hash of the whole config,
the same on any machine and run, in safe characters only; a rerun of a config replaces its
folder's run outputs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from baselines.config import parse_config
from baselines.logging import prepare_log_dir

REPO = Path(__file__).resolve().parents[2]
TEXT = "name: t\nmetric: accuracy\nmodel: {name: cnn, params: {dropout: 0.2}}\nepochs: 7\n"


def test_the_name_is_the_hyperparameters_then_the_config_hash():
    config = parse_config(TEXT)
    assert re.fullmatch(r"t-cnn-lr0\.001-bs64-ep7-seed42-[0-9a-f]{8}", config.log_name())
    assert config.log_name() == f"{config.run_name()}-{config.config_hash()}"


def test_the_hash_tells_apart_configs_the_hyperparameters_do_not():
    base = parse_config(TEXT)
    other = parse_config(TEXT, ["model.params.dropout=0.5"])
    assert other.run_name() == base.run_name()
    assert other.config_hash() != base.config_hash()
    assert parse_config(TEXT).log_name() == base.log_name()  # the same config, the same name


def test_the_hash_is_the_same_in_another_process():
    code = f"from baselines.config import parse_config\nprint(parse_config({TEXT!r}).log_name())\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == parse_config(TEXT).log_name(), done.stderr


def test_the_name_keeps_to_safe_characters():
    config = parse_config("name: 'my comp/ä b'\nmetric: accuracy\n")
    assert re.fullmatch(r"[A-Za-z0-9._=-]+", config.log_name())
    assert config.log_name().startswith("my_comp_b-mlp-")


def test_a_staged_config_names_its_stage_count_first_rate_and_total_epochs():
    config = parse_config(
        "name: t\nmetric: accuracy\nstages:\n"
        "  - {epochs: 2, optimizer: {lr: 0.003}}\n  - {epochs: 5}\n"
    )
    assert config.log_name().startswith("t-mlp-st2-lr0.003-bs64-ep7-seed42-")


def test_a_rerun_of_the_same_config_replaces_the_last_runs_outputs(tmp_path):
    config = parse_config(TEXT)
    folder = prepare_log_dir(config, tmp_path)
    (folder / "metrics.jsonl").write_text('{"epoch": 1}\n')
    (folder / "checkpoints").mkdir()
    (folder / "checkpoints" / "epoch001.pt").write_bytes(b"old")
    (folder / "notes.txt").write_text("mine")  # not a run output: left alone

    again = prepare_log_dir(config, tmp_path)

    assert again == folder
    assert not (folder / "metrics.jsonl").exists() and not (folder / "checkpoints").exists()
    assert (folder / "notes.txt").read_text() == "mine"
    assert parse_config((folder / "config.yaml").read_text()) == config
    assert (folder / "code" / "baselines" / "config.py").exists()
