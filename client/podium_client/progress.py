"""A small progress bar on stderr: redrawn in place when stderr is a terminal (at most ten
times a second); otherwise one line when it is done, so logs and pipes stay readable."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 24
REDRAW_EVERY_S = 0.1


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


class Progress:
    def __init__(
        self,
        label: str,
        total: int | None,
        stream: TextIO | None = None,
        clock=time.monotonic,
    ) -> None:
        self.label, self.total = label, total
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.done = 0
        self.started = clock()
        self._drawn_at: float | None = None
        self._closed = False
        isatty = getattr(self.stream, "isatty", None)
        self.animated = bool(isatty and isatty())

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(ok=kind is None)

    def update(self, n: int) -> None:
        self.done += n
        if not self.animated:
            return
        moment = self.clock()
        if self._drawn_at is None or moment - self._drawn_at >= REDRAW_EVERY_S:
            self._drawn_at = moment
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(self.clock() - self.started, 1e-6)
        rate = f"{human_bytes(self.done / elapsed)}/s"
        if self.total:
            fraction = min(1.0, self.done / self.total)
            filled = int(fraction * WIDTH)
            bar = "#" * filled + "-" * (WIDTH - filled)
            return (
                f"{self.label} [{bar}] {fraction:4.0%} "
                f"{human_bytes(self.done)}/{human_bytes(self.total)} {rate}"
            )
        return f"{self.label} {human_bytes(self.done)} {rate}"

    def close(self, ok: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        if self.animated:
            self.stream.write("\r" + self.line() + ("" if ok else " (interrupted)") + "\x1b[K\n")
        elif ok:
            self.stream.write(f"{self.label}: {human_bytes(self.done)} done\n")
        self.stream.flush()
