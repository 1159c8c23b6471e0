"""Running one kernel, start to finish, safe to run any number of times.

claim the lease -> the sandbox (``podium.core.sandbox``) with the competition's public data files
(never the answer key) and the code, its output streamed to the log, the lease kept alive and
the team's hours charged (a cancel or an exhausted quota noticed) by a heartbeat thread -> what
it left in output/ copied out as hostile files -> the end classified (``KernelFailure``) -> on
success submission.csv is checked against the answer key here, outside the sandbox, and
submitted through ``submission_create`` like any upload, in the transaction that ends the run,
only if the lease is still ours.
"""

from __future__ import annotations

import errno
import io
import logging
import shutil
import signal
import sys
import tempfile
import zipfile
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction

import baselines
import scoring
from podium.competitions.answer_keys import prepared_solution
from podium.competitions.models import DataFile
from podium.competitions.selectors import active_solution
from podium.core import leases, sandbox
from podium.core.errors import DomainError
from podium.core.files import materialize
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun
from podium.kernels.services import (
    kernel_claim,
    kernel_heartbeat,
    kernel_holds_lease,
    kernel_log_append,
    kernel_mark_failed,
    kernel_mark_succeeded,
    kernel_store_files,
)
from podium.submissions.services import submission_create

logger = logging.getLogger(__name__)
PUBLIC_KINDS = (
    DataFile.Kind.TRAIN,
    DataFile.Kind.TEST,
    DataFile.Kind.SAMPLE_SUBMISSION,
    DataFile.Kind.OTHER,
)


class _Heartbeat(leases.Heartbeat):
    """Keeps the lease, charges the team's hours, and notices a cancel or an exhausted quota."""

    def __init__(self, run_id: int, worker: str) -> None:
        super().__init__(interval=settings.KERNEL_LEASE_SECONDS / 3, name=f"kernel-lease-{run_id}")
        self.run_id, self.worker = run_id, worker
        self.stop_reason = ""  # "cancel" or "quota"

    def beat(self) -> bool:
        beat = kernel_heartbeat(run_id=self.run_id, worker=self.worker)
        self.stop_reason = self.stop_reason or beat.stop
        return beat.held


def execute(*, run_id: int, worker: str) -> str:
    """What happened: 'succeeded', 'failed', 'cancelled', 'lost' or 'skipped'."""
    close_old_connections()
    run = kernel_claim(run_id=run_id, worker=worker)
    if run is None:
        return "skipped"
    heartbeat = _Heartbeat(run.pk, worker)
    heartbeat.start()
    root = Path(settings.SANDBOX_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    results = Path(tempfile.mkdtemp(prefix=f"kernel-{run.pk}-", dir=root))
    try:
        return _execute(run, worker, results, heartbeat)
    except sandbox.SandboxUnavailable as exc:
        logger.error("Kernel run %s: no sandbox on this worker: %s", run.pk, exc)
        written = kernel_mark_failed(
            run_id=run.pk,
            worker=worker,
            failure=KernelFailure.SANDBOX_UNAVAILABLE,
            message=f"Nothing ran: this worker cannot sandbox untrusted code. {exc}"[:2000],
        )
        return "failed" if written else "lost"
    except Exception as exc:
        logger.exception("Kernel run %s: the sandbox failed", run.pk)
        written = kernel_mark_failed(
            run_id=run.pk,
            worker=worker,
            failure=KernelFailure.SANDBOX_ERROR,
            message="The server could not run this kernel; the operators can see why.",
            detail=f"{type(exc).__name__}",
        )
        return "failed" if written else "lost"
    finally:
        heartbeat.stop()
        shutil.rmtree(results, ignore_errors=True)


def _code(run: KernelRun) -> dict[str, Path | bytes]:
    if run.source == KernelRun.Source.BASELINE:
        return {
            "baselines": Path(baselines.__file__).parent,
            "scoring": Path(scoring.__file__).parent,
            "config.yaml": run.config.encode(),
        }
    with run.script.open("rb") as script:
        return {"kernel.py": script.read()}


def _command(run: KernelRun) -> list[str]:
    python = [sys.executable, "-s", "-u"]
    if run.source == KernelRun.Source.BASELINE:
        return [
            *python,
            "-m",
            "baselines",
            "run",
            "code/config.yaml",
            "--data",
            "input",
            "--out",
            "output",
        ]
    return [*python, "code/kernel.py"]


def _limits(run: KernelRun) -> sandbox.Limits:
    return sandbox.Limits(
        wall_seconds=run.wall_seconds,
        cpu_seconds=run.cpu_seconds,
        memory_mb=run.memory_mb,
        work_mb=run.output_mb,
        tmp_mb=settings.KERNEL_TMP_MB,
        processes=settings.KERNEL_MAX_PROCESSES,
        gpu=run.queue == "gpu",
        gpu_devices=settings.KERNEL_GPU_DEVICES,
        threads=settings.KERNEL_THREADS,
    )


def _execute(run: KernelRun, worker: str, results: Path, heartbeat: _Heartbeat) -> str:
    attempt = run.attempts
    kernel_log_append(
        run_id=run.pk,
        attempt=attempt,
        text=(
            f"[podium: attempt {attempt} on {worker}, queue {run.queue}; limits: "
            f"{run.wall_seconds} s wall, {run.memory_mb} MB memory, {run.output_mb} MB disk, "
            f"{settings.KERNEL_MAX_PROCESSES} processes]\n"
        ),
    )
    with ExitStack() as stack:
        inputs = {}
        for data_file in run.competition.data_files.filter(kind__in=PUBLIC_KINDS):
            inputs[data_file.name] = stack.enter_context(materialize(data_file.file))
        outcome = sandbox.run(
            _command(run),
            root=Path(settings.SANDBOX_ROOT),
            inputs=inputs,
            code=_code(run),
            limits=_limits(run),
            result_dir=results,
            on_output=lambda text: kernel_log_append(run_id=run.pk, attempt=attempt, text=text),
            should_stop=lambda: bool(heartbeat.stop_reason) or heartbeat.lost,
            log_max_bytes=settings.KERNEL_LOG_MAX_BYTES,
        )
    if heartbeat.lost and not heartbeat.stop_reason:
        return "lost"
    if outcome.leftovers_killed:
        kernel_log_append(
            run_id=run.pk,
            attempt=attempt,
            text=(
                f"[podium: {outcome.leftovers_killed} processes still running when the kernel "
                "ended were killed]\n"
            ),
        )
    failure = _classify(run, outcome, heartbeat.stop_reason)
    output_path = results / "output" / "submission.csv"
    has_output = "output/submission.csv" in outcome.copied
    output = File(output_path.open("rb"), name="submission.csv") if has_output else None
    try:
        kernel_store_files(run=run, output=output, artifacts=_artifacts(run, results, outcome))
    finally:
        if output is not None:
            output.close()
    common = {
        "exit_code": outcome.exit_code,
        "cpu_seconds": outcome.cpu_seconds,
        "sandbox": outcome.sandbox,
    }
    if failure is not None:
        code, message, detail = failure
        written = kernel_mark_failed(
            run_id=run.pk, worker=worker, failure=code, message=message, detail=detail, **common
        )
        return ("cancelled" if code == KernelFailure.CANCELLED else "failed") if written else "lost"
    return _submit(run, worker, output_path, common)


def _text(value, limit: int) -> str:
    return str(value if isinstance(value, (str, int)) else "")[:limit]


def _classify(run: KernelRun, outcome: sandbox.Outcome, stop_reason: str):
    """(failure, message, detail), or None when it exited 0 and left a clean submission.csv.
    The exception record is the kernel's own word (it could have written it): it only ever
    picks among the failures and is shown to whoever may see the run."""
    if stop_reason == "quota":
        return (
            KernelFailure.QUOTA_EXCEEDED,
            "Your team's compute hours for kernels ran out while it ran: it was stopped.",
            "",
        )
    if outcome.cancelled:
        return KernelFailure.CANCELLED, "Cancelled while running.", ""
    if outcome.timed_out:
        return (
            KernelFailure.TIMEOUT,
            f"It ran past its time limit of {run.wall_seconds} s and was stopped.",
            "",
        )
    if outcome.signal == signal.SIGXCPU:
        return (
            KernelFailure.TIMEOUT,
            f"It used more than its {run.cpu_seconds} s of CPU time and was stopped.",
            "",
        )
    error = outcome.exception or {}
    kind, number = _text(error.get("type"), 100), error.get("errno")
    message, trace = _text(error.get("message"), 500), _text(error.get("traceback"), 20000)
    unsafe = [r for r in outcome.refused if r.startswith("output/") and "cap" not in r]
    if unsafe:
        return (
            KernelFailure.UNSAFE_OUTPUT,
            "It left files Podium does not read back (only regular files are): "
            + "; ".join(unsafe[:10])[:1500],
            "",
        )
    full = (
        number in (errno.ENOSPC, errno.EFBIG)
        or outcome.signal == signal.SIGXFSZ
        or any("cap" in r for r in outcome.refused)
        or "No space left on device" in outcome.log[-4000:]
    )
    if full and outcome.copied_bytes >= 0.9 * run.output_mb * 1024 * 1024:
        return (
            KernelFailure.OUTPUT_TOO_LARGE,
            f"It wrote more than its output limit of {run.output_mb} MB.",
            trace,
        )
    if full:
        return (
            KernelFailure.DISK_FULL,
            f"It filled its disk ({run.output_mb} MB for its folder, "
            f"{settings.KERNEL_TMP_MB} MB each for /tmp and /dev/shm).",
            trace,
        )
    if number == errno.EAGAIN and kind == "BlockingIOError":
        return (
            KernelFailure.PROCESS_LIMIT,
            f"It tried to start more than {settings.KERNEL_MAX_PROCESSES} processes and threads.",
            trace,
        )
    if kind == "MemoryError" or "OutOfMemory" in kind or outcome.signal == signal.SIGKILL:
        return (
            KernelFailure.MEMORY,
            f"It ran out of memory (limit {run.memory_mb} MB).",
            trace or "Killed (SIGKILL): most likely out of memory.",
        )
    if outcome.exit_code != 0:
        if kind:
            return KernelFailure.EXCEPTION, f"It raised {kind}: {message}"[:500], trace
        how = f"signal {outcome.signal}" if outcome.signal else f"exit code {outcome.exit_code}"
        return KernelFailure.EXCEPTION, f"It stopped with {how}; see its log.", ""
    if "output/submission.csv" not in outcome.copied:
        return (
            KernelFailure.OUTPUT_NOT_FOUND,
            "It finished without writing output/submission.csv.",
            "",
        )
    return None


def _artifacts(run: KernelRun, results: Path, outcome: sandbox.Outcome) -> ContentFile | None:
    """The code (Podium's own copy) and the output folder as copied out, as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, source in sorted(_code(run).items()):
            if isinstance(source, bytes):
                archive.writestr(f"code/{rel}", source)
            elif source.is_dir():
                for path in sorted(source.rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        archive.write(path, f"code/{rel}/{path.relative_to(source).as_posix()}")
        for rel in outcome.copied:
            if rel.startswith("output/"):
                archive.write(results / rel, rel)
    return ContentFile(buffer.getvalue(), name="artifacts.zip")


def _submit(run: KernelRun, worker: str, path: Path, common: dict) -> str:
    """Check submission.csv against the answer key (outside the sandbox), then submit it, in
    the transaction that ends the run, while the lease is still ours."""
    failed = None
    version = active_solution(run.competition)
    if version is None:
        failed = "The competition has no answer key yet: nothing was submitted."
    else:
        try:
            scoring.read_submission(
                prepared_solution(version), path, max_bytes=run.competition.submission_max_bytes
            )
        except scoring.SubmissionError as exc:
            failed = f"submission.csv is not a valid submission: {exc.message}"
        except (scoring.ScoringError, DomainError) as exc:
            failed = f"submission.csv could not be checked: {exc}"
    if failed is None:
        submitter = run.team.leader if run.is_baseline and run.team else run.created_by
        try:
            with transaction.atomic():
                if not kernel_holds_lease(run_id=run.pk, worker=worker):
                    return "lost"
                with path.open("rb") as handle:
                    submission = submission_create(
                        user=submitter,
                        competition=run.competition,
                        file=File(handle, name="submission.csv"),
                        description=f"Kernel: {run.title} (run {run.pk})",
                    )
                kernel_mark_succeeded(
                    run_id=run.pk, worker=worker, submission_id=submission.pk, **common
                )
            return "succeeded"
        except DomainError as exc:
            failed = f"The submission was refused: {exc.message}"
    written = kernel_mark_failed(
        run_id=run.pk,
        worker=worker,
        failure=KernelFailure.OUTPUT_REFUSED,
        message=failed[:2000],
        **common,
    )
    return "failed" if written else "lost"
