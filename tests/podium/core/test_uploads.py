"""podium.core.uploads: an upload is refused once it passes its cap, while it streams in.

Pinned: a declared Content-Length past the cap (plus the form's envelope) is refused before a
byte is read; the received file bytes are counted across chunks and files, the cap itself still
passes and one byte more is refused; the view's ``upload_max_bytes`` wins over the site's
``SUBMISSION_MAX_BYTES``; the refusal is a 413 ``upload_too_large`` naming its limit; through
Django's own multipart parsing a file under the cap arrives unchanged and one over it stops the
parse.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from podium.core import uploads


def handler_for(request, content_length: int) -> uploads.SizeCappedUploadHandler:
    handler = uploads.SizeCappedUploadHandler(request)
    handler.handle_raw_input(None, request.META, content_length, b"boundary")
    return handler


@pytest.fixture
def request_capped(rf: RequestFactory):
    request = rf.post("/upload")
    request.upload_max_bytes = 1_000
    return request


def test_a_declared_length_past_the_cap_is_refused_before_reading(request_capped):
    handler = uploads.SizeCappedUploadHandler(request_capped)
    with pytest.raises(uploads.UploadTooLarge):
        handler.handle_raw_input(None, {}, 1_000 + uploads.ENVELOPE_BYTES + 1, b"b")


def test_a_declared_length_within_the_envelope_is_let_through(request_capped):
    handler = handler_for(request_capped, 1_000 + uploads.ENVELOPE_BYTES)
    assert handler.received == 0 and handler.limit == 1_000


def test_the_cap_itself_passes_one_byte_more_is_refused(request_capped):
    handler = handler_for(request_capped, 2_000)
    assert handler.receive_data_chunk(b"a" * 600, 0) == b"a" * 600  # passed on unchanged
    assert handler.receive_data_chunk(b"b" * 400, 600) == b"b" * 400
    with pytest.raises(uploads.UploadTooLarge):
        handler.receive_data_chunk(b"c", 1_000)


def test_every_file_of_the_request_counts(request_capped):
    handler = handler_for(request_capped, 2_000)
    handler.new_file("file", "a.csv", "text/csv", 600)
    handler.receive_data_chunk(b"a" * 600, 0)
    handler.file_complete(600)
    handler.new_file("other", "b.csv", "text/csv", 600)
    with pytest.raises(uploads.UploadTooLarge):
        handler.receive_data_chunk(b"b" * 600, 0)


def test_the_view_cap_wins_over_the_site_cap(rf, settings):
    settings.SUBMISSION_MAX_BYTES = 5_000
    request = rf.post("/upload")
    assert uploads.upload_cap(request) == 5_000
    request.upload_max_bytes = 300
    assert uploads.upload_cap(request) == 300
    request.upload_max_bytes = None  # a competition without a cap of its own
    assert uploads.upload_cap(request) == 5_000


def test_the_site_cap_applies_without_a_view_cap(rf, settings):
    settings.SUBMISSION_MAX_BYTES = 100
    handler = handler_for(rf.post("/upload"), 200)
    handler.receive_data_chunk(b"x" * 100, 0)
    with pytest.raises(uploads.UploadTooLarge) as refused:
        handler.receive_data_chunk(b"x", 100)
    assert refused.value.details == {"limit_bytes": 100}


def test_the_refusal_is_a_413_naming_its_limit():
    refused = uploads.UploadTooLarge(2_000_000)
    assert refused.status == 413 and refused.code == uploads.UPLOAD_TOO_LARGE
    assert refused.details == {"limit_bytes": 2_000_000}
    assert refused.message.startswith("The upload is larger than the 2 MB this accepts.")


def test_it_is_first_among_the_upload_handlers(settings):
    assert settings.FILE_UPLOAD_HANDLERS[0] == "podium.core.uploads.SizeCappedUploadHandler"


def multipart_request(rf, content: bytes, cap: int):
    request = rf.post("/upload", {"file": SimpleUploadedFile("sub.csv", content, "text/csv")})
    request.upload_max_bytes = cap
    return request


def test_a_file_under_the_cap_is_parsed_unchanged(rf):
    content = b"id,target\n" + b"1,0.5\n" * 150
    request = multipart_request(rf, content, cap=len(content))
    assert request.FILES["file"].read() == content


def test_a_file_over_the_cap_stops_the_parse(rf):
    content = b"id,target\n" + b"1,0.5\n" * 1_000  # 6 kB, within the envelope: counted
    request = multipart_request(rf, content, cap=2_000)
    with pytest.raises(uploads.UploadTooLarge):
        request.FILES  # noqa: B018 - parsing is what is refused


def test_a_large_declared_upload_stops_the_parse_before_reading(rf):
    content = b"x" * (uploads.ENVELOPE_BYTES + 2_000)
    request = multipart_request(rf, content, cap=1_000)
    read = []
    stream = request._stream
    original = stream.read

    def counting_read(*args):
        data = original(*args)
        read.append(len(data))
        return data

    stream.read = counting_read
    with pytest.raises(uploads.UploadTooLarge):
        request.FILES  # noqa: B018 - parsing is what is refused
    assert sum(read) == 0
