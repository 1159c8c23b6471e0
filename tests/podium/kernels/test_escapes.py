"""The escape corpus: each attack that once worked against a running server, tried again as a
participant through the API and as an organizer through the admin, against the real sandbox.

Each one must end as a failed run with a named failure class, and nothing of the host (the
secret key, the worker's environment, the database, an answer key) may show in the run's
output, log, artifacts or messages. The same attacks as an organizer's metric file live in
tests/podium/competitions/.
"""

from __future__ import annotations

import io
import os
import socket
import zipfile

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from rest_framework.test import APIClient

from podium.competitions.answer_keys import key_path
from podium.competitions.selectors import active_solution
from podium.core.sandbox import uids
from podium.kernels.error_codes import KernelFailure as F
from podium.kernels.models import KernelRun, KernelSettings
from podium.kernels.selectors import run_log_text
from tests.podium.factories import participant, superuser
from tests.podium.kernels.helpers import demo_competition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_ready")]

CANARY = "podium-canary-7f3a9c"  # in the worker's environment: must never come out

SYMLINK = "import os\nos.makedirs('output', exist_ok=True)\nos.symlink({target!r}, {link!r})\n"
CTYPES_SYMLINK = (
    "import ctypes\nctypes.CDLL(None).symlink({target!r}.encode(), {link!r}.encode())\n"
)

ATTACKS = {
    # links out of output/ and the artifacts folder, made with os and with ctypes
    "symlink-db": (SYMLINK, {"target": "{db}", "link": "output/submission.csv"}, F.UNSAFE_OUTPUT),
    "symlink-key": (SYMLINK, {"target": "{key}", "link": "output/submission.csv"}, F.UNSAFE_OUTPUT),
    "symlink-environ": (
        SYMLINK,
        {"target": "/proc/self/environ", "link": "output/submission.csv"},
        F.UNSAFE_OUTPUT,
    ),
    "symlink-dev-zero": (
        SYMLINK,
        {"target": "/dev/zero", "link": "output/submission.csv"},
        F.UNSAFE_OUTPUT,
    ),
    "symlink-artifact": (
        "import os\nos.makedirs('output/logs')\nos.symlink({key!r}, 'output/logs/train.log')\n"
        "open('output/submission.csv', 'w').write('id,malignant\\n')\n",
        {},
        F.UNSAFE_OUTPUT,
    ),
    "ctypes-symlink-key": (
        CTYPES_SYMLINK,
        {"target": "{key}", "link": "output/submission.csv"},
        F.UNSAFE_OUTPUT,
    ),
    "ctypes-symlink-environ": (
        CTYPES_SYMLINK,
        {"target": "/proc/1/environ", "link": "output/logs.txt"},
        F.UNSAFE_OUTPUT,
    ),
    "hardlink-key": ("import os\nos.link({key!r}, 'output/submission.csv')\n", {}, F.EXCEPTION),
    "hardlink-inside": (
        "import os, shutil\nshutil.copy('input/sample_submission.csv', 'output/a.csv')\n"
        "os.link('output/a.csv', 'output/submission.csv')\n",
        {},
        F.UNSAFE_OUTPUT,
    ),
    "fifo": ("import os\nos.mkfifo('output/submission.csv')\n", {}, F.UNSAFE_OUTPUT),
    # reading the host
    "sqlite-db": (
        "import sqlite3\nc = sqlite3.connect({db!r})\n"
        "print(c.execute('select * from auth_user').fetchall())\n",
        {},
        F.EXCEPTION,
    ),
    "proc-ppid-environ": (
        "import os\nprint(open(f'/proc/{{os.getppid()}}/environ').read())\n",
        {},
        F.EXCEPTION,
    ),
    "proc-walk": (
        "import os\nfor p in os.listdir('/proc'):\n    if p.isdigit():\n"
        "        print(open(f'/proc/{{p}}/environ').read())\n",
        {},
        F.EXCEPTION,
    ),
    "ctypes-shell": (
        "import ctypes\nctypes.CDLL(None).system(b'cat /proc/*/environ {db} {key} "
        "> output/submission.csv 2>&1; env >> output/submission.csv')\n",
        {},
        F.OUTPUT_REFUSED,
    ),
    "socket": (
        "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "print('CONNECTED')\n",
        {},
        F.EXCEPTION,
    ),
    "write-outside": ("open({data_dir!r} + '/pwned', 'w').write('x')\n", {}, F.EXCEPTION),
    "write-etc": ("open('/etc/pwned', 'w').write('x')\n", {}, F.EXCEPTION),
    # outliving the run, and the budgets
    "double-fork-setsid": (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        time.sleep(600)\n    os._exit(0)\nprint('parent done')\n",
        {},
        F.OUTPUT_NOT_FOUND,
    ),
    "200-processes": (
        "import os, time\nfor _ in range(200):\n    if os.fork() == 0:\n        time.sleep(600)\n",
        {},
        F.PROCESS_LIMIT,
    ),
    "fill-tmp": (
        "with open('/tmp/fill', 'wb') as f:\n    while True:\n        f.write(b'x' * 1048576)\n",
        {},
        F.DISK_FULL,
    ),
    "fill-disk": (
        "i = 0\nwhile True:\n    with open(f'scratch{{i}}', 'wb') as f:\n"
        "        f.write(b'x' * 1048576)\n    i += 1\n",
        {},
        F.DISK_FULL,
    ),
    "output-over-cap": (
        "with open('output/submission.csv', 'wb') as f:\n    while True:\n"
        "        f.write(b'1,0\\n' * 262144)\n",
        {},
        F.OUTPUT_TOO_LARGE,
    ),
}


@pytest.fixture
def canary(monkeypatch):
    monkeypatch.setenv("PODIUM_CANARY", CANARY)


@pytest.fixture
def listener():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        yield server


def _code(name: str, competition, port: int) -> str:
    template, args, _ = ATTACKS[name]
    values = {
        "db": str(connection.settings_dict["NAME"]),
        "port": port,
        "key": str(key_path(active_solution(competition))),  # the key on this host
        "data_dir": str(settings.DATA_DIR),
    }
    values.update({k: v.format(**values) for k, v in args.items()})
    return template.format(**values)


def _launch_as_participant(competition, code: str) -> KernelRun:
    KernelSettings.objects.update_or_create(
        competition=competition, defaults={"participants_may_run": True}
    )
    api = APIClient()
    api.force_authenticate(participant(competition))
    made = api.post(
        f"/api/v1/competitions/{competition.slug}/kernels/",
        {
            "script": ContentFile(code.encode(), name="kernel.py"),
            "title": "attack",
            "memory_mb": 1024,
            "output_mb": 8,
        },
        format="multipart",
    )
    assert made.status_code == 201, made.content
    return KernelRun.objects.get(pk=made.json()["id"])


def _launch_as_organizer(competition, code: str, client) -> KernelRun:
    admin = superuser()
    competition.organizers.add(admin)
    client.force_login(admin)
    page = client.post(
        "/admin/kernels/kernelrun/add/",
        {
            "competition": competition.pk,
            "title": "attack",
            "baseline": "",
            "config": "",
            "script": ContentFile(code.encode(), name="kernel.py"),
            "wall_seconds": 60,
            "memory_mb": 1024,
            "output_mb": 8,
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    return KernelRun.objects.filter(competition=competition).latest("pk")


def _host_secrets(competition) -> list[bytes]:
    with open(key_path(active_solution(competition)), "rb") as key:
        key_lines = key.read().splitlines()[1:4]
    return [
        settings.SECRET_KEY.encode(),
        CANARY.encode(),
        b"SQLite format 3",
        b"pbkdf2",
        b"md5$",
        b"DJANGO_SECRET_KEY",
        b"DATABASE_URL",
        *key_lines,
    ]


def _everything_it_left(run: KernelRun) -> bytes:
    parts = [run_log_text(run=run).encode(), run.error_message.encode(), run.error_detail.encode()]
    for field in (run.output, run.artifacts):
        if field:
            with field.open("rb") as stored:
                data = stored.read()
            parts.append(data)
            if data.startswith(b"PK"):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    parts += [archive.read(n) for n in archive.namelist()]
    return b"\n".join(parts)


@pytest.mark.parametrize("via", ["participant-api", "organizer-admin"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_attack_fails_named_and_leaks_nothing(attack, via, eager, canary, listener, client):
    competition, _organizer = demo_competition("breast_cancer")
    code = _code(attack, competition, listener.getsockname()[1])
    if via == "participant-api":
        run = _launch_as_participant(competition, code)
    else:
        run = _launch_as_organizer(competition, code, client)
    run.refresh_from_db()
    expected = ATTACKS[attack][2]
    assert (run.status, run.failure) == (KernelRun.Status.FAILED, expected), (
        run.error_message,
        run_log_text(run=run)[-3000:],
    )
    assert run.sandbox.startswith("bubblewrap, uid ") and run.submission_id is None
    left = _everything_it_left(run)
    for secret in _host_secrets(competition):
        assert secret not in left, (attack, secret)
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing reached the host's loopback
    assert not (settings.DATA_DIR / "pwned").exists()
    if os.geteuid() == 0:  # the run had a uid of its own: none of its processes outlived it
        uid = int(run.sandbox.rsplit(" ", 1)[1])
        assert uid >= settings.SANDBOX_UID_BASE and uids.processes_of(uid) == []


def test_a_clean_kernel_still_succeeds(eager):
    competition, _organizer = demo_competition("breast_cancer")
    code = (
        "import os, shutil\nprint(sorted(os.listdir('input')))\n"
        "shutil.copy('input/sample_submission.csv', 'output/submission.csv')\n"
    )
    run = _launch_as_participant(competition, code)
    run.refresh_from_db()
    assert run.status == KernelRun.Status.SUCCEEDED, run.error_message
    assert "['sample_submission.csv', 'test.csv', 'train.csv']" in run_log_text(run=run)


def test_past_its_time_limit_it_is_stopped_as_a_timeout(eager):
    competition, organizer = demo_competition("breast_cancer")
    from podium.kernels import services

    run = services.kernel_launch(
        user=organizer,
        competition=competition,
        wall_seconds=2,
        script=ContentFile(
            b"import time\nprint('sleeping', flush=True)\ntime.sleep(120)\n", name="kernel.py"
        ),
    )
    run.refresh_from_db()
    assert run.failure == F.TIMEOUT and "time limit of 2 s" in run.error_message
    assert "sleeping" in run_log_text(run=run)


def test_without_a_sandbox_nothing_runs_and_the_run_says_why(eager, monkeypatch, tmp_path):
    from podium.core.sandbox import boundary
    from podium.kernels import services

    monkeypatch.setattr(boundary.shutil, "which", lambda name: None)
    competition, organizer = demo_competition("breast_cancer")
    marker = tmp_path / "ran"
    run = services.kernel_launch(
        user=organizer,
        competition=competition,
        script=ContentFile(f"open({str(marker)!r}, 'w')\n".encode(), name="kernel.py"),
    )
    run.refresh_from_db()
    assert (run.status, run.failure) == (KernelRun.Status.FAILED, F.SANDBOX_UNAVAILABLE)
    assert "bubblewrap" in run.error_message and "apt-get install bubblewrap" in run.error_message
    assert not marker.exists() and run_log_text(run=run).count("\n") <= 1
