"""Can untrusted code run on this host? Asked once when a worker or ``podium_run`` starts, and
said in the log; a kernel or metric run asks again by running (and fails with the same words)."""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from podium.core.sandbox.boundary import Limits, SandboxUnavailable, run


@dataclass(frozen=True)
class Probe:
    ok: bool
    message: str
    start_ms: float  # a whole sandboxed run of an empty Python program, start to end


def probe(root: Path) -> Probe:
    limits = Limits(
        wall_seconds=30, cpu_seconds=30, memory_mb=512, work_mb=4, tmp_mb=4, processes=16
    )
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="podium-probe-") as results:
            outcome = run(
                [sys.executable, "-S", "-c", "pass"],
                root=Path(root),
                inputs={},
                code={},
                limits=limits,
                result_dir=Path(results),
            )
    except SandboxUnavailable as exc:
        return Probe(False, str(exc), 0.0)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the answer is "no", and why
        return Probe(False, f"the sandbox could not run a test program: {exc}", 0.0)
    elapsed = (time.perf_counter() - started) * 1000
    if outcome.exit_code != 0:
        return Probe(False, f"a test program failed in the sandbox: {outcome.log[-500:]}", 0.0)
    return Probe(True, f"bubblewrap sandbox ready ({elapsed:.0f} ms per start)", elapsed)
