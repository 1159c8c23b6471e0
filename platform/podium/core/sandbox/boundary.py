"""Running code Podium did not write behind an OS boundary: bubblewrap, no Django here.

Inside, the program sees::

    /sandbox            its work folder and cwd: a tmpfs of ``work_mb`` (its disk budget)
    /sandbox/input      read-only: what the caller hands in (a competition's public files...)
    /sandbox/code       read-only, on PYTHONPATH: the program and its helpers
    /sandbox/output     what it leaves for the host (copied out as hostile files)
    /tmp, /dev/shm      tmpfs of ``tmp_mb`` each: RAM, so part of the budget too
    /usr, /lib*, the Python installation and a few /etc files, read-only; its own /proc

and nothing else: no host /proc, no data folder, database, answer keys or other runs. It has its
own user, mount, PID, network (no device but loopback), IPC, UTS and cgroup namespaces, cannot make
further user namespaces, runs as an unprivileged uid (so RLIMIT_NPROC binds) with no capabilities,
in its own session, with an environment built from nothing, under rlimits for CPU time, memory,
file size, processes and open files. Its PID 1 is ``supervisor.py``: when the program ends, or the
wall-clock limit or a cancel stops it, every process of the run is killed before the host copies
``/sandbox/output`` out (``hostile.copy_out``) through the supervisor's view of the mounts; then
the supervisor exits and the namespaces, tmpfs included, are gone. If the worker dies, bubblewrap
and everything under it die with it (``--die-with-parent``).

Where bubblewrap cannot start, nothing runs: ``SandboxUnavailable`` says what is missing.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from podium.core.sandbox import seccomp, uids
from podium.core.sandbox.outcome import MB, Limits, Outcome, SandboxUnavailable
from podium.core.sandbox.watch import watch

HERE = Path(__file__).parent
SUPERVISOR = HERE / "supervisor.py"
RECORDER = HERE / "recorder.py"
_PR_SET_PDEATHSIG = 1


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def python_roots() -> list[str]:
    """What the program's Python needs: its installation and its virtual environment."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return sorted(r for r in roots if not any(r.startswith(o + "/") for o in roots if o != r))


def base_env(limits: Limits) -> dict[str, str]:
    # A GPU run sees only its own cards' device files (as Docker's NVIDIA runtime does), so CUDA
    # numbers them from 0 and no variable can reach another card; a CPU run sees none.
    gpus = {} if limits.gpu else {"CUDA_VISIBLE_DEVICES": ""}
    return {
        **gpus,
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "USER": "sandbox",
        "LOGNAME": "sandbox",
        "PYTHONPATH": "/sandbox/code:/podium/site",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "MPLCONFIGDIR": "/tmp",
        "OMP_NUM_THREADS": str(limits.threads),
        "MKL_NUM_THREADS": str(limits.threads),
        "OPENBLAS_NUM_THREADS": str(limits.threads),
        "PODIUM_INPUT": "/sandbox/input",
        "PODIUM_OUTPUT": "/sandbox/output",
    }


def _stage(root: Path, uid: int, inputs: dict[str, Path], code: dict[str, Path | bytes]) -> Path:
    """The host folder the read-only mounts come from."""
    stage = root / "stage" / uuid.uuid4().hex
    for sub in ("input", "code", "podium/site"):
        (stage / sub).mkdir(parents=True)
    # bubblewrap binds them as the sandbox's uid: the folders must be searchable by it (the
    # stage's name is random and it holds only what the run is meant to see).
    os.chmod(root, os.stat(root).st_mode | 0o111)
    os.chmod(root / "stage", 0o711)
    for name, source in inputs.items():
        shutil.copyfile(source, stage / "input" / name)
    for rel, source in code.items():
        target = stage / "code" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            target.write_bytes(source)
        elif Path(source).is_dir():
            shutil.copytree(
                source,
                target,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copyfile(source, target)
    shutil.copyfile(SUPERVISOR, stage / "podium" / "supervisor.py")
    (stage / "podium" / "etc").mkdir()
    (stage / "podium" / "etc" / "passwd").write_text(
        f"root:x:0:0::/:/bin/false\nsandbox:x:{uid}:{uid}::/tmp:/bin/false\n"
    )
    (stage / "podium" / "etc" / "group").write_text(f"root:x:0:\nsandbox:x:{uid}:\n")
    shutil.copyfile(RECORDER, stage / "podium" / "site" / "sitecustomize.py")
    for path in [stage, *stage.rglob("*")]:  # readable by the sandbox's uid, writable by none
        path.chmod(0o555 if path.is_dir() else 0o444)
    return stage


def _bwrap_args(
    bwrap: str, limits: Limits, stage: Path, info_fd: int, seccomp_fd: int | None
) -> list[str]:
    args = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--as-pid-1",
        "--info-fd",
        str(info_fd),
        *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.tmp_mb * MB),
        "--tmpfs",
        "/dev/shm",
        "--size",
        str(limits.tmp_mb * MB),
        "--tmpfs",
        "/tmp",
    ]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in (
        "ld.so.cache",
        "ld.so.conf",
        "ld.so.conf.d",
        "localtime",
        "nsswitch.conf",
        "ssl",
        "alternatives",
        "mime.types",
    ):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for name in ("passwd", "group"):  # its own user alone, not the host's accounts
        args += ["--ro-bind", str(stage / "podium" / "etc" / name), f"/etc/{name}"]
    for root in python_roots():
        args += ["--ro-bind", root, root]
    if limits.gpu:  # the driver's control files and the run's own GPUs, no other card
        chosen = {f"nvidia{n.strip()}" for n in limits.gpu_devices.split(",") if n.strip()}
        for dev in sorted(Path("/dev").glob("nvidia*")):
            if not dev.name.removeprefix("nvidia").isdigit() or dev.name in chosen:
                args += ["--dev-bind", str(dev), str(dev)]
    args += [
        "--size",
        str(limits.work_mb * MB),
        "--tmpfs",
        "/sandbox",
        "--dir",
        "/sandbox/output",
        "--dir",
        "/sandbox/.podium",
        "--ro-bind",
        str(stage / "input"),
        "/sandbox/input",
        "--ro-bind",
        str(stage / "code"),
        "/sandbox/code",
        "--ro-bind",
        str(stage / "podium"),
        "/podium",
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/sandbox",
        "--",
    ]
    return args


def _preexec(limits: Limits, processes: int) -> Callable[[], None]:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: nothing to load after it
    memory, cpu = limits.memory_mb * MB, limits.cpu_seconds
    # Files are bounded by the tmpfs they are on; this only keeps one file below the largest.
    largest = (max(limits.work_mb, limits.tmp_mb) + 1) * MB

    def set_limits() -> None:  # in the child, after the uid change (Popen's user=), before exec
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        # RLIMIT_AS breaks CUDA (it maps far more address space than it uses): GPU runs are
        # capped on their data segment instead.
        which = resource.RLIMIT_DATA if limits.gpu else resource.RLIMIT_AS
        resource.setrlimit(which, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (largest, largest))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))

    return set_limits


def run(
    argv: list[str],
    *,
    root: Path,
    inputs: dict[str, Path],
    code: dict[str, Path | bytes],
    limits: Limits,
    result_dir: Path,
    env: dict[str, str] | None = None,
    on_output: Callable[[str], None] = lambda text: None,
    should_stop: Callable[[], bool] = lambda: False,
    log_max_bytes: int = 2_000_000,
    copy_max_bytes: int | None = None,
    poll_seconds: float = 0.25,
    flush_seconds: float = 1.0,
) -> Outcome:
    """Run ``argv`` in a fresh sandbox; its output (stdout and stderr together) goes to
    ``on_output`` in chunks about every ``flush_seconds`` (at most ``log_max_bytes`` in all);
    ``should_stop`` is asked every poll (cancel). ``/sandbox/output`` and the exception record
    come back under ``result_dir`` as regular files, at most ``copy_max_bytes`` (default: the
    work folder's size). Raises SandboxUnavailable where the boundary cannot be set up."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed on this worker, so untrusted code cannot run "
            "here: install the Debian package `bubblewrap` (apt-get install bubblewrap)."
        )
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with uids.uid_lease(root / "uids", *_uid_range()) as uid:
            stage = _stage(root, uid, inputs, code)
            try:
                return _run(
                    bwrap,
                    uid,
                    stage,
                    argv,
                    limits,
                    result_dir,
                    env or {},
                    on_output,
                    should_stop,
                    log_max_bytes,
                    copy_max_bytes,
                    poll_seconds,
                    flush_seconds,
                )
            finally:
                shutil.rmtree(stage, ignore_errors=True)
    except uids.NoFreeUid as exc:
        raise SandboxUnavailable(str(exc)) from exc


def _seccomp_pipe() -> int | None:
    """A pipe holding the seccomp filter for bubblewrap to read (None: no filter here)."""
    filter_ = seccomp.program()
    if filter_ is None:
        return None
    read, write = os.pipe()
    os.write(write, filter_)  # a few hundred bytes: well within a pipe's buffer
    os.close(write)
    return read


def _uid_range() -> tuple[int, int]:
    from django.conf import settings  # the one settings module; this package needs no more

    return settings.SANDBOX_UID_BASE, settings.SANDBOX_UID_COUNT


def _run(
    bwrap,
    uid,
    stage,
    argv,
    limits,
    result_dir,
    extra_env,
    on_output,
    should_stop,
    log_max_bytes,
    copy_max_bytes,
    poll_seconds,
    flush_seconds,
) -> Outcome:
    ctl_r, ctl_w = os.pipe()
    ctl = os.fdopen(ctl_w, "wb", buffering=0)  # a file object: closing it twice is harmless
    status_r, status_w = os.pipe()
    info_r, info_w = os.pipe()
    seccomp_r = _seccomp_pipe()
    processes = limits.processes
    if uid == os.geteuid():  # not root: the worker's own tasks count against the same limit
        processes += uids.threads_of(uid)
    command = _bwrap_args(bwrap, limits, stage, info_w, seccomp_r) + [
        sys.executable,
        "-I",
        "-S",
        "/podium/supervisor.py",
        str(ctl_r),
        str(status_w),
        "--",
        *argv,
    ]
    env = {**base_env(limits), **extra_env}
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=tuple(fd for fd in (ctl_r, status_w, info_w, seccomp_r) if fd is not None),
            user=uid,
            group=uid,
            extra_groups=[],
            preexec_fn=_preexec(limits, processes),
        )
    except BaseException:
        ctl.close()
        os.close(status_r)
        os.close(info_r)
        raise
    finally:
        for fd in (ctl_r, status_w, info_w, seccomp_r):
            if fd is None:
                continue
            os.close(fd)
    try:
        return watch(
            proc,
            uid,
            ctl,
            status_r,
            info_r,
            limits,
            result_dir,
            on_output,
            should_stop,
            log_max_bytes,
            copy_max_bytes,
            poll_seconds,
            flush_seconds,
            started,
        )
    finally:
        ctl.close()  # each descriptor closed once: a number closed twice may be another
        os.close(status_r)  # thread's by then (the heartbeat's database connection)
        os.close(info_r)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.returncode is None:
            proc.wait()
