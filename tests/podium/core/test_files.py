"""podium.core.files: streaming hashes, and a local path for a stored file.

Pinned: the SHA-256 and size cover the whole file across read chunks, whatever its position,
and leave it rewound for the next reader; a file on a local disk is used in place (no copy of a
large data file); a file in remote storage (no path) is copied to a temporary file that keeps
its extension and is gone when the block ends, even on an error.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile

from podium.core import files

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


def test_a_local_file_is_used_in_place(tmp_path):
    field_file = stored(FileSystemStorage(location=tmp_path), "data/train.parquet", b"PAR1")
    with files.local_path(field_file) as path:
        assert path == str(tmp_path / "data" / "train.parquet")
    assert os.path.exists(path)  # ours, not a temporary copy: still there


def test_a_remote_file_is_copied_for_the_block_only():
    field_file = stored(InMemoryStorage(), "data/train.parquet", BIG)
    with files.local_path(field_file) as path:
        assert path.endswith(".parquet") and os.path.isfile(path)
        with open(path, "rb") as copy:
            assert copy.read() == BIG
    assert not os.path.exists(path)


def test_the_copy_is_removed_when_the_block_fails():
    field_file = stored(InMemoryStorage(), "answers.csv", b"id\n1\n")
    with pytest.raises(RuntimeError):
        with files.local_path(field_file) as path:
            raise RuntimeError("the reader failed")
    assert not os.path.exists(path)
