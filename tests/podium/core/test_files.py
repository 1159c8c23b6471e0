"""podium.core.files: streaming hashes, and the storage seam (a local path for a stored file, the
response of a download view).

Pinned: the SHA-256 and size cover the whole file across read chunks, whatever its position,
and leave it rewound for the next reader. ``materialize``: a file on a local disk is used in
place (no copy of a large data file) and left alone; a file in any other storage is copied to a
private temporary folder, keeping its extension, valid for the whole block and gone when it
ends, even on an error. ``download_response``: a local file streams as a FileResponse under its
download name; a storage that presigns URLs (S3) answers a 302 to one that names the file; any
other storage streams from ``open()``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from podium.core import files
from tests.podium.factories import body

BIG = os.urandom(files.CHUNK * 2 + 123)  # three read chunks, the last one short


def test_the_hash_and_size_cover_every_chunk():
    assert files.sha256_and_size(ContentFile(BIG)) == (hashlib.sha256(BIG).hexdigest(), len(BIG))


def test_an_empty_file_has_size_zero():
    assert files.sha256_and_size(ContentFile(b"")) == (hashlib.sha256(b"").hexdigest(), 0)


def test_the_hash_starts_at_the_beginning_and_rewinds(tmp_path):
    path = tmp_path / "sub.csv"
    path.write_bytes(b"id,target\n1,0.5\n")
    with path.open("rb") as handle:
        file = File(handle)
        file.read(5)  # someone read part of it already
        whole = path.read_bytes()
        assert files.sha256_and_size(file) == (hashlib.sha256(whole).hexdigest(), len(whole))
        assert file.tell() == 0
        assert file.read() == whole  # the next reader gets the whole file


def stored(storage, name: str, content: bytes) -> FieldFile:
    saved = storage.save(name, ContentFile(content))
    return FieldFile(None, FileField(storage=storage), saved)


# -- materialize ---------------------------------------------------------------------------------


def test_a_local_file_is_used_in_place_and_left_alone(tmp_path):
    field_file = stored(FileSystemStorage(location=tmp_path), "data/train.parquet", b"PAR1")
    assert files.local_file(field_file) == tmp_path / "data" / "train.parquet"
    with files.materialize(field_file) as path:
        assert path == tmp_path / "data" / "train.parquet"
        assert path.read_bytes() == b"PAR1"
    assert path.read_bytes() == b"PAR1"  # ours, not a temporary copy: still there


def test_a_remote_file_is_copied_for_the_block_only():
    storage = InMemoryStorage()
    field_file = stored(storage, "data/train.parquet", BIG)
    assert files.local_file(field_file) is None  # its path() names a place that holds nothing
    with files.materialize(field_file) as path:
        assert path.suffix == ".parquet" and path.is_file()
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # a private folder
        assert path.read_bytes() == BIG
        with open(path, "rb") as reader:  # still there while the block reads it, any number
            assert reader.read(4) == BIG[:4]
        assert path.read_bytes() == BIG
    assert not path.exists() and not path.parent.exists()
    assert storage.open(field_file.name).read() == BIG  # the stored file is untouched


def test_the_copy_is_removed_when_the_block_fails():
    field_file = stored(InMemoryStorage(), "answers.csv", b"id\n1\n")
    with pytest.raises(RuntimeError):
        with files.materialize(field_file) as path:
            assert path.read_bytes() == b"id\n1\n"
            raise RuntimeError("the reader failed")
    assert not path.exists() and not path.parent.exists()


def test_two_blocks_get_two_copies():
    field_file = stored(InMemoryStorage(), "a.csv", b"x")
    with files.materialize(field_file) as first, files.materialize(field_file) as second:
        assert first != second and first.read_bytes() == second.read_bytes() == b"x"
    assert not first.exists() and not second.exists()


# -- download_response ---------------------------------------------------------------------------


class PresigningStorage(InMemoryStorage):
    """A storage whose url() signs, as django-storages' S3Storage does: it records what it was
    asked and answers a URL carrying the response headers it was told to send."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, dict, int]] = []

    def url(self, name, parameters=None, expire=None, http_method=None):
        self.asked.append((name, dict(parameters or {}), expire))
        query = urlencode({**(parameters or {}), "X-Amz-Expires": expire, "X-Amz-Signature": "s"})
        return f"https://bucket.example.com/{name}?{query}"


def test_a_local_file_streams_under_its_download_name(tmp_path):
    field_file = stored(FileSystemStorage(location=tmp_path), "data/x7.csv", BIG)
    modified = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    response = files.download_response(
        field_file, filename="train.csv", last_modified=modified, etag="ab12"
    )
    assert isinstance(response, FileResponse) and response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="train.csv"'
    assert response["Content-Type"] == "text/csv"
    assert int(response["Content-Length"]) == len(BIG)
    assert response["Last-Modified"] == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert response["ETag"] == '"ab12"'
    assert body(response) == BIG


def test_a_file_may_be_shown_inline_with_a_type():
    field_file = stored(InMemoryStorage(), "n.txt", b"hello")
    response = files.download_response(
        field_file, filename="notes.txt", content_type="text/plain", as_attachment=False
    )
    assert response["Content-Disposition"] == 'inline; filename="notes.txt"'
    assert response["Content-Type"] == "text/plain"
    assert "ETag" not in response and "Last-Modified" not in response


def test_a_file_in_memory_streams_from_the_storage():
    storage = InMemoryStorage()
    field_file = stored(storage, "data/x7.csv", BIG)
    response = files.download_response(field_file, filename="train.csv")
    assert isinstance(response, FileResponse) and response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="train.csv"'
    assert int(response["Content-Length"]) == len(BIG)
    assert body(response) == BIG
    assert files.presigned_url(field_file, filename="train.csv") is None  # its URLs lead nowhere


def test_a_presigning_storage_answers_a_redirect_naming_the_file():
    storage = PresigningStorage()
    field_file = stored(storage, "data/x7.csv", BIG)
    response = files.download_response(
        field_file, filename="train file.csv", content_type="text/csv", etag="ab12"
    )
    assert response.status_code == 302
    name, parameters, expire = storage.asked[-1]
    assert name == "data/x7.csv" and expire == files.PRESIGNED_SECONDS
    assert parameters == {
        "ResponseContentDisposition": 'attachment; filename="train file.csv"',
        "ResponseContentType": "text/csv",
    }
    assert response["Location"] == storage.url(name, parameters, expire)
    assert response["Location"].startswith("https://bucket.example.com/data/x7.csv?")
    assert "ETag" not in response  # the store sends its own with the file


def test_a_local_disk_never_redirects_to_its_urls(tmp_path):
    storage = FileSystemStorage(location=tmp_path, base_url="/media/")
    field_file = stored(storage, "k.csv", b"id\n")
    assert files.presigned_url(field_file, filename="k.csv") is None
    assert files.download_response(field_file, filename="k.csv").status_code == 200


def test_stored_names_walks_every_folder_on_any_storage(tmp_path):
    for storage in (FileSystemStorage(location=tmp_path), InMemoryStorage()):
        assert list(files.stored_names(storage, "nothing-here")) == []
        for name in ("a/2.csv", "a/1.csv", "a/b/3.csv", "other/4.csv"):
            storage.save(name, ContentFile(b"x"))
        assert list(files.stored_names(storage, "a")) == ["a/1.csv", "a/2.csv", "a/b/3.csv"]
