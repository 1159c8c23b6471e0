"""Running one kernel, start to finish, safe to run any number of times.

claim the lease -> fresh working folder with the public data files (never the answer key) ->
the sandboxed process, its output streamed to the log, the lease kept alive (and a cancel
noticed) by a heartbeat thread -> the end classified (timeout, memory, exception, output not
found, output too large, scoring error) -> on success submission.csv is checked against the
answer key here, outside the sandbox, and submitted through ``submission_create`` like any
upload, in the transaction that ends the run, only if the lease is still ours.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import signal
import sys
import threading
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction

import baselines
import scoring
from podium.competitions.models import DataFile
from podium.competitions.selectors import active_solution
from podium.competitions.services import prepared_solution
from podium.core.errors import DomainError
from podium.core.files import local_path
from podium.kernels import sandbox
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
PUBLIC_KINDS = (DataFile.Kind.TRAIN, DataFile.Kind.TEST, DataFile.Kind.SAMPLE_SUBMISSION,
                DataFile.Kind.OTHER)


class _Heartbeat(threading.Thread):
    def __init__(self, run_id: int, worker: str) -> None:
        super().__init__(daemon=True, name=f"kernel-lease-{run_id}")
        self.run_id, self.worker = run_id, worker
        self.stopped = threading.Event()
        self.lost = self.cancel = False

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.KERNEL_LEASE_SECONDS / 3):
                held, cancel = kernel_heartbeat(run_id=self.run_id, worker=self.worker)
                self.cancel = self.cancel or cancel
                if not held:
                    self.lost = True
                    return
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def execute(*, run_id: int, worker: str) -> str:
    """What happened: 'succeeded', 'failed', 'cancelled', 'lost' or 'skipped'."""
    close_old_connections()
    run = kernel_claim(run_id=run_id, worker=worker)
    if run is None:
        return "skipped"
    heartbeat = _Heartbeat(run.pk, worker)
    heartbeat.start()
    workdir = None
    try:
        workdir = _workdir(run)
        return _execute(run, worker, workdir, heartbeat)
    except Exception as exc:  # noqa: BLE001 - the sandbox could not start: end it, say why
        logger.exception("Kernel run %s: the sandbox failed", run.pk)
        written = kernel_mark_failed(
            run_id=run.pk, worker=worker, failure=KernelFailure.SANDBOX_ERROR,
            message="The server could not run this kernel; the operators can see why.",
            detail=f"{type(exc).__name__}: {exc}",
        )
        return "failed" if written else "lost"
    finally:
        heartbeat.stop()
        if workdir is not None and not settings.KERNEL_KEEP_WORKDIRS:
            shutil.rmtree(workdir, ignore_errors=True)


def _workdir(run: KernelRun) -> Path:
    inputs = {}
    for data_file in run.competition.data_files.filter(kind__in=PUBLIC_KINDS):
        with local_path(data_file.file) as path:  # a copy: the original is never exposed
            inputs[data_file.name] = Path(path)
    code: dict[str, Path | bytes] = {}
    if run.source == KernelRun.Source.BASELINE:
        code["baselines"] = Path(baselines.__file__).parent
        code["scoring"] = Path(scoring.__file__).parent
        code["config.yaml"] = run.config.encode()
    else:
        with run.script.open("rb") as script:
            code["kernel.py"] = script.read()
    root = Path(settings.KERNEL_WORK_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return sandbox.prepare_workdir(root, f"run-{run.uuid.hex}-{run.attempts}", inputs, code)


def _command(run: KernelRun) -> list[str]:
    python = [sys.executable, "-s", "-u"]
    if run.source == KernelRun.Source.BASELINE:
        return [*python, "-m", "baselines", "run", "code/config.yaml", "--data", "input",
                "--out", "output"]
    return [*python, "code/kernel.py"]


def _deny() -> list[str]:
    return [str(p) for p in (settings.SOLUTIONS_ROOT, settings.MEDIA_ROOT, settings.DATA_DIR)]


def _execute(run: KernelRun, worker: str, workdir: Path, heartbeat: _Heartbeat) -> str:
    gpu = run.queue == "gpu"
    limits = sandbox.Limits(
        wall_seconds=run.wall_seconds, cpu_seconds=run.cpu_seconds, memory_mb=run.memory_mb,
        output_mb=run.output_mb, gpu=gpu, gpu_devices=settings.KERNEL_GPU_DEVICES,
        threads=settings.KERNEL_THREADS,
    )
    attempt = run.attempts
    kernel_log_append(run_id=run.pk, attempt=attempt, text=(
        f"[podium: attempt {attempt} on {worker}, queue {run.queue}; limits: "
        f"{run.wall_seconds} s wall, {run.memory_mb} MB, {run.output_mb} MB output]\n"))
    outcome = sandbox.run(
        _command(run), workdir, limits, deny=_deny(),
        on_output=lambda text: kernel_log_append(run_id=run.pk, attempt=attempt, text=text),
        should_stop=lambda: heartbeat.cancel or heartbeat.lost,
        use_bwrap=settings.KERNEL_USE_BWRAP, log_max_bytes=settings.KERNEL_LOG_MAX_BYTES,
    )
    if heartbeat.lost and not heartbeat.cancel:
        return "lost"
    failure = _classify(run, workdir, outcome)
    artifacts = _artifacts(workdir)
    output_path = workdir / "output" / "submission.csv"
    output = File(output_path.open("rb"), name="submission.csv") if output_path.exists() else None
    try:
        kernel_store_files(run=run, output=output, artifacts=artifacts)
    finally:
        if output is not None:
            output.close()
    common = {"exit_code": outcome.exit_code, "cpu_seconds": outcome.cpu_seconds,
              "sandbox": outcome.sandbox}
    if failure is not None:
        code, message, detail = failure
        written = kernel_mark_failed(run_id=run.pk, worker=worker, failure=code, message=message,
                                     detail=detail, **common)
        return ("cancelled" if code == KernelFailure.CANCELLED else "failed") if written else "lost"
    return _submit(run, worker, output_path, common)


def _exception(workdir: Path) -> dict | None:
    path = workdir / ".podium" / "exception.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _classify(run: KernelRun, workdir: Path, outcome: sandbox.Outcome):
    """(failure, message, detail), or None when it exited 0 with a submission.csv."""
    if outcome.cancelled:
        return KernelFailure.CANCELLED, "Cancelled while running.", ""
    if outcome.timed_out:
        return (KernelFailure.TIMEOUT,
                f"It ran past its time limit of {run.wall_seconds} s and was stopped.", "")
    if outcome.signal == signal.SIGXCPU:
        return (KernelFailure.TIMEOUT,
                f"It used more than its {run.cpu_seconds} s of CPU time and was stopped.", "")
    output_bytes = sandbox.folder_bytes(workdir / "output")
    error = _exception(workdir)
    too_large = "[Errno 27]" in (error or {}).get("message", "")  # EFBIG: RLIMIT_FSIZE
    if outcome.signal == signal.SIGXFSZ or too_large or output_bytes > run.output_mb * 1024 * 1024:
        return (KernelFailure.OUTPUT_TOO_LARGE,
                f"It wrote more than its output limit of {run.output_mb} MB.", "")
    kind = (error or {}).get("type", "")
    if kind == "MemoryError" or "OutOfMemory" in kind or outcome.signal == signal.SIGKILL:
        return (KernelFailure.MEMORY,
                f"It ran out of memory (limit {run.memory_mb} MB).",
                (error or {}).get("traceback", "Killed (SIGKILL): most likely out of memory."))
    if outcome.exit_code != 0:
        if error:
            return (KernelFailure.EXCEPTION, f"It raised {kind}: {error.get('message', '')}"[:500],
                    error.get("traceback", ""))
        how = f"signal {outcome.signal}" if outcome.signal else f"exit code {outcome.exit_code}"
        return KernelFailure.EXCEPTION, f"It stopped with {how}; see its log.", ""
    if not (workdir / "output" / "submission.csv").exists():
        return (KernelFailure.OUTPUT_NOT_FOUND,
                "It finished without writing output/submission.csv.", "")
    return None


def _artifacts(workdir: Path) -> ContentFile | None:
    """The code and the output folder (logs, checkpoints, submission.csv) as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sub in ("code", "output"):
            for path in sorted((workdir / sub).rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.write(path, path.relative_to(workdir).as_posix())
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
            scoring.read_submission(prepared_solution(version), path,
                                    max_bytes=run.competition.submission_max_bytes)
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
                        user=submitter, competition=run.competition,
                        file=File(handle, name="submission.csv"),
                        description=f"Kernel: {run.title} (run {run.pk})",
                    )
                kernel_mark_succeeded(run_id=run.pk, worker=worker, submission_id=submission.pk,
                                      **common)
            return "succeeded"
        except DomainError as exc:
            failed = f"The submission was refused: {exc.message}"
    written = kernel_mark_failed(run_id=run.pk, worker=worker,
                                 failure=KernelFailure.SCORING_ERROR, message=failed[:2000],
                                 **common)
    return "failed" if written else "lost"
