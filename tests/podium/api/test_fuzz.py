"""Schemathesis against the live API: generated requests for every operation of /api/schema/
(valid ones and broken ones) find no 5xx, and every response matches the schema (status, body,
content type, headers).

The run is the real ``schemathesis`` CLI against a live server, with a participant's key, on a
world with a competition (``fuzz``), a scored submission and a data file, so that generated
requests reach the views' logic and not only their 404s. Path parameter ``slug`` is pinned to
that competition. Revoking or rotating the key in use would end the run's authentication, so
those two operations are fuzzed in tests/podium/api/test_account.py's cases instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from podium.accounts.services import api_token_create
from tests.podium.factories import competition_with_solution, participant, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
# The checks go in the configuration, not on the command line (which would override the
# per-operation exception below). A multipart upload has no null and no numbers: every field is
# text, so the "null" that schemathesis sends as a negative example of `description` is a valid
# description there. Negative data is checked on every other operation; the upload's refusals
# (no file, too large, wrong columns...) are tested in test_submissions.py.
CONFIG = "\n".join(
    [
        "[parameters]",
        '"path.slug" = "fuzz"',
        "",
        "[checks]",
        "enabled = false",
        *[f"[checks.{name}]\nenabled = true" for name in CHECKS],
        "",
        "[[operations]]",
        'include-operation-id = "submissions_create"',
        "checks.negative_data_rejection.enabled = false",
        "",
    ]
)


def _schemathesis() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    return str(found) if found.exists() else shutil.which("schemathesis") or "schemathesis"


def test_generated_requests_find_no_server_error_and_no_schema_violation(
    live_server, eager, settings, tmp_path
):
    settings.API_RATES = {
        "user": "100000/minute",
        "address": "100000/minute",
        "login": "1000/minute",
    }
    competition = competition_with_solution(slug="fuzz")
    alice = participant(competition, "alice")
    submit(alice, competition)
    _, key = api_token_create(user=alice, name="fuzz")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        _schemathesis(),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Token {key}",
        "--max-examples",
        os.environ.get("PODIUM_FUZZ_EXAMPLES", "10"),
        "--workers",
        "1",
        "--seed",
        "1",
        "--generation-database",
        "none",
        "--exclude-operation-id",
        "tokens_revoke",
        "--exclude-operation-id",
        "tokens_rotate",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-12000:]
    # It really exercised the API: every operation but the two excluded ones was tested.
    assert "No issues found" in output or "passed" in output.lower(), output[-3000:]
