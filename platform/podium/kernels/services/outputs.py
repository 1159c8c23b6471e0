"""A run's files: its ``submission.csv`` and its artifacts zip, stored when the kernel ends.

Locking: none. The worker holding the run's lease stores the files, then writes their names in
one UPDATE of the run's file fields (it is not filtered on the lease: the run's end, which is,
comes after).
"""

from __future__ import annotations

from django.core.files import File

from podium.kernels.models import KernelRun


def kernel_store_files(*, run: KernelRun, output: File | None, artifacts: File | None) -> None:
    fields = []
    if output is not None:
        run.output.save("submission.csv", output, save=False)
        fields.append("output")
    if artifacts is not None:
        run.artifacts.save("artifacts.zip", artifacts, save=False)
        fields.append("artifacts")
    if fields:
        KernelRun.objects.filter(pk=run.pk).update(**{f: getattr(run, f).name for f in fields})
