"""podium.config.gunicorn as gunicorn itself reads it (``--print-config``, a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PLATFORM_DIR = Path(__file__).resolve().parents[3] / "platform"
_KEYS = ("workers", "threads", "worker_class", "timeout", "graceful_timeout", "bind")
_KEYS += ("worker_tmp_dir", "wsgi_app", "accesslog", "access_log_format", "max_requests")


def _config(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_WEB_")}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:podium.config.gunicorn", "--print-config"],
        cwd=PLATFORM_DIR,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in _KEYS:
            found[key.strip()] = value.strip()
    return found


def test_defaults_are_threaded_workers_with_a_request_id_in_the_access_log():
    config = _config()
    assert config["wsgi_app"] == "podium.config.wsgi:application"
    assert config["worker_class"] == "podium.config.gunicorn_worker.SplitThreadWorker"
    assert (config["workers"], config["threads"]) == ("4", "8")
    assert (config["timeout"], config["graceful_timeout"]) == ("120", "30")
    assert config["bind"] == "['0.0.0.0:8000']"
    assert config["accesslog"] == "-"
    assert "%(M)sms" in config["access_log_format"]
    assert "%({x-request-id}o)s" in config["access_log_format"]
    assert config["worker_tmp_dir"] == ("/dev/shm" if os.path.isdir("/dev/shm") else "None")


def test_the_environment_sets_it_and_one_thread_means_sync_workers():
    config = _config(
        PODIUM_WEB_WORKERS="3",
        PODIUM_WEB_THREADS="1",
        PODIUM_WEB_TIMEOUT="30",
        PODIUM_WEB_GRACEFUL_TIMEOUT="7",
        PODIUM_WEB_BIND="127.0.0.1:9001",
        PODIUM_WEB_ACCESS_LOG="",
        PODIUM_WEB_MAX_REQUESTS="1000",
    )
    assert config["worker_class"] == "sync"
    assert (config["workers"], config["threads"]) == ("3", "1")
    assert (config["timeout"], config["graceful_timeout"]) == ("30", "7")
    assert config["bind"] == "['127.0.0.1:9001']"
    assert config["accesslog"] == "None"
    assert config["max_requests"] == "1000"


def test_a_wrong_value_names_its_variable():
    env = {**os.environ, "PODIUM_WEB_WORKERS": "four"}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:podium.config.gunicorn", "--print-config"],
        cwd=PLATFORM_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "PODIUM_WEB_WORKERS must be a whole number" in done.stdout + done.stderr
