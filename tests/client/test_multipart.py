"""The streamed multipart body: exactly what a form upload is, parsed back by the standard
library's ``email`` parser and by Django's MultiPartParser (what the server runs), read in any
chunk sizes, its length known up front."""

from __future__ import annotations

import email.parser
import email.policy
import io

import pytest
from podium_client.multipart import MultipartBody

# Bytes a naive encoder would break on: CRLFs, a fake boundary line, every byte value.
CONTENT = b"id,target\r\n1,0.5\r\n--podium-fake\r\n" + bytes(range(256)) * 40 + b"\r\n"


def read_all(body: MultipartBody, chunk: int) -> bytes:
    out = b""
    while piece := body.read(chunk):
        assert chunk < 0 or len(piece) <= chunk
        out += piece
    return out


@pytest.fixture
def upload(tmp_path):
    path = tmp_path / 'préds "v2".csv'
    path.write_bytes(CONTENT)
    return path


@pytest.mark.parametrize("chunk", [1, 7, 100, 8192, -1])
def test_any_chunk_size_gives_the_same_body_of_the_announced_length(upload, chunk):
    reference = read_all(MultipartBody({"description": "x"}, "file", upload, boundary="b0"), -1)
    seen = []
    body = MultipartBody({"description": "x"}, "file", upload, boundary="b0", on_read=seen.append)

    data = read_all(body, chunk)

    assert data == reference
    assert len(body) == len(data)
    assert sum(seen) == len(data)  # the progress bar sees every byte once
    assert body.read(10) == b""


def test_the_standard_library_parses_it_back(upload):
    body = MultipartBody({"description": "first try ✓"}, "file", upload)
    data = read_all(body, 4096)

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + data
    )

    assert message.is_multipart()
    description, file = message.iter_parts()
    assert description.get_param("name", header="content-disposition") == "description"
    assert description.get_payload(decode=True).decode() == "first try ✓"
    assert file.get_param("name", header="content-disposition") == "file"
    assert file.get_content_type() == "application/octet-stream"
    assert file.get_payload(decode=True) == CONTENT


def test_django_parses_it_back_as_the_server_does(upload, settings):
    from django.core.files.uploadhandler import MemoryFileUploadHandler
    from django.http.multipartparser import MultiPartParser

    body = MultipartBody({"description": "first try ✓"}, "file", upload)
    data = read_all(body, 8192)
    meta = {"CONTENT_TYPE": body.content_type, "CONTENT_LENGTH": str(len(body))}

    fields, files = MultiPartParser(
        meta, io.BytesIO(data), [MemoryFileUploadHandler()], encoding="utf-8"
    ).parse()

    assert fields["description"] == "first try ✓"
    assert files["file"].name == "préds %22v2%22.csv"  # quotes escaped as browsers do
    assert files["file"].read() == CONTENT


def test_a_file_that_changes_size_while_uploading_is_an_error(upload):
    body = MultipartBody({}, "file", upload)
    body.read(50)
    upload.write_bytes(CONTENT[:10])
    with pytest.raises(OSError, match="changed size"):
        read_all(body, 8192)
