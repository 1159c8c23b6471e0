"""gunicorn's threaded worker with its threads split in two pools: reads (GET, HEAD, OPTIONS)
and writes (everything else: uploads, forms). A request waits only for a thread of its own
kind, so a burst of uploads on deadline day never queues a board read behind it (issue 15:
with one pool, 32 uploading clients held every thread and the board's p95 reached seconds).

Which pool: the request line's method, peeked from the socket (``MSG_PEEK``, nothing consumed)
when the connection becomes readable, before a thread takes it. Anything unreadable (TLS ended
in gunicorn itself, a client gone) goes to the reads, as one pool would have it.

Sizes: ``threads`` (``PODIUM_WEB_THREADS``) in all, ``PODIUM_WEB_WRITE_THREADS`` of them for
writes (half by default, at least one each): the same number of threads, and so of database
connections, as the plain threaded worker. The GIL is handed over every
``PODIUM_WEB_SWITCH_INTERVAL_MS`` (1) instead of Python's 5 ms (``switch_interval``).
"""

from __future__ import annotations

import os
import socket
import sys
from concurrent import futures

from gunicorn.workers.gthread import ThreadWorker

READS = (b"GET ", b"HEAD ", b"OPTIONS ")


def pool_sizes(threads: int, writes: str | None) -> tuple[int, int]:
    """(read threads, write threads) out of ``threads``."""
    threads = max(2, threads)
    wanted = int(writes) if writes and writes.strip().isdigit() else threads // 2
    write = min(max(1, wanted), threads - 1)
    return threads - write, write


def switch_interval(milliseconds: str | None) -> float:
    """Seconds between the interpreter's GIL hand-offs in a web worker: 1 ms unless set (Python's
    default is 5 ms). A thread back from the database or Redis waits up to this long for the GIL
    while a busy thread holds it, several times per request: at 5 ms a cached board read took
    hundreds of ms beside uploads, and uploads were accepted slower too (issue 15's burst)."""
    try:
        value = float(milliseconds) if milliseconds else 1.0
    except ValueError:
        value = 1.0
    return min(max(value, 0.1), 100.0) / 1000


def is_read(sock: socket.socket) -> bool:
    try:
        head = sock.recv(8, socket.MSG_PEEK)
    except (BlockingIOError, OSError):
        return True
    return not head or head.startswith(READS)


class SplitThreadWorker(ThreadWorker):
    def init_process(self):
        sys.setswitchinterval(switch_interval(os.environ.get("PODIUM_WEB_SWITCH_INTERVAL_MS")))
        reads, writes = pool_sizes(self.cfg.threads, os.environ.get("PODIUM_WEB_WRITE_THREADS"))
        self.read_threads, self.write_threads = reads, writes
        self.write_pool = futures.ThreadPoolExecutor(max_workers=writes, thread_name_prefix="write")
        super().init_process()

    def get_thread_pool(self):
        return futures.ThreadPoolExecutor(max_workers=self.read_threads, thread_name_prefix="read")

    def enqueue_req(self, conn):
        pool = self.tpool if self.cfg.is_ssl or is_read(conn.sock) else self.write_pool
        conn.init()
        self._wrap_future(pool.submit(self.handle, conn), conn)

    def handle_quit(self, sig, frame):
        self.write_pool.shutdown(False)
        super().handle_quit(sig, frame)

    def run(self):
        try:
            super().run()
        finally:
            self.write_pool.shutdown(False)
