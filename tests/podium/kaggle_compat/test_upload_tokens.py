"""The upload URL's token: unguessable, stored only as a hash, single-use at each step,
expiring, bound to its user and competition; the PUT is capped as any upload is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.kaggle_compat import upload_tokens
from podium.kaggle_compat.models import UploadToken
from podium.submissions.models import Submission
from tests.podium.factories import competition_with_solution, participant, predictions_file
from tests.podium.kaggle_compat.conftest import podium_status

pytestmark = pytest.mark.django_db(transaction=True)


def start(caller, competition, size: int) -> dict:
    response = caller.call(
        "StartSubmissionUpload",
        {"competitionName": competition.slug, "fileName": "sub.csv", "contentLength": size},
    )
    assert response.status_code == 200, response.content
    return response.json()


def create(caller, competition, token: str):
    return caller.call(
        "CreateSubmission", {"competitionName": competition.slug, "blobFileTokens": token}
    )


def test_a_token_is_random_hashed_and_single_use(kaggle_as, eager):
    competition = competition_with_solution()
    caller = kaggle_as(participant(competition, "alice"))
    content = predictions_file(competition).read()
    first, second = start(caller, competition, len(content)), start(caller, competition, 1)
    assert first["token"] != second["token"] and len(first["token"]) >= 43  # 256 bits
    assert not UploadToken.objects.filter(key_hash=first["token"]).exists()  # only its hash

    assert caller.put(first["createUrl"], content).status_code == 201
    again = caller.put(first["createUrl"], content)
    assert again.status_code == 404 and "used already, or it expired" in again.json()["message"]
    assert create(caller, competition, first["token"]).status_code == 200
    again = create(caller, competition, first["token"])
    assert podium_status(again) == 404 and "used already" in again.json()["message"]
    assert Submission.objects.count() == 1
    # what was stored for the upload is gone once it became a submission
    assert not UploadToken.objects.filter(
        pk__isnull=False, used_at__isnull=True, put_at__isnull=False
    ).exists()
    # a token that was never uploaded to cannot be submitted
    assert podium_status(create(caller, competition, second["token"])) == 404
    assert caller.put(first["createUrl"].replace(first["token"], "guess"), b"x").status_code == 404


def test_a_token_is_bound_to_its_user_and_competition(kaggle_as, eager):
    competition = competition_with_solution()
    other = competition_with_solution()
    alice = participant(competition, "alice")
    participant(other, "alice2")
    bob = kaggle_as(participant(competition, "bob"))
    caller = kaggle_as(alice)
    content = predictions_file(competition).read()
    body = start(caller, competition, len(content))
    assert caller.put(body["createUrl"], content).status_code == 201
    assert podium_status(create(bob, competition, body["token"])) == 404
    assert podium_status(create(caller, other, body["token"])) in (403, 404)
    assert create(caller, competition, body["token"]).status_code == 200


def test_a_token_expires(kaggle_as):
    competition = competition_with_solution()
    caller = kaggle_as(participant(competition, "alice"))
    body = start(caller, competition, 10)
    UploadToken.objects.update(expires_at=now() - timedelta(seconds=1))
    response = caller.put(body["createUrl"], b"id,target\n")
    assert response.status_code == 404
    # the next StartSubmissionUpload forgets expired tokens and their bytes
    stored = default_storage.save("kaggle-uploads/stale.upload", ContentFile(b"x"))
    UploadToken.objects.update(stored_name=stored)
    start(caller, competition, 10)
    assert UploadToken.objects.count() == 1 and not default_storage.exists(stored)


def test_the_put_is_capped_like_any_upload_and_streamed_to_storage(kaggle_as):
    competition = competition_with_solution(submission_max_bytes=1000)
    caller = kaggle_as(participant(competition, "alice"))
    # declared too large: refused before the upload, with core/uploads.py's message
    response = caller.call(
        "StartSubmissionUpload",
        {"competitionName": competition.slug, "fileName": "big.csv", "contentLength": 5000},
    )
    assert response.status_code == 413
    assert "larger than the" in response.json()["message"]
    # declared small, sent large: refused by the PUT, nothing kept
    body = start(caller, competition, 10)
    response = caller.put(body["createUrl"], b"x" * 5000)
    assert response.status_code == 413 and "larger than the" in response.json()["message"]
    token = UploadToken.objects.get()
    assert token.stored_name == ""
    assert (
        not default_storage.exists(upload_tokens.FOLDER)
        or not default_storage.listdir(upload_tokens.FOLDER)[1]
    )


def test_the_put_reads_the_body_in_chunks(kaggle_as, monkeypatch):
    """Never the whole body at once: each read is at most one chunk."""
    competition = competition_with_solution()
    Competition.objects.filter(pk=competition.pk).update(submission_max_bytes=10 * 1024 * 1024)
    caller = kaggle_as(participant(competition, "alice"))
    sizes = []
    real = upload_tokens._CappedBody.read

    def spy(self, size=upload_tokens.CHUNK):
        data = real(self, size)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(upload_tokens._CappedBody, "read", spy)
    content = b"y" * (3 * upload_tokens.CHUNK + 17)
    body = start(caller, competition, len(content))
    assert caller.put(body["createUrl"], content).status_code == 201
    assert max(sizes) <= upload_tokens.CHUNK and sum(sizes) == len(content)
    stored = UploadToken.objects.get().stored_name
    with default_storage.open(stored, "rb") as f:
        assert f.read() == content
