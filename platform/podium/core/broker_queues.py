"""What the broker still holds: each queue's depth, and which rows a queue's messages name.

Read-only peeks, for the reconciler (it must not queue again what is still queued), the workers'
liveness check (a backlog that does not move) and the operators' metrics. Two brokers are known:
Redis (production: a list per queue, plus one per priority step) and the embedded filesystem
broker (one file per message, ``<time>_<uuid>.<queue>.msg``; see ``core/broker.py``). Anything
else answers None: unknown, and every caller then does what it did before it could peek.

A broker that cannot be reached also answers None, after a short timeout: a peek never blocks a
caller for long, and never raises.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a message of priority p > 0 in the list "<queue>\x06\x16<p>"
# (its default PRIORITY_STEPS and separator); priority 0 (Celery's default) in "<queue>".
_REDIS_PRIORITY_STEPS = (0, 3, 6, 9)
_REDIS_SEPARATOR = "\x06\x16"
_TIMEOUT_SECONDS = 2.0
_CHUNK = 500


def _broker_url() -> str:
    return settings.CELERY_BROKER_URL


def _redis():
    import redis

    return redis.Redis.from_url(
        _broker_url(), socket_timeout=_TIMEOUT_SECONDS, socket_connect_timeout=_TIMEOUT_SECONDS
    )


def _redis_keys(queue: str) -> list[str]:
    return [queue if p == 0 else f"{queue}{_REDIS_SEPARATOR}{p}" for p in _REDIS_PRIORITY_STEPS]


def _folder() -> Path:
    return Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])


def _folder_messages(queue: str) -> list[Path]:
    """The embedded broker's whole messages of ``queue`` (a dotted name is one being written)."""
    suffix = f".{queue}.msg"
    try:
        names = [e.name for e in _folder().iterdir()]
    except OSError:
        return []
    return sorted(_folder() / n for n in names if n.endswith(suffix) and not n.startswith("."))


def _kind() -> str | None:
    url = _broker_url()
    if url.startswith(("redis://", "rediss://")):
        return "redis"
    if url.startswith("filesystem://"):
        return "filesystem"
    return None


def queue_depths(queues: Iterable[str]) -> dict[str, int] | None:
    """Messages waiting in each queue (not those a worker has already taken); None: unknown."""
    queues = list(queues)
    try:
        if _kind() == "redis":
            client = _redis()
            with client.pipeline(transaction=False) as pipe:
                for queue in queues:
                    for key in _redis_keys(queue):
                        pipe.llen(key)
                lengths = pipe.execute()
            steps = len(_REDIS_PRIORITY_STEPS)
            return {q: sum(lengths[i * steps : (i + 1) * steps]) for i, q in enumerate(queues)}
        if _kind() == "filesystem":
            return {queue: len(_folder_messages(queue)) for queue in queues}
    except Exception as exc:  # noqa: BLE001 - whatever the client raises: unknown, not an error
        logger.warning("Could not read the broker's queue depths: %s", exc)
    return None


def _redis_payloads(queue: str, limit: int) -> Iterator[bytes]:
    client = _redis()
    seen = 0
    for key in _redis_keys(queue):
        start = 0
        while seen < limit:
            chunk = client.lrange(key, start, start + min(_CHUNK, limit - seen) - 1)
            if not chunk:
                break
            yield from chunk
            seen += len(chunk)
            start += len(chunk)


def _folder_payloads(queue: str, limit: int) -> Iterator[bytes]:
    for path in _folder_messages(queue)[:limit]:
        try:
            yield path.read_bytes()
        except OSError:  # taken by a worker between the listing and the read
            continue


def _task_and_args(payload: bytes) -> tuple[str, tuple] | None:
    """(task name, positional args) of one Celery message (protocol 2, JSON); None if not one."""
    try:
        message = json.loads(payload)
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return message["headers"]["task"], tuple(args)
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def queued_args(queue: str, task_name: str, *, limit: int = 20_000) -> set[tuple] | None:
    """The positional args of every ``task_name`` message waiting in ``queue`` (at most
    ``limit`` messages read); None when the broker cannot be read, or the queue holds more than
    ``limit`` (then a caller cannot tell what is missing from it)."""
    try:
        if _kind() == "redis":
            payloads = list(_redis_payloads(queue, limit + 1))
        elif _kind() == "filesystem":
            payloads = list(_folder_payloads(queue, limit + 1))
        else:
            return None
    except Exception as exc:  # noqa: BLE001 - whatever the client raises: unknown
        logger.warning("Could not read the broker's %s queue: %s", queue, exc)
        return None
    if len(payloads) > limit:
        return None
    found = set()
    for payload in payloads:
        parsed = _task_and_args(payload)
        if parsed is not None and parsed[0] == task_name:
            found.add(parsed[1])
    return found


def still_queued(queue: str, task_name: str) -> Callable[[tuple], bool]:
    """For a reconciler: whether a ``task_name`` message with these args still waits in
    ``queue`` (so queuing it again would only double it). On a broker Podium cannot peek into,
    never (queue again, as before peeking existed); on one that cannot be read now, or whose
    queue is longer than a peek reads, always: the reconciler backs off until it can tell."""
    if _kind() is None:
        return lambda args: False
    waiting = queued_args(queue, task_name)
    if waiting is None:
        return lambda args: True
    return waiting.__contains__
