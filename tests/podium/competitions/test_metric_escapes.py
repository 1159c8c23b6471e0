"""The escape corpus as an organizer's metric file, against the real sandbox: through the worker
scoring a participant's submission, and through the admin's dry run when the organizer saves the
file. Each attack ends as a failed scoring (or a refused metric) and nothing of the host (the
secret key, the worker's environment, the database, an answer key) shows in what anyone reads;
nothing the metric started outlives it. (Reading another competition's key, /proc/<ppid>, a
socket and the database are in test_metric_sandbox.py.)"""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from podium.competitions.selectors import active_solution
from podium.submissions.models import Submission
from tests.podium.competitions.test_admin_metric import (
    CUSTOM_NAMES,
    change_url,
    file_errors,
    form_data,
    metric_upload,
)
from tests.podium.competitions.test_metric_sandbox import custom_competition, scored
from tests.podium.factories import competition_with_solution, superuser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_ready")]

CANARY = "podium-metric-canary-51e2"
RESULT = "/sandbox/output/result.json"

ATTACKS = {
    "symlink-db": "os.symlink({db!r}, {result!r})\n    os._exit(0)",
    "symlink-key": "os.symlink({key!r}, {result!r})\n    os._exit(0)",
    "symlink-environ": "os.symlink('/proc/self/environ', {result!r})\n    os._exit(0)",
    "symlink-dev-zero": "os.symlink('/dev/zero', {result!r})\n    os._exit(0)",
    "ctypes-symlink-key": (
        "ctypes.CDLL(None).symlink({key!r}.encode(), {result!r}.encode())\n    os._exit(0)"
    ),
    "hardlink-key": "os.link({key!r}, {result!r})\n    os._exit(0)",
    "fifo-result": "os.mkfifo({result!r})\n    os._exit(0)",
    "write-outside": "open({data_dir!r} + '/pwned', 'w').write('x')",
    "ctypes-shell": (
        "ctypes.CDLL(None).system(b'cat /proc/*/environ {db} {key} > /tmp/loot 2>&1; env >> "
        "/tmp/loot')\n    raise ParticipantVisibleError(open('/tmp/loot').read()[-3000:])"
    ),
    "double-fork-setsid": (
        "if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
        "            linger()\n        os._exit(0)\n    raise RuntimeError('forked')"
    ),
    "200-processes": ("for _ in range(200):\n        if os.fork() == 0:\n            linger()"),
    "fill-tmp": (
        "with open('/tmp/fill', 'wb') as f:\n        while True:\n"
        "            f.write(b'x' * 1048576)"
    ),
    "fill-disk": (
        "i = 0\n    while True:\n        with open(f'/sandbox/fill{{i}}', 'wb') as f:\n"
        "            f.write(b'x' * 1048576)\n        i += 1"
    ),
    "result-over-cap": (
        'open({result!r}, \'w\').write(\'{{"public": 1, "private": 1, "x": "\''
        " + 'y' * 4000000 + '\"}}')\n    os._exit(0)"
    ),
}

SURVIVOR = "podium-metric-survivor"  # in the command line of what tries to outlive it
TEMPLATE = """import ctypes, os, sys, time


class ParticipantVisibleError(Exception):
    pass


def linger():
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{survivor}"])


def score(solution, submission, row_id_column_name):
    os.makedirs("/sandbox/output", exist_ok=True)
    {body}
    return 0.5
"""


def _source(attack: str, key: str, marker: str) -> str:
    values = {
        "db": str(connection.settings_dict["NAME"]),
        "key": key,
        "result": RESULT,
        "data_dir": str(settings.DATA_DIR),
    }
    return TEMPLATE.format(body=ATTACKS[attack].format(**values), survivor=marker)


@pytest.fixture
def marker() -> str:
    """This test's own: other tests' metrics may be running at the same time."""
    return f"{SURVIVOR}-{uuid.uuid4().hex}"


def _secrets(key: str) -> list[str]:
    with open(key) as answer:
        rows = answer.read().splitlines()[1:4]
    return [
        settings.SECRET_KEY,
        CANARY,
        "SQLite format 3",
        "pbkdf2",
        "md5$",
        "DATABASE_URL",
        "DJANGO_SETTINGS_MODULE",
        "id,target,Usage",
        *rows,
    ]


def _no_survivor(marker: str) -> None:
    """Nothing the metric started lives on, whatever its uid (other tests' runs may be going)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                started = cmdline.read()
        except OSError:
            continue
        assert marker.encode() not in started, f"the metric's process {pid} lives on"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_as_the_worker_scores_a_submission(attack, marker, monkeypatch):
    monkeypatch.setenv("PODIUM_CANARY", CANARY)
    other = competition_with_solution(rows=40)
    key = active_solution(other).file.path
    competition = custom_competition(_source(attack, key, marker))
    sub = scored(competition)
    assert sub.status == Submission.Status.FAILED, (attack, sub.error_detail)
    assert sub.public_score is None and sub.private_score is None
    seen = f"{sub.error_message}\n{sub.error_detail}"
    for secret in _secrets(key) + _secrets(active_solution(competition).file.path):
        assert secret not in seen, (attack, secret)
    assert not (settings.DATA_DIR / "pwned").exists()
    _no_survivor(marker)


@pytest.mark.parametrize(
    "attack",
    [
        "symlink-key",
        "symlink-environ",
        "ctypes-shell",
        "double-fork-setsid",
        "200-processes",
        "fill-disk",
        "write-outside",
    ],
)
def test_as_the_organizer_saves_it_in_the_admin(attack, marker, client, monkeypatch):
    monkeypatch.setenv("PODIUM_CANARY", CANARY)
    client.force_login(superuser())
    competition = competition_with_solution(rows=40)
    key = active_solution(competition).file.path
    data = form_data(client.get(change_url(competition)))
    data.update(metric="custom", custom_metric_file=metric_upload(_source(attack, key, marker)))
    data.update(CUSTOM_NAMES)
    page = client.post(change_url(competition), data)
    assert page.status_code == 200, "a metric that fails its dry run is never saved"
    errors = "\n".join(file_errors(page))
    assert "The metric failed" in errors, errors
    for secret in _secrets(key):
        assert secret not in errors, (attack, secret)
    competition.refresh_from_db()
    assert competition.metric != "custom" and not competition.custom_metric_file
    assert not (settings.DATA_DIR / "pwned").exists()
    _no_survivor(marker)
