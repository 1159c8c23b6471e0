"""Stored submission files that no row names: what a crash between storing a file and committing
its row leaves behind (a gunicorn worker killed mid-upload, the database gone at the commit).
The periodic sweep removes those older than ``ORPHAN_AGE``.

Locking: none. An upload stores its file a moment before its row commits, so a file is removed
only when it is older than ``ORPHAN_AGE`` (an upload takes seconds) and no row names it, read
after the age check; a row never comes to name an old file.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import islice

from podium.core.files import stored_names
from podium.core.timeutils import now
from podium.submissions.models import Submission

logger = logging.getLogger(__name__)

ORPHAN_AGE = timedelta(hours=1)
FOLDER = "submissions"
BATCH = 500  # names checked against the rows per query


def orphan_files_remove(*, moment: datetime | None = None, limit: int = 5000) -> list[str]:
    """Remove up to ``limit`` submission files older than ``ORPHAN_AGE`` that no submission
    names; returns their names. Safe to run twice, or on two hosts at once."""
    moment = moment or now()
    storage = Submission._meta.get_field("file").storage
    removed: list[str] = []
    names = stored_names(storage, FOLDER)
    while len(removed) < limit and (batch := list(islice(names, BATCH))):
        old = [name for name in batch if moment - storage.get_modified_time(name) >= ORPHAN_AGE]
        named = set(Submission.objects.filter(file__in=old).values_list("file", flat=True))
        for name in old:
            if name not in named and len(removed) < limit:
                storage.delete(name)
                removed.append(name)
    if removed:
        logger.warning("Removed %d submission files no row names", len(removed))
    return removed
