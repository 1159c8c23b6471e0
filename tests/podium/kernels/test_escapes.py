"""The sandbox holds, with bubblewrap and without it: a kernel past its time limit is killed and
reported as a timeout; one that reads the answer key or opens a socket fails."""

from __future__ import annotations

import socket

import pytest
from django.core.files.base import ContentFile

from podium.competitions.selectors import active_solution
from podium.kernels import sandbox, services
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun
from podium.kernels.selectors import run_log_text
from tests.podium.kernels.helpers import demo_competition

pytestmark = pytest.mark.django_db(transaction=True)

MODES = [
    pytest.param(True, id="bubblewrap", marks=pytest.mark.skipif(
        sandbox.bwrap_path() is None, reason="bubblewrap is not installed (apt install bubblewrap)"
    )),
    pytest.param(False, id="rlimits-and-guard"),
]


@pytest.fixture(params=MODES)
def mode(request, settings):
    settings.KERNEL_USE_BWRAP = request.param
    return request.param


def launch(code: str, **kwargs) -> KernelRun:
    competition, organizer = demo_competition("breast_cancer")
    run = services.kernel_launch(user=organizer, competition=competition,
                                 script=ContentFile(code.encode(), name="kernel.py"), **kwargs)
    run.refresh_from_db()
    return run


def test_a_kernel_past_its_time_limit_is_killed_as_a_timeout(mode, eager):
    run = launch("import time\nprint('sleeping', flush=True)\ntime.sleep(120)\n", wall_seconds=2)
    assert run.status == KernelRun.Status.FAILED
    assert run.failure == KernelFailure.TIMEOUT and "time limit of 2 s" in run.error_message
    assert "sleeping" in run_log_text(run=run)


def test_a_kernel_that_reads_the_answer_key_fails(mode, eager):
    competition, organizer = demo_competition("breast_cancer")
    key = active_solution(competition).file.path
    code = f"print(open({key!r}).read()[:50])\nopen('output/submission.csv', 'w')\n"
    run = services.kernel_launch(user=organizer, competition=competition,
                                 script=ContentFile(code.encode(), name="kernel.py"))
    run.refresh_from_db()
    assert run.status == KernelRun.Status.FAILED and run.failure == KernelFailure.EXCEPTION
    assert "Usage" not in run_log_text(run=run)  # not a byte of the key came out
    assert run.submission_id is None


def test_a_kernel_that_opens_a_socket_fails(mode, eager):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = ("import socket\ns = socket.socket()\ns.settimeout(3)\n"
                f"s.connect(('127.0.0.1', {port}))\nprint('CONNECTED')\n")
        run = launch(code)
    assert run.status == KernelRun.Status.FAILED and run.failure == KernelFailure.EXCEPTION
    assert "CONNECTED" not in run_log_text(run=run)


def test_the_input_folder_holds_the_public_files_only(mode, eager):
    code = ("import os, shutil\nprint(sorted(os.listdir('input')))\n"
            "shutil.copy('input/sample_submission.csv', 'output/submission.csv')\n")
    run = launch(code)
    assert run.status == KernelRun.Status.SUCCEEDED, run.error_message
    assert "['sample_submission.csv', 'test.csv', 'train.csv']" in run_log_text(run=run)
    assert run.sandbox == ("bubblewrap" if mode else "rlimits+guard")
