"""Files: the one seam between Podium and where its stored files live (a local disk, S3, or any
Django storage), and streaming hashes.

- ``materialize(field_file)``: a path on this machine for a library that needs one (pyarrow
  memory-maps, the sandbox copies inputs in), valid until the ``with`` ends: on a local disk the
  stored file itself, elsewhere a copy in a private temporary folder, removed at the end.
- ``download_response(field_file, filename=...)``: what a download view answers: a streamed
  ``FileResponse`` from a local disk, a 302 to a short-lived presigned URL where the storage
  makes one (S3), else a ``FileResponse`` over ``field_file.open("rb")``.
- ``local_file(field_file)``: the stored file's own path on a local disk, or None.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.http import content_disposition_header, http_date

CHUNK = 1024 * 1024
PRESIGNED_SECONDS = 300  # a redirect is followed at once; the URL need not outlive that


def sha256_and_size(file: File) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in file.chunks(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def local_file(field_file) -> Path | None:
    """The stored file's own path when its storage is a local disk (Django's
    ``FileSystemStorage`` or a subclass, such as the answer keys'), else None. Other storages
    may answer ``path()`` with a place that holds nothing (``InMemoryStorage`` does), so only a
    file system storage's word is taken."""
    if not isinstance(field_file.storage, FileSystemStorage):
        return None
    return Path(field_file.path)


@contextmanager
def materialize(field_file) -> Iterator[Path]:
    """A path on this machine to the stored file's bytes, valid until the ``with`` ends.

    On a local disk it is the stored file itself (no copy of a large data file), to be read,
    never changed. On any other storage it is a copy, with the stored name's extension, in a
    private temporary folder (0700) that is removed when the block ends, error or not."""
    path = local_file(field_file)
    if path is not None:
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="podium-file-"))
    try:
        copy = folder / f"file{os.path.splitext(field_file.name)[1]}"
        with field_file.open("rb") as src, copy.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def presigned_url(
    field_file, *, filename: str, content_type: str | None = None, as_attachment: bool = True
) -> str | None:
    """A short-lived URL the client can fetch the file from directly, where the storage makes
    one: a storage whose ``url()`` takes ``parameters`` and ``expire`` (django-storages'
    ``S3Storage``); the response it leads to names ``filename``. None for every other storage
    (a local disk's or ``InMemoryStorage``'s URLs would lead past Podium's access checks)."""
    storage = field_file.storage
    if isinstance(storage, FileSystemStorage):
        return None
    try:
        accepted = inspect.signature(storage.url).parameters
    except (TypeError, ValueError):  # pragma: no cover - a url() without a signature
        return None
    if not {"parameters", "expire"} <= accepted.keys():
        return None
    parameters = {
        "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
    }
    if content_type:
        parameters["ResponseContentType"] = content_type
    return storage.url(field_file.name, parameters=parameters, expire=PRESIGNED_SECONDS)


def download_response(
    field_file,
    *,
    filename: str,
    content_type: str | None = None,
    as_attachment: bool = True,
    last_modified: datetime | None = None,
    etag: str | None = None,
) -> HttpResponseBase:
    """The response of a download view for a stored file, the caller having checked who may
    have it: on a local disk a ``FileResponse`` streaming the file; where the storage makes
    presigned URLs (S3) a 302 to one (``PRESIGNED_SECONDS``), the bytes never passing through
    Podium; on any other storage a ``FileResponse`` over ``field_file.open("rb")``.
    ``last_modified`` and ``etag`` (a bare hex digest) go on a file response; the storage sends
    its own after a redirect."""
    url = presigned_url(
        field_file, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if url is not None:
        return HttpResponseRedirect(url)
    path = local_file(field_file)
    stream = path.open("rb") if path is not None else field_file.open("rb")
    response = FileResponse(
        stream, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def stored_names(storage, folder: str) -> Iterator[str]:
    """Every stored file's name under ``folder``, on any storage (a folder that does not exist
    has none)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}")
