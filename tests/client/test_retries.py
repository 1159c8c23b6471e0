"""The CLI retries by itself (podium_client.http): a 503, a 429 with Retry-After and a refused
connection are tried again, waiting what the server asks, within a bound; a POST that may have
been recorded (the connection dropped after it was sent) is never sent twice.

Against a real HTTP server on 127.0.0.1 (the standard library's, in a thread) that answers from
a script; the waits are recorded (and not slept) where a test says so.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from podium_client import http
from podium_client.errors import ApiError, ConnectionFailure, Exit
from podium_client.http import Api
from podium_client.multipart import MultipartBody

RESET = "reset"  # close the connection after reading the request, without an answer


def busy(code: str = "service_unavailable", retry_after: int | None = 1, status: int = 503):
    body = {"error": {"code": code, "message": "Back soon.", "details": {}}}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return status, headers, body


OK = (200, {}, {"ok": True})


class Scripted(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answers, port: int = 0) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[str, str, bytes]] = []
        super().__init__(("127.0.0.1", port), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, body))
        answer = self.server.answers.pop(0) if self.server.answers else OK
        if answer == RESET:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, payload = answer
        data = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer


@pytest.fixture
def server():
    made: list[Scripted] = []

    def start(*answers, port: int = 0) -> Scripted:
        made.append(Scripted(answers, port))
        return made[-1]

    yield start
    for one in made:
        one.stop()


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_a_503_is_retried_after_what_retry_after_asks(server, capsys):
    podium = server(busy(), busy(retry_after=2), OK)
    waits = Waits()
    assert Api(podium.url, sleep=waits).get("competitions/") == {"ok": True}
    assert [path for _, path, _ in podium.seen] == ["/api/v1/competitions/"] * 3
    assert 1 <= waits[0] <= 1.25 and 2 <= waits[1] <= 2.5  # Retry-After, plus jitter
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Podium is busy (service_unavailable): retrying in ")
    assert err[0].endswith(" s, attempt 2 of 5") and err[1].endswith("attempt 3 of 5")


def test_really_waits(server, capsys):
    podium = server(busy(code="storage_full"), OK)
    api = Api(podium.url)
    started = time.monotonic()
    assert api.get("x/") == {"ok": True}
    assert 1 <= time.monotonic() - started < 3
    err = capsys.readouterr().err
    assert "Podium is busy (storage_full): retrying in 1 s, attempt 2 of 5" in err


def test_an_upload_is_sent_again_whole_after_a_503(server, tmp_path):
    upload = tmp_path / "predictions.csv"
    upload.write_bytes(b"id,target\n" + b"".join(b"%d,0.5\n" % i for i in range(5000)))
    podium = server(busy(), (201, {}, {"id": 7, "status": "pending"}))
    body = MultipartBody({"description": "x"}, "file", upload)
    response = Api(podium.url, sleep=Waits()).request(
        "POST",
        "competitions/c/submissions/",
        data=body,
        headers={"Content-Type": body.content_type, "Content-Length": str(len(body))},
    )
    assert response.status_code == 201
    (_, _, first), (_, _, second) = podium.seen
    assert first == second and len(first) == len(body) and upload.read_bytes() in first


def test_a_throttle_with_retry_after_is_retried_a_limit_without_it_is_not(server):
    podium = server(busy("throttled", retry_after=1, status=429), OK)
    assert Api(podium.url, sleep=Waits()).get("x/") == {"ok": True}
    assert len(podium.seen) == 2

    limit = server(busy("daily_limit_reached", retry_after=None, status=429))
    with pytest.raises(ApiError) as raised:
        Api(limit.url, sleep=Waits()).post("x/", {})
    assert raised.value.exit_code == Exit.LIMIT and len(limit.seen) == 1


def test_a_wait_longer_than_the_cap_is_reported_at_once(server):
    podium = server(busy("storage_full", retry_after=int(http.MAX_WAIT_S) + 90))
    waits = Waits()
    with pytest.raises(ApiError) as raised:
        Api(podium.url, sleep=waits).get("x/")
    assert raised.value.code == "storage_full" and raised.value.retry_after == 120
    assert waits == [] and len(podium.seen) == 1


def test_gives_up_after_the_last_try(server):
    podium = server(*[busy()] * 10)
    waits = Waits()
    with pytest.raises(ApiError) as raised:
        Api(podium.url, sleep=waits).get("x/")
    assert raised.value.status == 503 and raised.value.exit_code == Exit.API_ERROR
    assert len(podium.seen) == http.MAX_TRIES and len(waits) == http.MAX_TRIES - 1


def test_a_refused_connection_is_retried_until_the_server_is_back(server, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started: list[Scripted] = []

    def back_up(seconds: float) -> None:
        assert 1 <= seconds <= 1.25  # the first backoff
        started.append(server(OK, port=port))

    api = Api(f"http://127.0.0.1:{port}", sleep=back_up)
    assert api.post("competitions/c/join/", {}) == {"ok": True}  # nothing was sent: safe
    assert len(started[0].seen) == 1
    assert "Cannot reach Podium (connection refused): retrying in 1 s, attempt 2 of 5" in (
        capsys.readouterr().err
    )


def test_a_post_dropped_after_it_was_sent_is_never_sent_twice(server):
    podium = server(RESET, OK)
    waits = Waits()
    with pytest.raises(ConnectionFailure):
        Api(podium.url, sleep=waits).post("competitions/c/submissions/", {"a": 1})
    assert len(podium.seen) == 1 and waits == []


def test_a_get_dropped_mid_answer_is_retried(server):
    podium = server(RESET, OK)
    assert Api(podium.url, sleep=Waits()).get("x/") == {"ok": True}
    assert len(podium.seen) == 2


def test_other_errors_are_not_retried(server):
    podium = server((500, {}, {"error": {"code": "server_error", "message": "m"}}))
    with pytest.raises(ApiError):
        Api(podium.url, sleep=Waits()).get("x/")
    assert len(podium.seen) == 1
