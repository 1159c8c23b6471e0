"""Upload tokens: ``StartSubmissionUpload`` issues one, the client PUTs its file to the URL that
carries it, ``CreateSubmission`` names it. A token is 256 random bits (only its SHA-256 is
stored), belongs to one user and competition, expires, and each step claims it once with a
conditional UPDATE: a second PUT, or a second CreateSubmission, finds nothing.

The PUT streams the body to storage in chunks, stopped as soon as it passes the competition's
upload cap (``podium.core.uploads``: the same cap and message as a form upload); it is never
held in memory.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from podium.competitions.models import Competition
from podium.core.files import CHUNK
from podium.core.timeutils import now
from podium.core.uploads import UploadTooLarge, upload_cap
from podium.kaggle_compat.error_codes import KaggleErrorCode as Code
from podium.kaggle_compat.models import UploadToken
from podium.kaggle_compat.protocol import Fault

FOLDER = "kaggle-uploads"
PURGE_BATCH = 50


class UploadNotValid(Fault):
    status = 404


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _not_valid() -> UploadNotValid:
    return UploadNotValid(
        Code.UPLOAD_NOT_VALID,
        "This upload link is not valid: it was used already, or it expired. Submit again.",
    )


def issue(*, user, competition: Competition, file_name: str, declared_size: int) -> str:
    """A new token (the secret itself: it is not stored)."""
    purge_expired()
    token = secrets.token_urlsafe(32)
    UploadToken.objects.create(
        key_hash=_hash(token),
        user=user,
        competition=competition,
        file_name=(file_name.replace("\\", "/").rsplit("/", 1)[-1] or "submission.csv")[:255],
        declared_size=max(0, declared_size),
        expires_at=now() + timedelta(seconds=settings.KAGGLE_UPLOAD_SECONDS),
    )
    return token


class _CappedBody:
    """The request body, read in chunks, refused once more than ``limit`` bytes arrived."""

    def __init__(self, request, limit: int) -> None:
        self.request, self.limit, self.received = request, limit, 0

    def read(self, size: int = CHUNK) -> bytes:
        data = self.request.read(min(size if size and size > 0 else CHUNK, CHUNK))
        self.received += len(data)
        if self.received > self.limit:
            raise UploadTooLarge(self.limit)
        return data


def receive(*, token: str, request) -> UploadToken:
    """Store the PUT body for ``token`` (claimed first: one PUT per token, even a failed one)."""
    moment = now()
    claimed = UploadToken.objects.filter(
        key_hash=_hash(token), put_at__isnull=True, expires_at__gt=moment
    ).update(put_at=moment)
    if not claimed:
        raise _not_valid()
    upload = UploadToken.objects.select_related("competition").get(key_hash=_hash(token))
    request.upload_max_bytes = upload.competition.submission_max_bytes
    limit = upload_cap(request)
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.isdigit():
        raise Fault(Code.LENGTH_REQUIRED, "Send the file with a Content-Length header.", status=411)
    if int(length) > limit:
        raise UploadTooLarge(limit)
    name = f"{FOLDER}/{secrets.token_hex(16)}.upload"
    try:
        stored = default_storage.save(name, File(_CappedBody(request, limit), name=name))
    except BaseException:
        default_storage.delete(name)
        raise
    UploadToken.objects.filter(pk=upload.pk).update(stored_name=stored)
    upload.stored_name = stored
    return upload


def claim(*, token: str, user, competition: Competition) -> UploadToken:
    """The uploaded file's token for CreateSubmission, taken once."""
    moment = now()
    mine = UploadToken.objects.filter(
        key_hash=_hash(token),
        user=user,
        competition=competition,
        used_at__isnull=True,
        expires_at__gt=moment,
    ).exclude(stored_name="")
    if not token or not mine.update(used_at=moment):
        raise _not_valid()
    return UploadToken.objects.get(key_hash=_hash(token))


@contextmanager
def uploaded_file(upload: UploadToken) -> Iterator[File]:
    """The uploaded bytes under the participant's file name; deleted (with the token) after."""
    try:
        with default_storage.open(upload.stored_name, "rb") as stored:
            yield File(stored, name=upload.file_name)
    finally:
        default_storage.delete(upload.stored_name)
        upload.delete()


def purge_expired(limit: int = PURGE_BATCH) -> int:
    """Forget tokens that expired unused, and any bytes they hold."""
    stale = list(UploadToken.objects.filter(expires_at__lte=now())[:limit])
    for upload in stale:
        if upload.stored_name:
            default_storage.delete(upload.stored_name)
        upload.delete()
    return len(stale)
