"""A taken port, said in one line with a free one to use instead: by ``make run`` before it
installs anything (PORT= and PODIUM_PORT), and by ``manage.py podium_run`` before it migrates."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.devserver.ports import free_port_near, port_free, port_taken

ROOT = Path(__file__).resolve().parents[3]
SUGGESTED = re.compile(
    r"^Port (\d+) on 127\.0\.0\.1 is in use by another program\. Port (\d+) is free: "
)


@pytest.fixture
def taken() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def assert_one_line_naming_a_free_port(output: str, port: int) -> None:
    assert "Traceback" not in output, output
    line = output.strip().splitlines()[0]
    found = SUGGESTED.match(line)
    assert found and int(found.group(1)) == port, output
    other = int(found.group(2))
    assert other != port and f"make run PORT={other}" in line
    with socket.socket() as probe:  # actually free: we can listen there ourselves
        probe.bind(("127.0.0.1", other))
        probe.listen()


def test_a_free_port_is_free_and_a_taken_one_names_the_next_free_one(taken):
    assert not port_free("127.0.0.1", taken)
    assert_one_line_naming_a_free_port(port_taken("127.0.0.1", taken), taken)
    with socket.socket() as listener:  # the next port taken too: the one after it is named
        try:
            listener.bind(("127.0.0.1", taken + 1))
        except OSError:
            pytest.skip(f"port {taken + 1} is in use here already")
        listener.listen()
        assert free_port_near("127.0.0.1", taken) > taken + 1
    free = free_port_near("127.0.0.1", taken)
    assert port_free("127.0.0.1", free) and port_taken("127.0.0.1", free) is None


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("how", ["PORT", "PODIUM_PORT"])
def test_make_run_on_a_taken_port_says_so_before_installing(taken, tmp_path, how):
    venv = tmp_path / "venv"  # none yet: a first start would install into it
    argv = ["make", "run", f"VENV={venv}", f"PYTHON={sys.executable}"]
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PODIUM_PORT", "MAKEFLAGS")}
    if how == "PORT":
        argv.append(f"PORT={taken}")
    else:
        env["PODIUM_PORT"] = str(taken)
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert_one_line_naming_a_free_port(done.stderr, taken)
    assert "Installing" not in done.stdout and not venv.exists()


def test_podium_run_on_a_taken_port_says_so_before_migrating(taken, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PODIUM_PORT")},
        "PODIUM_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "podium.config.settings",
        "DJANGO_SECRET_KEY": "a-test-key-" + "x" * 50,
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "podium_run", "--port", str(taken)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert_one_line_naming_a_free_port(done.stderr, taken)
    assert "Database" not in done.stdout  # nothing done before the port was checked
    assert not (tmp_path / "data" / "podium.sqlite3").exists()
