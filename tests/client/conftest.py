"""The podium CLI's tests. The CLI runs as a real subprocess (``python -m podium_client``, with
``client/`` on PYTHONPATH: nothing to install) against pytest-django's ``live_server`` and, for
scoring, a real ``celery worker`` from the e2e fixtures, which are imported here (pytest loads
only the conftest files along a test's path)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.podium.conftest import _media_in_tmp  # noqa: F401 (an autouse fixture)
from tests.podium.e2e.conftest import backend, e2e, pytest_pyfunc_call  # noqa: F401

CLIENT_DIR = Path(__file__).resolve().parents[2] / "client"
if str(CLIENT_DIR) not in sys.path:  # the unit tests import podium_client directly
    sys.path.insert(0, str(CLIENT_DIR))


@dataclass
class Cli:
    """``podium ...`` in a subprocess, with its own config file and no PODIUM_* of the run."""

    env: dict[str, str]
    cwd: Path

    @property
    def config_path(self) -> Path:
        return Path(self.env["PODIUM_CONFIG"])

    def __call__(self, *args, stdin: str | None = None, **env) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "podium_client", *map(str, args)],
            cwd=self.cwd,
            env={**self.env, **env},
            input=stdin or "",
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return done


@pytest.fixture
def cli(tmp_path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PODIUM_", "DJANGO_", "PYTEST_", "CELERY_", "DATABASE_"))
    }
    env.update(
        PYTHONPATH=str(CLIENT_DIR),
        HOME=str(home),
        PODIUM_CONFIG=str(home / "podium.json"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("XDG_CONFIG_HOME", None)
    return Cli(env, tmp_path)


@pytest.fixture
def empty_cache():
    """Throttle counts of one test never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
