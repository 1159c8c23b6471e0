"""The load benchmark's HTTP traffic, from threads of this process to 127.0.0.1.

* ``burst``: N uploads through ``POST /api/v1/competitions/<slug>/submissions/`` (what the
  podium CLI calls) from one thread per participant key, while reader threads fetch the board
  page and the API board back to back until the last upload is answered.
* ``hammer``: one path fetched back to back from N threads for a fixed time.

Each client thread keeps one HTTP/1.1 connection (reopened when the server closes it), as a
browser or ``requests`` would.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import uuid

from benchmarks import platform_common as common

TIMEOUT_S = 120


class Client:
    """One keep-alive connection to 127.0.0.1:``port``."""

    def __init__(self, port: int, headers: dict | None = None) -> None:
        self.port = port
        self.headers = {"Host": "127.0.0.1", **(headers or {})}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> int:
        """The status; 0 when the connection failed (counted as an error, never retried)."""
        try:
            self.conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            response = self.conn.getresponse()
            response.read()
            if response.will_close:
                self.conn.close()
            return response.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return 0

    def close(self) -> None:
        self.conn.close()


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def _statuses(codes: list[int]) -> dict:
    return {
        "ok": sum(200 <= c < 300 for c in codes),
        "4xx": sum(400 <= c < 500 for c in codes),
        "5xx": sum(c >= 500 for c in codes),
        "failed": sum(c == 0 for c in codes),
    }


def burst(
    port: int,
    slug: str,
    keys: list[str],
    files: list[bytes],
    uploads: int,
    *,
    readers: int,
    reader_key: str,
    limit_s: float = 600.0,
) -> dict:
    """``uploads`` uploads, one thread per key in ``keys``, file i % len(files) for upload i;
    ``readers`` threads alternate the board page and the API board until the uploads end. No
    upload starts after ``limit_s`` (those left are reported as ``unsent``)."""
    counter = itertools.count()
    lock = threading.Lock()
    upload_codes: list[int] = []
    upload_s: list[float] = []
    reads: dict[str, list[float]] = {"page": [], "api": []}
    read_codes: list[int] = []
    done = threading.Event()
    path = f"/api/v1/competitions/{slug}/submissions/"
    board = {
        "page": (f"/competitions/{slug}/leaderboard/", {}),
        "api": (
            f"/api/v1/competitions/{slug}/leaderboard/",
            {"Authorization": f"Token {reader_key}"},
        ),
    }

    def uploader(key: str) -> None:
        client = Client(port, {"Authorization": f"Token {key}"})
        codes, times = [], []
        while time.perf_counter() < give_up and (i := next(counter)) < uploads:
            body, boundary = multipart(f"upload{i}.csv", files[i % len(files)])
            start = time.perf_counter()
            codes.append(
                client.request(
                    "POST",
                    path,
                    body,
                    {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                )
            )
            times.append(time.perf_counter() - start)
        client.close()
        with lock:
            upload_codes.extend(codes)
            upload_s.extend(times)

    def reader(first: int) -> None:
        clients = {kind: Client(port, headers) for kind, (_, headers) in board.items()}
        mine: dict[str, list[float]] = {"page": [], "api": []}
        codes = []
        for n in itertools.count(first):
            if done.is_set():
                break
            kind = ("page", "api")[n % 2]
            start = time.perf_counter()
            codes.append(clients[kind].request("GET", board[kind][0]))
            mine[kind].append(time.perf_counter() - start)
        for client in clients.values():
            client.close()
        with lock:
            for kind, times in mine.items():
                reads[kind].extend(times)
            read_codes.extend(codes)

    for read_path, headers in board.values():  # warm-up: imports, templates, caches
        warm = Client(port, headers)
        for _ in range(3):
            if (status := warm.request("GET", read_path)) != 200:
                raise RuntimeError(f"GET {read_path} answered {status} before the burst")
        warm.close()
    read_threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    upload_threads = [threading.Thread(target=uploader, args=(key,)) for key in keys]
    started = time.perf_counter()
    give_up = started + limit_s
    for thread in read_threads + upload_threads:
        thread.start()
    for thread in upload_threads:
        thread.join()
    wall = time.perf_counter() - started
    done.set()
    for thread in read_threads:
        thread.join()
    return {
        "uploads": uploads,
        "clients": len(keys),
        "readers": readers,
        "wall_s": wall,
        "unsent": uploads - len(upload_codes),
        "upload": {**_statuses(upload_codes), **common.summary_ms(upload_s)},
        "accepted_per_s": sum(c == 201 for c in upload_codes) / wall,
        "board_page": {**common.summary_ms(reads["page"] or [float("nan")])},
        "board_api": {**common.summary_ms(reads["api"] or [float("nan")])},
        "reads": _statuses(read_codes),
    }


WARM_S = 1.0


def hammer(
    port: int, path: str, headers: dict, *, threads: int, seconds: float, keep_alive: bool = True
) -> dict:
    """``path`` fetched back to back from ``threads`` threads for ``seconds``, after as long a
    warm-up as ``WARM_S`` the same way (uncounted): every gunicorn worker has then answered, and
    none pays its first request's lazy imports inside the measurement. ``keep_alive=False``: a
    connection per request (``Connection: close``), as the podium CLI's one-off calls make; the
    kernel then spreads the requests over the workers, where a few kept-alive connections may
    all have landed on one."""
    if not keep_alive:
        headers = {**headers, "Connection": "close"}
    warm = Client(port, headers)
    if (status := warm.request("GET", path)) != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    warm.close()
    _fetch(port, path, headers, threads=threads, seconds=WARM_S)
    result = _fetch(port, path, headers, threads=threads, seconds=seconds)
    return {**result, "keep_alive": keep_alive}


def _fetch(port: int, path: str, headers: dict, *, threads: int, seconds: float) -> dict:
    lock = threading.Lock()
    latencies: list[float] = []
    codes: list[int] = []
    deadline = time.perf_counter() + seconds

    def client() -> None:
        mine, got = [], []
        conn = Client(port, headers)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            got.append(conn.request("GET", path))
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            codes.extend(got)

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "path": path,
        "threads": threads,
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": common.percentile(latencies, 0.5) * 1000,
        "p99_ms": common.percentile(latencies, 0.99) * 1000,
        **_statuses(codes),
    }
