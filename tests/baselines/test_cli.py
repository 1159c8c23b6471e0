"""``python -m baselines --help`` describes the commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from baselines.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def test_help_names_every_command(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for words in ("run ", "lr-find", "list", "stages", "suggested rate", "examples:"):
        assert words in text, words


def test_the_module_runs_as_the_kernels_call_it():
    done = subprocess.run(
        [sys.executable, "-m", "baselines", "lr-find", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--steps" in done.stdout and "--stage" in done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "baselines", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "digits_cnn" in listed.stdout.split()
