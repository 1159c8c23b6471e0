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
