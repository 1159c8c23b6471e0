"""Files: streaming hashes and local paths for libraries that need one (pyarrow memory-maps)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files import File

CHUNK = 1024 * 1024


def sha256_and_size(file: File) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in file.chunks(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


@contextmanager
def local_path(field_file) -> Iterator[str]:
    """A path on this machine for a stored file: the file itself on a local disk, else a copy."""
    try:
        path = field_file.path
    except NotImplementedError:  # remote storage (S3): copy it down for the duration
        path = None
    if path and os.path.exists(path):
        yield path
        return
    suffix = os.path.splitext(field_file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with field_file.open("rb") as src:
            shutil.copyfileobj(src, tmp, CHUNK)
        tmp.flush()
        yield tmp.name
