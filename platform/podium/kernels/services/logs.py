"""A run's log: the chunks its worker appends as the kernel writes (``kernel_log_append``).

Locking: none. The worker holding the run's lease writes its log (and the reconciler one line
when it takes the run back), so two writers never share a run; each chunk takes the next ``seq``
of the run, and the unique (run, seq) constraint turns a race into a retry.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from podium.core.text import storable
from podium.kernels.models import KernelLogChunk


def kernel_log_append(*, run_id: int, attempt: int, text: str) -> None:
    for _ in range(3):  # two writers never share a run (the lease), but be safe on the seq
        last = KernelLogChunk.objects.filter(run_id=run_id).aggregate(m=Max("seq"))["m"] or 0
        try:
            with transaction.atomic():
                KernelLogChunk.objects.create(
                    run_id=run_id, attempt=attempt, seq=last + 1, text=storable(text)
                )
            return
        except IntegrityError:
            continue
