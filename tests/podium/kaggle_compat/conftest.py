"""The kaggle protocol's tests: the Django test client for each method, and the real kaggle CLI
(``$PODIUM_KAGGLE_CLI``, installed by .ci/run in its own virtual environment) as a subprocess
against pytest-django's ``live_server`` with a real ``celery worker`` (the e2e fixtures,
imported here as tests/client/conftest.py does)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from tests.podium.e2e.conftest import backend, e2e, pytest_pyfunc_call  # noqa: F401

SERVICE = "competitions.CompetitionApiService"


def podium_status(response) -> int:
    """The status Podium refused with: the HTTP one, or the body's ``podiumStatus`` where it
    was sent as 400 for the kaggle CLI to print the message alone (``protocol.printed_status``),
    which this checks too."""
    body = response.json()
    if "podiumStatus" not in body:
        canned = response.status_code in (401, 403, 404) or (
            response.status_code == 429 and body.get("podiumCode") != "throttled"
        )
        assert not canned or response.request["REQUEST_METHOD"] == "PUT", body  # the upload's
        return response.status_code
    assert response.status_code == body["code"] == 400, body
    return body["podiumStatus"]


def basic(username: str, key: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{key}".encode()).decode()


class Kaggle:
    """Calls as kagglesdk makes them: POST /api/v1/<Service>/<Method>, a JSON body."""

    def __init__(self, authorization: str | None = None) -> None:
        self.client = Client()
        self.authorization = authorization

    def headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": self.authorization} if self.authorization else {}

    def call(self, method: str, body: dict | None = None, service: str = SERVICE):
        return self.client.post(
            f"/api/v1/{service}/{method}",
            data=json.dumps(body or {}),
            content_type="application/json",
            **self.headers(),
        )

    def get(self, url: str):
        return self.client.get(url, **self.headers())

    def put(self, url: str, data: bytes):
        return self.client.put(url, data=data, content_type="application/octet-stream")


@pytest.fixture
def kaggle_as():
    """``kaggle_as(user)``: a caller with a fresh API key of ``user`` (HTTP Basic)."""
    from podium.accounts.tokens import api_token_create

    def make(user, scheme: str = "basic") -> Kaggle:
        _, key = api_token_create(user=user, name="kaggle")
        auth = basic(user.username, key) if scheme == "basic" else f"Bearer {key}"
        caller = Kaggle(auth)
        caller.key = key
        return caller

    return make


KAGGLE_VARIABLE = "PODIUM_KAGGLE_CLI"
CLIENT_DIR = Path(__file__).resolve().parents[3] / "client"
if str(CLIENT_DIR) not in sys.path:  # podium_client's launcher, for the Bearer test
    sys.path.insert(0, str(CLIENT_DIR))


@dataclass
class KaggleCli:
    """``podium kaggle ...`` in a subprocess: the real kaggle CLI, launched by podium's."""

    env: dict[str, str]
    cwd: Path

    def __call__(self, *args, **env) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "podium_client", "kaggle", *map(str, args)],
            cwd=self.cwd,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture
def kaggle_cli(tmp_path) -> KaggleCli:
    program = os.environ.get(KAGGLE_VARIABLE)
    if not program:
        pytest.skip(
            f"needs the official kaggle CLI: set {KAGGLE_VARIABLE} to its `kaggle` program "
            "(.ci/run installs kaggle==2.2.5 in .ci/kaggle-venv)"
        )
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PODIUM_", "DJANGO_", "PYTEST_", "CELERY_", "DATABASE_", "KAGGLE_"))
    }
    env.update(
        PYTHONPATH=str(CLIENT_DIR),
        HOME=str(home),
        PODIUM_CONFIG=str(home / "podium.json"),
        PYTHONUNBUFFERED="1",
        **{KAGGLE_VARIABLE: program},
    )
    env.pop("XDG_CONFIG_HOME", None)
    return KaggleCli(env, tmp_path)
