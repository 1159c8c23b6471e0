"""Callbacks users write themselves: named by the config, loaded from a file next to it, any
subset of the hooks; the bundled example runs as the docs show it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baselines import load_config, run
from baselines.config import ConfigError, parse_config
from baselines.user_callbacks import load_user_callbacks

EXAMPLES = Path(__file__).resolve().parents[2] / "baselines" / "examples"


def _config(callback: str) -> str:
    return f"name: t\nmetric: accuracy\ncallbacks: [{callback}]\n"


@pytest.mark.slow
def test_the_example_config_runs_its_stages_and_the_users_callback(demo_data, tmp_path, capsys):
    config = load_config(
        EXAMPLES / "digits_stages.yaml",
        ["stages.0.epochs=1", "stages.1.epochs=2", "threads=1", "callbacks.0.params.every=5"],
    )
    result = run(config, demo_data("digits"), tmp_path, config_dir=EXAMPLES)

    printed = capsys.readouterr().out
    assert "PrintLR: every 5 batches" in printed
    assert "PrintLR: stage warmup starts at lr 0.003" in printed
    assert "PrintLR: stage full starts at lr" in printed and "PrintLR: step 5 lr" in printed
    lines = [json.loads(x) for x in (result.log_dir / "metrics.jsonl").read_text().splitlines()]
    assert [x["stage"] for x in lines] == ["warmup", "full", "full"]
    assert all("lr/last_batch" in x for x in lines)  # a value the callback added is logged
    assert (result.log_dir / "code" / "print_lr.py").read_text() == (
        EXAMPLES / "print_lr.py"
    ).read_text()
    assert result.swa is not None and result.submission.exists()


def test_a_callback_may_end_the_stage(demo_data, tmp_path):
    (tmp_path / "stopper.py").write_text(
        "class StopAfterOne:\n"
        "    def on_epoch_end(self, runner, epoch, values):\n"
        "        runner.stop_training = runner.stage.name == 'first'\n"
    )
    (tmp_path / "c.yaml").write_text(
        "name: wine\nmetric: multiclass_log_loss\ndata: {target: cultivar}\n"
        "model: {params: {hidden: [8]}}\nthreads: 1\n"
        "stages: [{name: first, epochs: 5}, {name: second, epochs: 2}]\n"
        "callbacks: [{path: stopper.py, class: StopAfterOne}]\n"
    )
    result = run(
        load_config(tmp_path / "c.yaml"), demo_data("wine"), tmp_path / "out", config_dir=tmp_path
    )
    assert result.stages == ["first", "second", "second"]


@pytest.mark.parametrize(
    "source, spec, says",
    [
        (None, "{path: none.py, class: A}", "no file none.py next to the config"),
        ("class B:\n    def on_end(self, r): pass\n", "{path: cb.py, class: A}", "no class A"),
        (
            "class A:\n    def on_end(self, r): pass\n",
            "{path: cb.py, class: A, params: {every: 3}}",
            "params: A:",
        ),
        ("class A:\n    pass\n", "{path: cb.py, class: A}", "none of the hooks"),
    ],
)
def test_a_callback_that_cannot_be_built_says_why(tmp_path, source, spec, says):
    from baselines.user_callbacks import callback_files

    if source is not None:
        (tmp_path / "cb.py").write_text(source)
    config = parse_config(_config(spec))
    with pytest.raises(ConfigError) as caught:
        callback_files(config, tmp_path)
        load_user_callbacks(config, tmp_path)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    "spec, says",
    [
        ("{path: /etc/x.py, class: A}", "a relative path inside the config's folder"),
        ("{path: ../x.py, class: A}", "a relative path inside the config's folder"),
        ("{path: x.txt, class: A}", "a .py file"),
        ("{path: x.py, class: 'not a name'}", "class name"),
        ("{path: x.py, class: A, hooks: [on_end]}", "unknown key(s) hooks"),
    ],
)
def test_the_server_refuses_a_callback_entry_it_could_never_load(spec, says):
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(spec))
    assert says in str(caught.value)


def test_the_example_file_is_what_the_docs_name():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "baselines.md").read_text()
    assert "baselines/examples/print_lr.py" in docs and "class PrintLR" in docs
