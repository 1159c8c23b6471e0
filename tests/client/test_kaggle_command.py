"""``podium kaggle``: which Python runs the kaggle CLI, and what it is given (the live runs are
in tests/podium/kaggle_compat/test_kaggle_cli.py)."""

from __future__ import annotations

import pytest
from podium_client.commands import kaggle
from podium_client.errors import UsageError


def test_the_kaggle_scripts_interpreter_is_read_from_its_first_line(tmp_path):
    script = tmp_path / "kaggle"
    script.write_text("#!/opt/kaggle-venv/bin/python3\nfrom kaggle.cli import main\n")
    assert kaggle.interpreter_of(str(script)) == "/opt/kaggle-venv/bin/python3"
    script.write_text("#!/usr/bin/env python3\n")
    assert kaggle.interpreter_of(str(script)) == "python3"
    script.write_text("not a script\n")
    (tmp_path / "python").write_text("")
    assert kaggle.interpreter_of(str(script)) == str(tmp_path / "python")
    with pytest.raises(UsageError, match="Cannot run the kaggle CLI"):
        kaggle.interpreter_of(str(tmp_path / "missing"))


def test_the_kaggle_cli_gets_podiums_server_and_key_never_a_kaggle_token(monkeypatch):
    monkeypatch.setenv("KAGGLE_API_TOKEN", "a-real-kaggle-token")
    env = kaggle.kaggle_environment("http://podium.test:8000", "pdm_key", "alice")
    assert env["KAGGLE_API_ENVIRONMENT"] == "LOCALHOST"
    assert (env["KAGGLE_USERNAME"], env["KAGGLE_KEY"]) == ("alice", "pdm_key")
    assert env["PODIUM_KAGGLE_URL"] == "http://podium.test:8000"
    assert "KAGGLE_API_TOKEN" not in env
    assert "http://podium.test:8000" not in kaggle.LAUNCHER  # read from the environment


def test_without_a_key_it_says_to_sign_in(cli):
    done = cli("kaggle", "competitions", "list", PODIUM_URL="http://127.0.0.1:9")
    assert done.returncode == 2 and "Not signed in: run `podium login`" in done.stderr
