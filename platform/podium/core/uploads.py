"""An upload is measured while it streams in, and stopped once it passes the cap.

Django spools a large file to a temporary file before any view runs; without this handler a
10 GB upload would fill the disk first and be refused after. The handler refuses as soon as the
declared ``Content-Length`` or the bytes actually received pass ``request.upload_max_bytes``
(a view sets it before it reads the body, e.g. to its competition's cap; else the site's
``SUBMISSION_MAX_BYTES``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from podium.core.errors import DomainError

UPLOAD_TOO_LARGE = "upload_too_large"
# Room for the form's other fields and the multipart boundaries around the file.
ENVELOPE_BYTES = 64 * 1024


class UploadTooLarge(DomainError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            UPLOAD_TOO_LARGE,
            f"The upload is larger than the {limit / 1e6:.0f} MB this accepts. Compress the "
            "file (a .zip or .gz of the CSV is accepted) or remove unneeded columns.",
            details={"limit_bytes": limit},
        )


def upload_cap(request) -> int:
    return getattr(request, "upload_max_bytes", None) or settings.SUBMISSION_MAX_BYTES


class SizeCappedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: counts every file byte, passes them on unchanged."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = upload_cap(self.request)
        self.received = 0
        if content_length and content_length > self.limit + ENVELOPE_BYTES:
            raise UploadTooLarge(self.limit)
        return None  # let the other handlers parse

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None
