"""Installed as ``sitecustomize`` in the sandbox's Python (read-only): when the program dies of an
uncaught exception, its type, message, errno and traceback go to ``/sandbox/.podium/exception.json``
so that the host can say why a run failed (out of memory, out of processes, disk full...).

The program can write that file itself: the host reads it as a hostile file, size-capped, and
only ever shows it to whoever may see the run. It is a courtesy, not a control: the boundary is
the sandbox around it. Standard library only.
"""

import json
import os
import sys
import traceback

_RECORD = "/sandbox/.podium/exception.json"


def _excepthook(kind, value, tb, _previous=sys.excepthook):
    try:
        record = {
            "type": kind.__name__,
            "module": kind.__module__,
            "message": str(value)[:2000],
            "errno": getattr(value, "errno", None) if isinstance(value, OSError) else None,
            "traceback": "".join(traceback.format_exception(kind, value, tb))[-20000:],
        }
        with open(_RECORD, "w") as out:
            json.dump(record, out)
    except Exception:  # noqa: BLE001 - recording it must never hide the exception itself
        pass
    _previous(kind, value, tb)


if os.path.isdir(os.path.dirname(_RECORD)):
    sys.excepthook = _excepthook
