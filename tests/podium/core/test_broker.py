"""podium.core.broker: kombu's filesystem transport with each message published atomically.

Pinned: a message is written under a name no consumer takes and renamed into the queue whole (a
consumer polling mid-write sees nothing, never an empty file); a failed write leaves no file and
raises kombu's ChannelError; two consumers never take the same message; a publisher and a
consumer running together lose and corrupt nothing; settings pick this transport for a folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from kombu import Connection
from kombu.exceptions import ChannelError
from kombu.utils.json import loads

from podium.core import broker

QUEUE = "jobs"


@pytest.fixture
def folders(tmp_path):
    for sub in ("queue", "processed", "control"):
        (tmp_path / sub).mkdir()
    return tmp_path


def connect(folders, **options) -> Connection:
    return Connection(
        transport=broker.AtomicFilesystemTransport,
        transport_options={
            "data_folder_in": str(folders / "queue"),
            "data_folder_out": str(folders / "queue"),
            "processed_folder": str(folders / "processed"),
            "store_processed": False,
            "control_folder": str(folders / "control"),
            **options,
        },
    )


def drain(channel) -> list:
    taken = []
    while True:
        try:
            taken.append(channel._get(QUEUE))
        except broker.filesystem.Empty:
            return taken


def test_a_message_goes_through_whole(folders):
    with connect(folders) as connection:
        queue = connection.SimpleQueue(QUEUE)
        queue.put({"task": "score", "args": [1, "é"]})
        message = queue.get(timeout=1)
        assert message.payload == {"task": "score", "args": [1, "é"]}
        message.ack()
        queue.close()
    names = os.listdir(folders / "queue")
    assert names == []  # taken, and no partial file left behind


def test_the_transport_uses_the_atomic_channel(folders):
    with connect(folders) as connection:
        assert isinstance(connection.default_channel, broker.AtomicChannel)


def test_a_consumer_sees_nothing_while_a_message_is_written(folders, monkeypatch):
    """kombu's own _put creates '<queue>.msg' first and fills it after: a consumer polling in
    between took an empty file and died on json.loads(''). Here the file being written is
    invisible to _get, _size and _purge until it is renamed, complete, into the queue."""
    seen = {}
    real_dumps = broker.dumps

    with connect(folders) as publisher, connect(folders) as consumer:
        reader = consumer.default_channel

        def dumps_while_watched(payload):
            names = os.listdir(folders / "queue")
            seen["names"] = names
            seen["size"] = reader._size(QUEUE)
            with pytest.raises(broker.filesystem.Empty):
                reader._get(QUEUE)
            seen["purged"] = reader._purge(QUEUE)
            return real_dumps(payload)

        monkeypatch.setattr(broker, "dumps", dumps_while_watched)
        publisher.default_channel._put(QUEUE, {"n": 1})
        monkeypatch.setattr(broker, "dumps", real_dumps)

        [partial] = seen["names"]  # the file being written existed, under a hidden name
        assert partial.startswith(".") and partial.endswith(f".{QUEUE}.msg.partial")
        assert seen["size"] == 0 and seen["purged"] == 0
        [final] = os.listdir(folders / "queue")
        assert final == partial[1:].removesuffix(".partial")
        assert reader._size(QUEUE) == 1
        assert reader._get(QUEUE) == {"n": 1}


def test_a_failed_write_leaves_no_file_and_says_so(folders, monkeypatch):
    def disk_full(payload):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(broker, "dumps", disk_full)
    with connect(folders) as connection:
        with pytest.raises(ChannelError, match="Cannot add file"):
            connection.default_channel._put(QUEUE, {"n": 1})
    assert os.listdir(folders / "queue") == []


def test_a_missing_queue_folder_is_a_channel_error(folders):
    with connect(folders, data_folder_out=str(folders / "gone")) as connection:
        with pytest.raises(ChannelError):
            connection.default_channel._put(QUEUE, {"n": 1})


def test_two_consumers_never_take_the_same_message(folders):
    count = 300
    with connect(folders) as publisher:
        for n in range(count):
            publisher.default_channel._put(QUEUE, {"n": n})

    start = threading.Barrier(2)
    taken: dict[int, list] = {}
    errors: list[BaseException] = []

    def consume(worker: int) -> None:
        try:
            with connect(folders) as connection:
                channel = connection.default_channel
                start.wait(5)
                taken[worker] = [m["n"] for m in drain(channel)]
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=consume, args=(w,)) for w in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == list(range(count))


PUBLISHER = """
import sys
from kombu import Connection
from podium.core.broker import AtomicFilesystemTransport

folder, count = sys.argv[1], int(sys.argv[2])
options = {"data_folder_in": folder, "data_folder_out": folder}
with Connection(transport=AtomicFilesystemTransport, transport_options=options) as connection:
    for n in range(count):
        connection.default_channel._put("jobs", {"n": n, "pad": "x" * 4096})
"""


def test_a_consumer_polling_during_publishing_loses_and_corrupts_nothing(folders):
    """The end-to-end race the module was written for: a publisher in another process (as the
    web and the worker are) and a consumer polling as fast as it can; every message arrives
    once, whole."""
    count = 500
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(folders / "queue"), str(count)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    received = []
    try:
        with connect(folders) as consumer:
            channel = consumer.default_channel
            while publisher.poll() is None:
                received.extend(drain(channel))  # a half-written file would raise here
            received.extend(drain(channel))
    finally:
        publisher.kill()
        publisher.wait()
    assert publisher.returncode == 0
    assert sorted(m["n"] for m in received) == list(range(count))
    assert all(m["pad"] == "x" * 4096 for m in received)


def test_the_message_file_holds_the_json_payload(folders):
    with connect(folders) as connection:
        connection.default_channel._put(QUEUE, {"body": "abc", "headers": {"id": 7}})
    [name] = os.listdir(folders / "queue")
    assert name.endswith(f".{QUEUE}.msg") and not name.startswith(".")
    assert loads((folders / "queue" / name).read_bytes()) == {"body": "abc", "headers": {"id": 7}}


def test_settings_choose_it_for_a_folder_broker():
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):  # Redis in CI: nothing to choose
        assert settings.CELERY_BROKER_TRANSPORT == "podium.core.broker:AtomicFilesystemTransport"
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert options["data_folder_in"] == options["data_folder_out"]
