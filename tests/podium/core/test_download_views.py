"""The download views through the storage seam (``core.files.download_response``) on a storage
that presigns URLs, as S3 does: the web page's, the API's and the kaggle protocol's data-file
downloads answer a 302 to a presigned URL naming the file, after the same access checks; the
kaggle CLI follows DownloadDataFile's redirect to Podium, then this one to the store."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from podium.accounts.tokens import api_token_create
from podium.competitions.models import DataFile
from podium.core import files
from tests.podium.core.test_files import PresigningStorage
from tests.podium.factories import UserFactory, competition_with_solution, participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(monkeypatch):
    storage = PresigningStorage()
    monkeypatch.setattr(DataFile._meta.get_field("file"), "storage", storage)
    return storage


def presigned_for(store: PresigningStorage, response, name: str) -> None:
    assert response.status_code == 302
    stored, parameters, expire = store.asked[-1]
    assert store.exists(stored) and expire == files.PRESIGNED_SECONDS
    assert parameters["ResponseContentDisposition"] == f'attachment; filename="{name}"'
    assert response["Location"] == store.url(stored, parameters, expire)


def test_the_web_and_api_downloads_redirect_to_the_store(client, store):
    competition = competition_with_solution()
    alice = participant(competition, "alice")
    client.force_login(alice)
    web = client.get(reverse("web:data_download", args=[competition.slug, "sample_submission.csv"]))
    presigned_for(store, web, "sample_submission.csv")
    _, key = api_token_create(user=alice, name="api")
    api = client.get(
        f"/api/v1/competitions/{competition.slug}/files/sample_submission.csv",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    presigned_for(store, api, "sample_submission.csv")


def test_an_outsider_gets_no_url(client, store):
    competition = competition_with_solution()
    client.force_login(UserFactory())  # has not joined, so has not accepted the rules
    client.get(reverse("web:data_download", args=[competition.slug, "sample_submission.csv"]))
    assert store.asked == []


def test_the_kaggle_download_leads_to_the_store(client, store):
    competition = competition_with_solution()
    alice = participant(competition, "alice")
    _, key = api_token_create(user=alice, name="kaggle")
    auth = "Basic " + base64.b64encode(f"alice:{key}".encode()).decode()
    first = client.post(
        "/api/v1/competitions.CompetitionApiService/DownloadDataFile",
        data=json.dumps({"competitionName": competition.slug, "fileName": "sample_submission.csv"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert first.status_code == 302 and store.asked == []  # to Podium first, as before
    second = client.get(first["Location"], HTTP_AUTHORIZATION=auth)
    presigned_for(store, second, "sample_submission.csv")
