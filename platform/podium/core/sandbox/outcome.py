"""What a sandboxed run may use, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field

MB = 1024 * 1024


class SandboxUnavailable(Exception):
    """The boundary cannot be set up on this host: untrusted code must not run here."""


@dataclass(frozen=True)
class Limits:
    wall_seconds: int
    cpu_seconds: int
    memory_mb: int
    work_mb: int  # the /sandbox tmpfs: everything the program writes there, output included
    tmp_mb: int = 256  # /tmp and /dev/shm, each
    processes: int = 64  # RLIMIT_NPROC: processes and threads together
    open_files: int = 256
    gpu: bool = False
    gpu_devices: str = ""  # a GPU run's cards, "0" or "0,1": only their device files are bound
    threads: int = 2


@dataclass
class Outcome:
    exit_code: int | None  # None: ended by a signal
    signal: int | None
    timed_out: bool  # past the wall-clock limit: stopped
    cancelled: bool
    cpu_seconds: float
    wall_seconds: float
    leftovers_killed: int  # processes still running when the program ended
    log: str  # the last 64 KB of its output
    log_truncated: bool = False
    refused: list[str] = field(default_factory=list)  # what was not copied out, and why
    copied: list[str] = field(default_factory=list)
    copied_bytes: int = 0
    sandbox: str = "bubblewrap"  # and the uid it ran as: "bubblewrap, uid 200123"
    uid: int = -1
    exception: dict | None = None  # the recorder's report of an uncaught exception, hostile
