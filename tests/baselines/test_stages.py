"""Training stages in one config: each with its epochs, AdamW, schedule and frozen modules, run
in order by one command; a config without stages runs as one stage from its top-level keys."""

from __future__ import annotations

import json
import textwrap

import pytest
import torch

from baselines import load_config, run
from baselines.config import ConfigError, parse_config

MINIMAL = "name: t\nmetric: accuracy\noptimizer: {lr: 0.001, weight_decay: 0.05}\n"
TWO_STAGES = MINIMAL + textwrap.dedent(
    """
    stages:
      - {name: warmup, epochs: 2, optimizer: {lr: 0.003}, scheduler: {name: constant},
         freeze: features}
      - {epochs: 3, scheduler: {max_lr: 0.02}}
    """
)

# A user's callback that records what each stage did to the weights, in the run's log folder.
PROBE = """
import json

import torch


class Probe:
    def __init__(self):
        self.calls, self.snaps = [], {}

    def _snap(self, runner, when):
        self.snaps[when] = {k: v.detach().clone() for k, v in runner.model.state_dict().items()}

    def on_start(self, runner):
        self.calls.append("start")
        self._snap(runner, "start")

    def on_stage_start(self, runner, stage):
        self.calls.append("stage " + stage.name)
        self._snap(runner, stage.name)

    def on_epoch_end(self, runner, epoch, values):
        self.calls.append(f"epoch {epoch}")

    def on_end(self, runner):
        self.calls.append("end")
        self._snap(runner, "end")
        changed = {
            f"{a}->{b}": sorted(
                k for k, v in self.snaps[a].items()
                if v.is_floating_point() and not torch.equal(v, self.snaps[b][k])
            )
            for a, b in (("start", "full"), ("full", "end"))
        }
        record = {"calls": self.calls, "changed": changed}
        (runner.log_dir / "probe.json").write_text(json.dumps(record))
"""

DIGITS_STAGES = textwrap.dedent(
    """
    name: digits
    metric: accuracy
    data: {scaling: max, image_shape: [1, 8, 8]}
    model: {name: cnn, params: {channels: [8, 16], dropout: 0.2}}
    stages:
      - {name: warmup, epochs: 1, optimizer: {lr: 0.003}, scheduler: {name: constant},
         freeze: [features]}
      - {name: full, epochs: 1, optimizer: {lr: 0.001}}
    batch_size: 64
    valid_fraction: 0.15
    threads: 1
    keep_best: 2
    callbacks: [{path: probe.py, class: Probe}]
    """
)


def test_a_stage_takes_the_top_level_keys_it_does_not_set():
    config = parse_config(TWO_STAGES)
    warmup, second = config.stage_list()
    assert (warmup.name, warmup.epochs, warmup.freeze) == ("warmup", 2, ["features"])
    assert (warmup.optimizer.lr, warmup.optimizer.weight_decay) == (0.003, 0.05)
    assert warmup.scheduler.kind == "constant"
    assert (second.name, second.optimizer.lr, second.scheduler.max_lr) == ("stage2", 0.001, 0.02)
    assert second.scheduler.kind == "onecycle" and second.freeze == []
    assert config.total_epochs == 5


def test_a_config_without_stages_is_one_stage_of_its_top_level_keys():
    config = load_config("digits_cnn")
    (stage,) = config.stage_list()
    assert config.stages is None
    assert (stage.name, stage.epochs, stage.optimizer.lr) == ("main", 15, 0.001)
    assert (stage.scheduler.kind, stage.scheduler.max_lr, stage.freeze) == ("onecycle", 0.01, [])


def test_overrides_reach_a_stage_by_its_index():
    config = parse_config(TWO_STAGES, ["stages.1.epochs=7", "stages.0.optimizer.lr=0.1"])
    assert [s.epochs for s in config.stages] == [2, 7]
    assert config.stages[0].optimizer.lr == 0.1
    with pytest.raises(ConfigError, match="not an index below 2"):
        parse_config(TWO_STAGES, ["stages.2.epochs=1"])


def test_a_staged_config_dumped_to_its_logs_reads_back_the_same():
    import yaml

    config = parse_config(TWO_STAGES)
    again = parse_config(yaml.safe_dump(config.as_dict()))
    assert again == config and again.log_name() == config.log_name()


@pytest.mark.parametrize(
    "text, says",
    [
        (TWO_STAGES + "epochs: 4\n", "with stages, each stage has its own epochs"),
        (MINIMAL + "stages: [{name: a}]\n", "stages[1]: epochs is required"),
        (MINIMAL + "stages: [{epochs: 1, lr: 0.1}]\n", "stages[1]: unknown key(s) lr"),
        (MINIMAL + "stages: [{epochs: 1, name: a}, {epochs: 1, name: a}]\n", "its own name"),
        (MINIMAL + "stages: [{epochs: 1, name: 'a b'}]\n", "letters, digits"),
        (MINIMAL + "stages: [{epochs: 1, scheduler: {name: cosine}}]\n", "onecycle, constant"),
        (MINIMAL + "stages: []\n", "a list of stages"),
    ],
)
def test_a_bad_stage_says_which_key(text, says):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert says in str(caught.value)


@pytest.mark.slow
def test_one_command_runs_every_stage_freezing_what_each_says(demo_data, tmp_path):
    (tmp_path / "probe.py").write_text(PROBE)
    (tmp_path / "config.yaml").write_text(DIGITS_STAGES)
    config = load_config(tmp_path / "config.yaml")
    result = run(config, demo_data("digits"), tmp_path / "out", config_dir=tmp_path)

    assert result.stages == ["warmup", "full"] and result.epochs_run == 2
    probe = json.loads((result.log_dir / "probe.json").read_text())
    assert probe["calls"] == ["start", "stage warmup", "epoch 1", "stage full", "epoch 2", "end"]
    # The warm-up trained the head only: the frozen convolutions and their BatchNorm statistics
    # are as they started; the full stage trained them.
    warmup, full = probe["changed"]["start->full"], probe["changed"]["full->end"]
    assert warmup == ["head.2.bias", "head.2.weight"]
    assert {"features.0.weight", "features.1.running_mean", "head.2.weight"} <= set(full)

    lines = [json.loads(x) for x in (result.log_dir / "metrics.jsonl").read_text().splitlines()]
    assert [(x["epoch"], x["stage"]) for x in lines] == [(1, "warmup"), (2, "full")]
    assert lines[0]["lr"] == pytest.approx(0.003)  # constant: the stage's own rate
    names = sorted(p.name for p in (result.log_dir / "checkpoints").glob("*.pt"))
    assert names == ["full-epoch002.pt", "warmup-epoch001.pt"]
    saved = torch.load(result.log_dir / "checkpoints" / names[0], weights_only=True)
    assert saved["stage"] == "full" and saved["epoch"] == 2
    assert "-st2-lr0.003-bs64-ep2-seed42-" in result.log_dir.name


def test_a_freeze_that_names_no_module_says_which_modules_there_are():
    from baselines.models import build_model
    from baselines.stages import apply_freeze

    model = build_model("cnn", (1, 8, 8), 10, {})
    stage = parse_config(MINIMAL + "stages: [{epochs: 1, freeze: [encoder]}]\n").stages[0]
    with pytest.raises(ConfigError, match="encoder names no module.*features, head"):
        apply_freeze(model, stage)
    stage.freeze = ["features", "head"]
    with pytest.raises(ConfigError, match="nothing trains"):
        apply_freeze(model, stage)
    stage.freeze = ["head.2"]
    frozen = apply_freeze(model, stage)
    assert [n for n, p in model.named_parameters() if not p.requires_grad] == [
        "head.2.weight",
        "head.2.bias",
    ]
    assert len(frozen) == 1
