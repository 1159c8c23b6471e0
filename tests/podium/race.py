"""Concurrency tests' one helper: calls started at the same instant, each in its own thread
with its own database connection (closed after), so the database sees real concurrent
transactions rather than one connection's turns."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same instant, one thread each; their results or exceptions, in the
    calls' order."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted by the caller
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
