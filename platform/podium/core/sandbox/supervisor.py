"""PID 1 of every sandbox (copied in read-only; run as ``python -I -S``, standard library only).

It starts the untrusted program as its child. When that ends, or when the host writes to the
control pipe (time limit, cancel), it kills every other process of the sandbox, reports how the
program ended on the status pipe, and keeps the sandbox's mounts alive until the host closes the
control pipe, so the host can copy the results out of the sandbox's tmpfs with nothing left
running inside to change them.

Nothing inside can stop it: the kernel drops signals sent from inside a PID namespace to its init
(which installs no handler), and it is not dumpable (no ptrace, no /proc/1/fd). If it dies anyway,
the PID namespace and every process in it die with it, and the host sees no status: a failed run.
"""

import ctypes
import json
import os
import resource
import select
import signal
import sys

PR_SET_DUMPABLE = 4


def _kill_all_but_me() -> int:
    """SIGKILL every other process of this PID namespace, reap them; how many there were."""
    reaped = 0
    for _ in range(1000):
        try:
            os.kill(-1, signal.SIGKILL)  # all we may signal here, except ourselves
        except ProcessLookupError:
            pass
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return reaped
            if pid == 0:
                break
            reaped += 1
        others = [p for p in os.listdir("/proc") if p.isdigit() and p != "1"]
        if not others:
            return reaped
    return reaped


def main(argv: list[str]) -> int:
    ctl, status_out = int(argv[0]), int(argv[1])
    program = argv[argv.index("--") + 1 :]
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # no handler: the kernel then drops it for init
    child = os.fork()
    if child == 0:
        os.close(ctl)
        os.close(status_out)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        try:
            os.execvp(program[0], program)
        except OSError as exc:
            os.write(2, f"sandbox: cannot start {program[0]}: {exc}\n".encode())
        os._exit(127)
    pidfd = os.pidfd_open(child)
    stopped = False
    poller = select.poll()  # not select(): the host's descriptor numbers may pass 1024
    for fd in (pidfd, ctl):
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        ready = {fd for fd, _event in poller.poll()}
        if ctl in ready:
            stopped = True  # a stop request, or the host went away: end it now
            break
        if pidfd in ready:
            break
    if stopped:
        os.kill(child, signal.SIGKILL)
    _pid, status = os.waitpid(child, 0)
    leftovers = _kill_all_but_me()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {
        "status": status,
        "stopped": stopped,
        "leftovers": leftovers,
        "cpu": usage.ru_utime + usage.ru_stime,
    }
    os.write(status_out, (json.dumps(report) + "\n").encode())
    os.close(status_out)
    while os.read(ctl, 64):  # held open until the host has copied the results (EOF)
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
