"""Lose a queued message on purpose, as a worker killed after taking it would (tests only).

With Redis the test processes share one broker while each has a database of its own, so a
message of another process may name the same row id: losing a message loses every one that
names it, and callers expect at least one."""

from __future__ import annotations

from podium.core import broker_queues


def lose_message(queue: str, task_name: str, args: tuple) -> int:
    """Remove every ``task_name(*args)`` message waiting in ``queue``; the number removed."""
    removed = 0
    if broker_queues._kind() == "redis":
        client = broker_queues._redis()
        for key in broker_queues._redis_keys(queue):
            for payload in client.lrange(key, 0, -1):
                if broker_queues._task_and_args(payload) == (task_name, tuple(args)):
                    removed += client.lrem(key, 0, payload)
    else:
        for path in broker_queues._folder_messages(queue):
            if broker_queues._task_and_args(path.read_bytes()) == (task_name, tuple(args)):
                path.unlink()
                removed += 1
    return removed
