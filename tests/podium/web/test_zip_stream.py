"""Download all: the zip is streamed from the storage API, so S3 data files (a real S3-speaking
server, tests/podium/s3server.py) zip the same as local ones, with no file on a local disk."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from podium.competitions.models import DataFile
from podium.competitions.services import data_file_create
from podium.core import files
from tests.podium.core.test_s3_storage import endpoint, s3, store  # noqa: F401 - fixtures
from tests.podium.factories import competition_with_solution, participant

pytestmark = pytest.mark.django_db


def test_download_all_zips_data_files_read_from_s3(client, store):  # noqa: F811
    competition = competition_with_solution(slug="titanic")
    train = b"id,x\n" + b"".join(b"%d,%d\n" % (i, i * 7 % 13) for i in range(100_000))
    data_file_create(
        competition=competition,
        kind=DataFile.Kind.TRAIN,
        name="train.csv",
        description="The training set",
        file=ContentFile(train, name="train.csv"),
    )
    stored = competition.data_files.get(name="train.csv")
    assert stored.file.storage is store[0] and files.local_file(stored.file) is None
    client.force_login(participant(competition, "alice"))
    response = client.get(reverse("web:data_download_all", args=["titanic"]))
    assert response.status_code == 200 and response.streaming  # no presigned redirect here
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["sample_submission.csv", "train.csv"]
    assert archive.read("train.csv") == train
    assert archive.getinfo("train.csv").compress_size < len(train) // 2  # deflated


def test_members_are_deflated_at_the_fast_level(tmp_path):
    """Level 1 (over 100 MB/s a core here), not zipfile's default 6 (about 12 MB/s): a ZipInfo
    handed to ZipFile.open carries no level of its own."""
    import zlib
    from datetime import UTC, datetime

    from django.core.files.storage import FileSystemStorage

    from podium.web.zip_stream import LEVEL, Member, zip_pieces

    data = b"".join(b"%d,%.6f\n" % (i, (i * 7919 % 10007) / 10007) for i in range(50_000))
    (tmp_path / "train.csv").write_bytes(data)
    storage = FileSystemStorage(location=tmp_path)
    member = Member("train.csv", storage, "train.csv", len(data), datetime.now(UTC))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_pieces([member]))))
    assert archive.read("train.csv") == data
    fast = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    assert LEVEL == 1
    assert archive.getinfo("train.csv").compress_size == len(fast.compress(data) + fast.flush())


def test_an_organizers_file_name_cannot_climb_out_of_the_folder_it_is_unzipped_in(tmp_path):
    """A data file's name is the organizer's text: '../../.bashrc' and 'C:\\x\\evil.csv' become flat
    names, and two files of one name both arrive."""
    from datetime import UTC, datetime

    from django.core.files.storage import FileSystemStorage

    from podium.web.zip_stream import Member, zip_pieces

    (tmp_path / "a").write_bytes(b"a")
    storage = FileSystemStorage(location=tmp_path)
    names = ["../../.bashrc", "C:\\x\\evil.csv", "/etc/evil.csv", "train.csv", "train.csv", ".."]
    members = [Member(n, storage, "a", 1, datetime.now(UTC)) for n in names]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_pieces(members))))
    assert archive.namelist() == [
        "bashrc", "evil.csv", "evil (2).csv", "train.csv", "train (2).csv", "file",
    ]  # fmt: skip
    archive.extractall(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(archive.namelist())
