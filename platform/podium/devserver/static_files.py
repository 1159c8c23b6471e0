"""``collectstatic`` for ``podium_run``, only when a source file changed since the last time.

The fingerprint is every file the static finders list (name, size, modification time), the same
files collectstatic would copy; it is kept in STATIC_ROOT beside what was collected, under a
name collectstatic ignores (a leading dot).
"""

from __future__ import annotations

import hashlib
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

MARKER = ".podium-collected"
IGNORE = ["CVS", ".*", "*~"]  # collectstatic's own default ignore patterns


def source_fingerprint() -> str:
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list(IGNORE), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_if_changed() -> bool:
    """Run collectstatic unless the sources are the ones collected last time; True if it ran."""
    marker = settings.STATIC_ROOT / MARKER
    fingerprint = source_fingerprint()
    try:
        if marker.read_text() == fingerprint:
            return False
    except OSError:  # never collected here (or the marker is unreadable): collect
        pass
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    return True
