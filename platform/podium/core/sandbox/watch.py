"""Watching a sandboxed run from the host: its output to the log (capped), the wall clock and
cancels (a stop request to the supervisor), its end as the supervisor reports it, and its results
copied out of the sandbox's tmpfs as hostile files while only the supervisor is left inside."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from collections import deque
from pathlib import Path

from podium.core.sandbox import hostile
from podium.core.sandbox.outcome import MB, Outcome, SandboxUnavailable

STOP_GRACE_SECONDS = 10
_COPIED = ["output", ".podium"]  # what of /sandbox is copied back: not its scratch files


class _Log:
    """The program's output: to ``on_output`` in chunks, capped; its tail kept for the caller."""

    def __init__(self, on_output, max_bytes: int, flush_seconds: float) -> None:
        self.on_output, self.max_bytes, self.flush_seconds = on_output, max_bytes, flush_seconds
        self.pending, self.sent, self.truncated = b"", 0, False
        self.tail: deque[bytes] = deque()
        self.tail_bytes = 0
        self.last_flush = time.monotonic()

    def add(self, data: bytes) -> None:
        self.tail.append(data)
        self.tail_bytes += len(data)
        while self.tail_bytes > 65536 and len(self.tail) > 1:
            self.tail_bytes -= len(self.tail.popleft())
        if self.sent + len(self.pending) < self.max_bytes + 65536:
            self.pending += data

    def flush(self, force: bool = False) -> None:
        if not self.pending or not (
            force or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            return
        room = self.max_bytes - self.sent
        chunk = self.pending[: max(room, 0)]
        if len(chunk) < len(self.pending) and not self.truncated:
            self.truncated = True
            chunk += b"\n[podium: log truncated: more than %d bytes]\n" % self.max_bytes
        if chunk:
            self.on_output(chunk.decode(errors="replace"))
            self.sent += len(chunk)
        self.pending, self.last_flush = b"", time.monotonic()

    def text(self) -> str:
        return b"".join(self.tail)[-65536:].decode(errors="replace")


def _ready(fds: list[int], timeout: float) -> set[int]:
    """Which of ``fds`` can be read within ``timeout`` s (poll: fine past fd 1024, unlike
    select, in a worker with many connections open)."""
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return {fd for fd, _event in poller.poll(timeout * 1000)}


def _tell(ctl, what: bytes) -> None:
    try:
        ctl.write(what)
    except OSError:  # the supervisor is gone: the end is handled as a missing report
        pass


def watch(
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
) -> Outcome:
    log = _Log(on_output, log_max_bytes, flush_seconds)
    os.set_blocking(proc.stdout.fileno(), False)
    status_buf, report = b"", None
    timed_out = cancelled = stop_sent = False
    stop_deadline = None
    out_open = True
    out = proc.stdout.fileno()
    while report is None:
        ready = _ready([status_r] + ([out] if out_open else []), poll_seconds)
        if out in ready:
            data = proc.stdout.read(65536)
            if data:
                log.add(data)
            elif data is not None:  # b"": the end of it (None: nothing yet)
                out_open = False
        if status_r in ready:
            data = os.read(status_r, 4096)
            status_buf += data
            if b"\n" in status_buf or not data or len(status_buf) > 4096:
                report = _parse_report(status_buf)
                break
        log.flush()
        if proc.poll() is not None and status_r not in ready:
            # bwrap ended without a report: it could not start, or the supervisor died
            time.sleep(0.05)
            if status_r not in _ready([status_r], 0):
                break
        if not stop_sent:
            if time.monotonic() - started > limits.wall_seconds:
                timed_out = True
            elif should_stop():
                cancelled = True
            if timed_out or cancelled:
                _tell(ctl, b"stop\n")
                stop_sent, stop_deadline = True, time.monotonic() + STOP_GRACE_SECONDS
        elif time.monotonic() > stop_deadline:
            break  # the supervisor did not answer: everything is killed below
    copy = hostile.CopyReport()
    if report is not None and report.get("ok"):
        copy = _copy_results(proc, info_r, result_dir, copy_max_bytes or limits.work_mb * MB)
    ctl.close()  # the supervisor exits, and the sandbox with it
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for data in iter(lambda: _read_rest(proc.stdout), b""):
        log.add(data)
    log.flush(force=True)
    proc.stdout.close()
    if report is None or not report.get("ok"):
        raise _unavailable_or_error(log.text(), proc.returncode)
    status = report["status"]
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    exception = None
    raw = hostile.read_capped(result_dir / ".podium" / "exception.json", 64 * 1024)
    if raw:
        try:
            exception = json.loads(raw)
        except ValueError:
            exception = None
        if not isinstance(exception, dict):
            exception = None
    return Outcome(
        exit_code=exit_code,
        signal=sig,
        timed_out=timed_out,
        cancelled=cancelled,
        cpu_seconds=report["cpu"],
        wall_seconds=time.monotonic() - started,
        leftovers_killed=report["leftovers"],
        log=log.text(),
        log_truncated=log.truncated,
        refused=copy.refused,
        copied=copy.copied,
        copied_bytes=copy.bytes,
        exception=exception,
        sandbox=f"bubblewrap, uid {uid}",
        uid=uid,
    )


def _read_rest(stream) -> bytes:
    try:
        return stream.read(65536) or b""
    except (OSError, ValueError):
        return b""


def _parse_report(raw: bytes) -> dict:
    try:
        report = json.loads(raw.split(b"\n", 1)[0])
        return {
            "ok": True,
            "status": int(report["status"]),
            "cpu": float(report["cpu"]),
            "leftovers": int(report["leftovers"]),
        }
    except (ValueError, KeyError, TypeError):
        return {"ok": False}


def _copy_results(proc, info_r, result_dir: Path, max_bytes: int) -> hostile.CopyReport:
    """/sandbox/output and /sandbox/.podium, read through the sandbox's own root (its tmpfs),
    now that nothing runs there but the supervisor."""
    info = _read_info(info_r)
    root_fd = os.open(
        f"/proc/{int(info['child-pid'])}/root", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    )
    try:
        work = os.open(
            "sandbox", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=root_fd
        )
    finally:
        os.close(root_fd)
    try:
        return hostile.copy_out(work, _COPIED, Path(result_dir), hostile.Caps(max_bytes))
    finally:
        os.close(work)


def _read_info(info_r: int) -> dict:
    """bubblewrap's --info-fd JSON: the host pid of the sandbox's PID 1."""
    raw = b""
    while info_r in _ready([info_r], 5):
        data = os.read(info_r, 4096)
        if not data:
            break
        raw += data
        try:
            info, _ = json.JSONDecoder().raw_decode(raw.decode())
            return info
        except ValueError:
            continue
    raise RuntimeError(f"bubblewrap gave no info on the sandbox: {raw[:200]!r}")


_NO_USERNS = (
    "No permissions to create",
    "setting up uid map",
    "Creating new namespace failed",
    "unshare",
    "clone",
)


def _unavailable_or_error(log: str, returncode: int | None) -> Exception:
    last = log.strip().splitlines()[-1] if log.strip() else f"exit status {returncode}"
    if log.startswith("bwrap: Can't find source path") and "Permission denied" in log:
        path = last.split("source path", 1)[-1].split(":")[0].strip()
        return SandboxUnavailable(
            f"the sandbox's unprivileged user cannot reach {path} ({last}): Podium's Python "
            "installation and virtual environment must be readable by other users. Install "
            "them where others may read them, or make the folders above them searchable "
            "(for a Python under /root: chmod o+x /root)."
        )
    if log.startswith("bwrap:") and any(s in log for s in _NO_USERNS):
        return SandboxUnavailable(
            f"bubblewrap cannot create the sandbox's namespaces here ({last}). It needs "
            "unprivileged user namespaces: sysctl user.max_user_namespaces > 0 (and "
            "kernel.unprivileged_userns_clone=1 where that exists); in a container, run the "
            "worker with `security_opt: [seccomp=unconfined, apparmor=unconfined]` (see "
            "docs/operations.md, 'The sandbox')."
        )
    if log.startswith("bwrap:"):
        return SandboxUnavailable(f"bubblewrap could not start the sandbox: {last}")
    return RuntimeError(f"the sandbox ended without a report from its supervisor: {last}")
