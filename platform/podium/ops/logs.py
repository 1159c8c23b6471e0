"""Log lines for operators: plain text by default, one JSON object per line with
``PODIUM_LOG_FORMAT=json``; either way each record carries the context of what it is about
(``podium.core.log_context``: submission, request id, route) and, inside a Celery task, the task.

Used by ``LOGGING`` in the settings (web, management commands) and by the Celery hooks in
``config/celery.py`` (workers, whose handlers Celery installs itself).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from podium.core.log_context import current

# LogRecord's own attributes: anything else on a record came from `extra=` or the filter below
# (but never the request object django.request passes: its fields are taken instead).
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "context", "request"}


def _celery_task() -> dict:
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return {}
    task = get_current_task()
    if task is None or getattr(task.request, "id", None) is None:
        return {}
    return {"task": task.name, "task_id": task.request.id}


def _request(record: logging.LogRecord) -> dict:
    """What ``podium.ops.middleware`` noted on the request a ``django.request`` line names: that
    line is logged after the middleware's context has ended (a 404 or 500 answer)."""
    request = getattr(record, "request", None)
    fields = getattr(request, "log_fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class ContextFilter(logging.Filter):
    """Copies the log context (and the running Celery task) onto each record as ``context``,
    and as attributes, so a plain format may name them too. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "context"):
            record.context = {**_celery_task(), **_request(record), **current()}
            for key, value in record.context.items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exception text,
    then the context fields and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        entry.update(getattr(record, "context", {}))
        return json.dumps(entry, default=str, ensure_ascii=False)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("plain", "json")


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else logging.Formatter(PLAIN_FORMAT)


def logging_config(*, kind: str, level: str) -> dict:
    """The settings' ``LOGGING``: everything to stderr, in ``kind`` (plain | json)."""
    if kind not in FORMATS:
        raise ValueError(f"PODIUM_LOG_FORMAT={kind!r}: say 'plain' (the default) or 'json'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "podium.ops.logs.ContextFilter"}},
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": "podium.ops.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": kind,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def adopt(logger: logging.Logger, kind: str) -> None:
    """For Celery's own handlers (its worker installs them, not ``LOGGING``): the context filter,
    and in json mode the JSON formatter."""
    for handler in logger.handlers:
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
        if kind == "json":
            handler.setFormatter(JsonFormatter())
