"""The sandbox itself, for real (bubblewrap): what a program inside can and cannot see or do, and
that nothing it starts outlives it. Skips, saying why, where the sandbox cannot start."""

from __future__ import annotations

import os
import socket
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from podium.core import sandbox
from podium.core.sandbox import uids

pytestmark = pytest.mark.usefixtures("sandbox_ready")

LIMITS = sandbox.Limits(
    wall_seconds=30, cpu_seconds=30, memory_mb=1024, work_mb=16, tmp_mb=16, processes=32
)


def run(code: str, tmp_path: Path, limits: sandbox.Limits = LIMITS, **kwargs) -> sandbox.Outcome:
    return sandbox.run(
        [sys.executable, "-s", "/sandbox/code/main.py"],
        root=settings.SANDBOX_ROOT,
        inputs=kwargs.pop("inputs", {}),
        code={"main.py": textwrap.dedent(code).encode()},
        limits=limits,
        result_dir=tmp_path / "results",
        **kwargs,
    )


def test_the_program_sees_only_what_it_was_given(tmp_path):
    public = tmp_path / "train.csv"
    public.write_text("id,x\n1,2\n")
    outcome = run(
        """
        import os, json
        seen = {
            "uid": os.getuid(), "env": sorted(os.environ), "cwd": os.getcwd(),
            "input": sorted(os.listdir("/sandbox/input")), "root": sorted(os.listdir("/")),
            "procs": sorted(p for p in os.listdir("/proc") if p.isdigit()),
            "data_dir": os.path.exists(DATA_DIR), "sys": os.path.exists("/sys/class"),
            "users": [line.split(":")[0] for line in open("/etc/passwd")],
        }
        open("output/seen.json", "w").write(json.dumps(seen))
    """.replace("DATA_DIR", repr(str(settings.DATA_DIR))),
        tmp_path,
        inputs={"train.csv": public},
    )
    assert outcome.exit_code == 0, outcome.log
    import json

    seen = json.loads((tmp_path / "results" / "output" / "seen.json").read_text())
    assert seen["uid"] != 0
    assert "DJANGO_SECRET_KEY" not in seen["env"] and "DATABASE_URL" not in seen["env"]
    assert not any(k.startswith(("CELERY", "AWS", "PODIUM_DATA")) for k in seen["env"])
    assert seen["cwd"] == "/sandbox" and seen["input"] == ["train.csv"]
    pythons = {Path(r).parts[1] for r in sandbox.boundary.python_roots()}
    assert set(seen["root"]) <= {
        "bin",
        "dev",
        "etc",
        "lib",
        "lib32",
        "lib64",
        "podium",
        "proc",
        "sandbox",
        "sbin",
        "tmp",
        "usr",
        *pythons,
    }
    assert not seen["data_dir"] and not seen["sys"]
    assert seen["users"] == ["root", "sandbox"]  # not the host's accounts
    assert seen["procs"] == ["1", "2"]  # the supervisor and the program: no host process


def test_no_network_no_writes_outside_the_work_folder(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        port = server.getsockname()[1]
        outcome = run(
            f"""
            import socket
            results = []
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2)
                results.append("connected")
            except OSError as exc:
                results.append(type(exc).__name__)
            for path in ("/etc/podium", "/usr/podium", "/podium-x", "/sandbox/input/x",
                         "/sandbox/code/x"):
                try:
                    open(path, "w")
                    results.append("wrote " + path)
                except OSError as exc:
                    results.append(exc.errno)
            print(results)
        """,
            tmp_path,
        )
        with pytest.raises(TimeoutError):
            server.accept()  # nothing reached the host's loopback
    assert "connected" not in outcome.log and "wrote" not in outcome.log, outcome.log
    assert "ConnectionRefusedError" in outcome.log or "OSError" in outcome.log


def test_every_process_dies_with_the_run_and_forks_are_limited(tmp_path):
    outcome = run(
        """
        import os, time
        if os.fork() == 0:          # a double fork into a session of its own
            os.setsid()
            if os.fork() == 0:
                time.sleep(300)
            os._exit(0)
        started = 0
        try:
            for _ in range(200):
                if os.fork() == 0:
                    time.sleep(300)
                    os._exit(0)
                started += 1
        except OSError as exc:
            print("refused after", started, exc.errno)
    """,
        tmp_path,
    )
    assert outcome.exit_code == 0, outcome.log
    started = int(outcome.log.split("refused after")[1].split()[0])
    assert started < LIMITS.processes  # RLIMIT_NPROC binds: the uid is not root
    assert outcome.leftovers_killed >= started
    if os.geteuid() == 0:  # the run had a uid of its own: none of its processes is left
        assert outcome.uid >= settings.SANDBOX_UID_BASE and uids.processes_of(outcome.uid) == []


def test_tmp_and_the_work_folder_are_sized(tmp_path):
    outcome = run(
        """
        import errno
        for path in ("/tmp/fill", "/dev/shm/fill", "output/fill"):
            try:
                with open(path, "wb") as out:
                    for _ in range(64):
                        out.write(b"x" * 1024 * 1024)
                print(path, "filled")
            except OSError as exc:
                print(path, errno.errorcode[exc.errno])
    """,
        tmp_path,
    )
    assert "/tmp/fill ENOSPC" in outcome.log and "/dev/shm/fill ENOSPC" in outcome.log
    assert "output/fill ENOSPC" in outcome.log, outcome.log
    assert outcome.copied_bytes <= LIMITS.work_mb * 1024 * 1024


def test_the_wall_clock_limit_and_a_cancel_stop_it(tmp_path):
    slow = "import time\nprint('started', flush=True)\ntime.sleep(300)\n"
    short = sandbox.Limits(**{**LIMITS.__dict__, "wall_seconds": 1})
    timed = run(slow, tmp_path, limits=short)
    assert timed.timed_out and timed.signal == 9 and "started" in timed.log
    asked = iter([False, False, True])
    cancelled = run(slow, tmp_path, should_stop=lambda: next(asked, True))
    assert cancelled.cancelled and not cancelled.timed_out and cancelled.wall_seconds < 20


@pytest.mark.skipif(sandbox.seccomp.program() is None, reason="the seccomp filter is x86-64's")
def test_the_kernel_interfaces_it_has_no_use_for_answer_eperm(tmp_path):
    outcome = run(
        """
        import ctypes, errno, os
        libc = ctypes.CDLL(None, use_errno=True)
        calls = {"ptrace": (101, 0, 0, 0, 0), "io_uring_setup": (425, 8, 0),
                 "bpf": (321, 0, 0, 0), "userfaultfd": (323, 0), "keyctl": (250, 0, 0),
                 "perf_event_open": (298, 0, 0, -1, -1, 0), "unshare": (272, 0x10000000)}
        for name, args in calls.items():
            ctypes.set_errno(0)
            result = libc.syscall(*args)
            print(name, result, errno.errorcode.get(ctypes.get_errno()))
        print("getpid", os.getpid() > 0)  # everything else works
    """,
        tmp_path,
    )
    assert outcome.exit_code == 0, outcome.log
    for name in (
        "ptrace",
        "io_uring_setup",
        "bpf",
        "userfaultfd",
        "keyctl",
        "perf_event_open",
        "unshare",
    ):
        assert f"{name} -1 EPERM" in outcome.log, outcome.log
    assert "getpid True" in outcome.log


def test_the_exception_record_comes_back(tmp_path):
    outcome = run("raise MemoryError('too big')\n", tmp_path)
    assert outcome.exit_code == 1 and outcome.exception["type"] == "MemoryError"


def test_no_bubblewrap_means_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox.boundary.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        run("open('/tmp/ran', 'w')\n", tmp_path)
    assert not sandbox.probe(settings.SANDBOX_ROOT).ok


def test_no_descriptor_is_closed_twice(tmp_path, monkeypatch):
    """A number closed a second time may be another thread's by then (a worker's heartbeat had
    its database connection closed under it): every close must find its descriptor open."""
    closing_closed = []
    real_close = os.close

    def close(fd):
        try:
            os.fstat(fd)
        except OSError:
            closing_closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(os, "close", close)
    before = len(os.listdir("/proc/self/fd"))
    run("print('hi')\n", tmp_path)
    short = sandbox.Limits(**{**LIMITS.__dict__, "wall_seconds": 1})
    run("import time\ntime.sleep(30)\n", tmp_path, limits=short)
    monkeypatch.undo()
    assert closing_closed == []
    assert len(os.listdir("/proc/self/fd")) == before  # and none left open
