"""Running one kernel as a separate, confined process: no Django here, only the operating system.

A fresh working folder per run::

    <workdir>/input/    read-only copies of the competition's public data files (never the key)
    <workdir>/code/     the baseline (its package, ``scoring``, config.yaml) or the script
    <workdir>/output/   where the kernel writes submission.csv and its logs
    <workdir>/.podium/  the guard (sitecustomize), the recorded exception

Confinement, in layers:

* always: a clean environment; setrlimit on CPU time, memory (RLIMIT_AS on CPU runs; RLIMIT_DATA
  on GPU runs, where RLIMIT_AS breaks CUDA), file size (the output limit) and core dumps; its
  own session (the whole group is killed at the wall-clock limit or on cancel); killed if the
  worker dies (PR_SET_PDEATHSIG); GPUs pinned by CUDA_VISIBLE_DEVICES (none for CPU runs); the
  audit-hook guard of ``guard.py`` (no reading outside the allowed roots, no writing outside the
  folder, no network sockets, no programs started).
* where bubblewrap (``bwrap``) is installed: new mount, network, pid, ipc and uts namespaces; only
  the system libraries, the Python installation and the working folder are mounted (input and
  code read-only), so the answer keys and the rest of the disk do not exist for the kernel, and
  there is no network device.

Not limited here: the number of processes (no cgroup pids controller; RLIMIT_NPROC is per user,
and not enforced for root).
"""

from __future__ import annotations

import ctypes
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GUARD = Path(__file__).with_name("guard.py")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    wall_seconds: int
    cpu_seconds: int
    memory_mb: int
    output_mb: int
    gpu: bool = False
    gpu_devices: str = ""  # CUDA_VISIBLE_DEVICES for a GPU run
    threads: int = 2


@dataclass
class Outcome:
    exit_code: int | None  # None: killed by a signal
    signal: int | None
    timed_out: bool  # past the wall-clock limit: we killed it
    cancelled: bool
    cpu_seconds: float
    wall_seconds: float
    sandbox: str  # "bubblewrap" or "rlimits+guard"
    log_truncated: bool = False


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def prepare_workdir(root: Path, name: str, inputs: dict[str, Path], code: dict[str, Path | bytes]
                    ) -> Path:
    """The run's fresh folder (an old one of the same name is removed first)."""
    workdir = (Path(root) / name).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    for sub in ("input", "code", "output", ".podium/guard", "tmp"):
        (workdir / sub).mkdir(parents=True)
    for file_name, source in inputs.items():
        target = workdir / "input" / file_name
        shutil.copyfile(source, target)
        target.chmod(0o444)
    for rel, source in code.items():
        target = workdir / "code" / rel
        if isinstance(source, bytes):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source)
        elif Path(source).is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    shutil.copyfile(GUARD, workdir / ".podium" / "guard" / "sitecustomize.py")
    (workdir / "input").chmod(0o555)
    return workdir


def python_roots() -> list[str]:
    """What the kernel's Python needs to read: its installation and its virtual environment."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return sorted(roots)


def child_env(workdir: Path, limits: Limits, deny: list[str], extra: dict[str, str]) -> dict:
    read_roots = [*python_roots(), "/usr", "/lib", "/lib64", "/etc", "/proc", "/sys", "/dev"]
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir / "output"),
        "TMPDIR": str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{workdir / '.podium' / 'guard'}:{workdir / 'code'}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "MPLCONFIGDIR": str(workdir / "tmp"),
        "OMP_NUM_THREADS": str(limits.threads),
        "MKL_NUM_THREADS": str(limits.threads),
        "CUDA_VISIBLE_DEVICES": limits.gpu_devices if limits.gpu else "",
        "PODIUM_KERNEL_WORKDIR": str(workdir),
        "PODIUM_KERNEL_READ_ROOTS": os.pathsep.join(read_roots),
        "PODIUM_KERNEL_DENY_ROOTS": os.pathsep.join(deny),
        "PODIUM_INPUT": str(workdir / "input"),
        "PODIUM_OUTPUT": str(workdir / "output"),
    }
    env.update(extra)
    return env


def _bwrap_args(bwrap: str, workdir: Path, gpu: bool) -> list[str]:
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group",
                 "nsswitch.conf", "ssl", "alternatives"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for root in python_roots():
        args += ["--ro-bind", root, root]
    args += ["--bind", str(workdir), str(workdir)]
    for sub in ("input", "code", ".podium/guard"):
        args += ["--ro-bind", str(workdir / sub), str(workdir / sub)]
    if gpu:  # the NVIDIA device files; which GPU is visible is CUDA_VISIBLE_DEVICES's
        for dev in sorted(Path("/dev").glob("nvidia*")):
            args += ["--dev-bind", str(dev), str(dev)]
    args += ["--chdir", str(workdir), "--"]
    return args


def _limit_setter(limits: Limits) -> Callable[[], None]:
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: nothing to load after it
    memory = limits.memory_mb * 1024 * 1024
    output = limits.output_mb * 1024 * 1024
    cpu = limits.cpu_seconds

    def set_limits() -> None:  # in the child, between fork and exec
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        # RLIMIT_AS breaks CUDA (it maps far more address space than it uses): GPU runs are
        # capped on their data segment instead.
        which = resource.RLIMIT_DATA if limits.gpu else resource.RLIMIT_AS
        resource.setrlimit(which, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return set_limits


def run(
    argv: list[str], workdir: Path, limits: Limits, *, deny: list[str],
    on_output: Callable[[str], None], should_stop: Callable[[], bool],
    extra_env: dict[str, str] | None = None, use_bwrap: bool | None = None,
    poll_seconds: float = 0.25, flush_seconds: float = 1.0, log_max_bytes: int = 2_000_000,
) -> Outcome:
    """Run ``argv`` (e.g. ``[python, -m, baselines, ...]``) confined in ``workdir``; its output
    (stdout and stderr together) goes to ``on_output`` in chunks about every ``flush_seconds``;
    ``should_stop`` is asked every poll (cancel). Returns how it ended."""
    bwrap = bwrap_path() if use_bwrap in (None, True) else None
    if use_bwrap and bwrap is None:
        raise RuntimeError("bubblewrap (bwrap) is required by the settings but not installed")
    command = (_bwrap_args(bwrap, workdir, limits.gpu) if bwrap else []) + argv
    env = child_env(workdir, limits, deny, extra_env or {})
    started = time.monotonic()
    proc = subprocess.Popen(
        command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_limit_setter(limits),
    )
    selector = selectors.DefaultSelector()
    os.set_blocking(proc.stdout.fileno(), False)
    selector.register(proc.stdout, selectors.EVENT_READ)
    pending, sent, truncated = b"", 0, False
    last_flush = time.monotonic()
    timed_out = cancelled = False
    status = rusage = None

    def flush(force: bool = False) -> None:
        nonlocal pending, sent, truncated, last_flush
        if not pending or not (force or time.monotonic() - last_flush >= flush_seconds):
            return
        room = log_max_bytes - sent
        chunk = pending[: max(room, 0)]
        if len(chunk) < len(pending) and not truncated:
            truncated = True
            chunk += b"\n[podium: log truncated: more than %d bytes]\n" % log_max_bytes
        if chunk:
            on_output(chunk.decode(errors="replace"))
            sent += len(chunk)
        pending, last_flush = b"", time.monotonic()

    def kill() -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    eof = False
    while True:
        if not eof:
            for _key, _ in selector.select(timeout=poll_seconds):
                data = proc.stdout.read(65536)
                if data:
                    if sent + len(pending) < log_max_bytes + 65536:
                        pending += data
                else:
                    eof = True
        else:
            time.sleep(poll_seconds)
        flush()
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if not timed_out and not cancelled:
            if time.monotonic() - started > limits.wall_seconds:
                timed_out = True
                kill()
            elif should_stop():
                cancelled = True
                kill()
    # what was left in the pipe after the exit
    try:
        rest = proc.stdout.read() or b""
    except (OSError, ValueError):
        rest = b""
    if rest and sent + len(pending) < log_max_bytes + 65536:
        pending += rest
    flush(force=True)
    selector.close()
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait
    kill()  # anything of its group still alive
    exit_code, sig = None, None
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
    else:
        exit_code = os.WEXITSTATUS(status)
        if bwrap and exit_code > 128 and exit_code - 128 in signal.valid_signals():
            sig, exit_code = exit_code - 128, None  # bwrap reports a killed child as 128 + signal
    return Outcome(
        exit_code=exit_code, signal=sig, timed_out=timed_out, cancelled=cancelled,
        cpu_seconds=rusage.ru_utime + rusage.ru_stime, wall_seconds=time.monotonic() - started,
        sandbox="bubblewrap" if bwrap else "rlimits+guard", log_truncated=truncated,
    )


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
