"""What a log line is about: fields (``submission_id``, ``request_id``, ``route``) carried by
every line logged while they are set.

A ``contextvars`` variable, so it follows a request's thread, a Celery task and an asyncio task
alike, and is undone when the ``with`` ends. The entry points set it (the upload service, the
scoring task, the request middleware); ``podium.ops.logs.ContextFilter`` copies it onto each
record, and the JSON formatter writes it out. Here, in core, so any layer may set it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

_fields: ContextVar[MappingProxyType] = ContextVar(
    "podium_log_context", default=MappingProxyType({})
)


class Binding:
    """Adds fields to the context of the ``with`` it came from, once they are known (a row's id
    after its save); they are undone with the rest when that ``with`` ends."""

    def bind(self, **fields) -> None:
        _fields.set(MappingProxyType({**_fields.get(), **fields}))


@contextmanager
def log_context(**fields) -> Iterator[Binding]:
    token = _fields.set(MappingProxyType({**_fields.get(), **fields}))
    try:
        yield Binding()
    finally:
        _fields.reset(token)


def current() -> MappingProxyType:
    """The fields set now (read-only)."""
    return _fields.get()
