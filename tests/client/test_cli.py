"""The CLI as a subprocess without a server: it needs no Django, and says clearly what is
wrong with a usage, a missing configuration or an unreachable server."""

from __future__ import annotations

import socket
import subprocess
import sys

from tests.client.conftest import CLIENT_DIR


def test_the_client_imports_nothing_of_the_server():
    code = (
        "import sys, podium_client.cli; "
        "server = ('django', 'podium', 'rest_framework'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in server]; "
        "assert not bad, bad"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(CLIENT_DIR)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_usage_errors_exit_2(cli):
    done = cli("submit", "some-comp")
    assert done.returncode == 2
    assert "required" in done.stderr


def test_no_server_configured_exits_2_and_says_how_to_configure(cli):
    done = cli("competitions")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: No Podium server configured: run `podium login`, or set PODIUM_URL."
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


def test_a_server_that_is_down_exits_8_naming_the_url(cli):
    url = f"http://127.0.0.1:{closed_port()}"
    done = cli("leaderboard", "comp", PODIUM_URL=url, PODIUM_TOKEN="pdm_x")
    assert done.returncode == 8
    assert f"Cannot reach the Podium server at {url} (connection refused)" in done.stderr
    assert "Traceback" not in done.stderr

    as_json = cli("competitions", "--json", PODIUM_URL=url)
    assert as_json.returncode == 8
    assert '"message": "Cannot reach the Podium server' in as_json.stdout
