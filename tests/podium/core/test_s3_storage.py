"""Stored files and answer keys on S3, against a real S3-speaking server over HTTP (moto's, in
its own process): the production settings' options (``settings.S3_OPTIONS``), private objects,
presigned download redirects after the access checks, and the answer keys in a bucket of their
own, cached per scoring host. Runs in every pass; the PODIUM_TEST_STORAGE=s3 pass then reruns
the submissions, kernels and e2e tests with S3 as the default storage (Makefile)."""

from __future__ import annotations

import stat
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from storages.backends.s3 import S3Storage

from podium.competitions import answer_keys
from podium.competitions.models import DataFile, SolutionVersion
from podium.core import files
from podium.core.errors import DomainError
from podium.core.private_s3 import PrivateS3Storage
from podium.core.public_s3 import PublicEndpointS3Storage
from tests.podium import s3server
from tests.podium.factories import UserFactory, competition_with_solution, participant

pytestmark = pytest.mark.django_db

FILES, KEYS = "podium-s3-test-files", "podium-s3-test-keys"


@pytest.fixture(scope="module")
def endpoint():
    with ExitStack() as stack:
        url = stack.enter_context(s3server.moto_server(s3server.free_port()))
        client = _client(url)
        for bucket in (FILES, KEYS):
            client.create_bucket(Bucket=bucket)
        yield url


def _client(url: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id="podium-test",
        aws_secret_access_key="podium-test",
        region_name=s3server.REGION,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def _options(url: str, bucket: str) -> dict:
    """The production settings' options (config/settings.py), pointed at the test server."""
    return {
        **settings.S3_OPTIONS,
        "endpoint_url": url,
        "region_name": s3server.REGION,
        "access_key": "podium-test",
        "secret_key": "podium-test",
        "bucket_name": bucket,
    }


@pytest.fixture
def s3(endpoint):
    client = _client(endpoint)
    yield client
    for bucket in (FILES, KEYS):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])


@pytest.fixture
def store(s3, endpoint, monkeypatch):
    """Data files and answer keys on the test server, as PODIUM_S3_BUCKET and
    PODIUM_S3_ANSWER_KEY_BUCKET put them."""
    files_storage = PublicEndpointS3Storage(**_options(endpoint, FILES))
    keys_storage = PrivateS3Storage(**_options(endpoint, KEYS))
    monkeypatch.setattr(DataFile._meta.get_field("file"), "storage", files_storage)
    monkeypatch.setattr(SolutionVersion._meta.get_field("file"), "storage", keys_storage)
    return files_storage, keys_storage


def _keys(s3, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_round_trip_keeps_bytes_and_never_overwrites(store, s3):
    storage, _ = store
    first = storage.save("data/train.csv", ContentFile(b"id,x\n1,2\n"))
    second = storage.save("data/train.csv", ContentFile(b"id,x\n3,4\n"))
    assert first != second  # file_overwrite=False: a new name, as on a local disk
    with storage.open(first, "rb") as handle:
        assert handle.read() == b"id,x\n1,2\n"
    assert sorted(files.stored_names(storage, "data")) == sorted([first, second])
    assert files.local_file(DataFile(file=first).file) is None  # nothing local to stream
    storage.delete(first)
    assert not storage.exists(first) and _keys(s3, FILES) == [second]


def test_objects_are_private(store, s3, endpoint):
    storage, _ = store
    name = storage.save("data/secret.csv", ContentFile(b"id,x\n"))
    grants = s3.get_object_acl(Bucket=FILES, Key=name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{endpoint}/{FILES}/{name}", timeout=10)
    assert refused.value.code == 403


def test_download_redirects_to_a_short_lived_presigned_url(client, store):
    competition = competition_with_solution()
    data_file = competition.data_files.get(name="sample_submission.csv")
    assert data_file.file.storage is store[0] and files.local_file(data_file.file) is None
    client.force_login(participant(competition, "alice"))
    before = time.time()
    response = client.get(
        reverse("web:data_download", args=[competition.slug, "sample_submission.csv"])
    )
    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == [str(files.PRESIGNED_SECONDS)]
    signed = time.mktime(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")) - time.timezone
    assert before - 5 <= signed <= time.time() + 5  # valid from now, for PRESIGNED_SECONDS
    assert "X-Amz-Signature" in query and "sample_submission" in urlsplit(location).path
    with urllib.request.urlopen(location, timeout=10) as fetched:  # the browser's second step
        assert fetched.headers["Content-Disposition"] == (
            'attachment; filename="sample_submission.csv"'
        )
        with data_file.file.open("rb") as stored:
            assert fetched.read() == stored.read()


def test_downloads_are_signed_for_the_public_endpoint(client, store, endpoint, monkeypatch):
    """PODIUM_S3_PUBLIC_ENDPOINT_URL: Podium talks to the store at one address (compose's
    ``http://minio:9000``), browsers follow downloads to another; the URL is signed for the
    browsers' address and leads to the file there."""
    public = endpoint.replace("127.0.0.1", "localhost")  # the same server under another name
    assert public != endpoint
    monkeypatch.setattr(store[0], "public_endpoint_url", public)
    competition = competition_with_solution()
    client.force_login(participant(competition, "alice"))
    response = client.get(
        reverse("web:data_download", args=[competition.slug, "sample_submission.csv"])
    )
    location = response["Location"]
    assert response.status_code == 302 and location.startswith(public + f"/{FILES}/")
    assert "X-Amz-Signature" in parse_qs(urlsplit(location).query)
    with urllib.request.urlopen(location, timeout=10) as fetched:
        assert fetched.read().startswith(b"id,")
    monkeypatch.setattr(store[0], "public_endpoint_url", None)  # unset: the endpoint's own
    again = client.get(
        reverse("web:data_download", args=[competition.slug, "sample_submission.csv"])
    )
    assert again["Location"].startswith(endpoint + f"/{FILES}/")


def test_an_outsider_is_refused_before_any_url(client, store, monkeypatch):
    competition = competition_with_solution()
    asked = []
    monkeypatch.setattr(files, "presigned_url", lambda *a, **k: asked.append(a) or "http://x/")
    client.force_login(UserFactory())  # has not joined: no rules accepted
    response = client.get(
        reverse("web:data_download", args=[competition.slug, "sample_submission.csv"])
    )
    assert response.status_code in (302, 403, 404) and asked == []
    assert "X-Amz" not in response.get("Location", "")


def test_answer_keys_live_in_their_own_bucket_without_urls(store, s3):
    competition = competition_with_solution()
    version = competition.solution_versions.get()
    assert _keys(s3, KEYS) == [version.file.name]
    assert version.file.name not in _keys(s3, FILES)
    with pytest.raises(ValueError):
        version.file.url  # noqa: B018 - no URL, presigned or not
    assert files.presigned_url(version.file, filename="solution.csv") is None


def test_each_host_caches_the_key_and_its_prepared_form(store, s3, settings, tmp_path):
    competition = competition_with_solution()
    version = competition.solution_versions.get()
    path = answer_keys.key_path(version)
    assert path.is_relative_to(settings.SOLUTIONS_ROOT) and str(version.sha256[:16]) in str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    solution = answer_keys.prepared_solution(version)
    assert solution.meta["rows"] == version.rows
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".solution-")] == []

    # This host no longer needs the bucket for this version: its cache answers.
    s3.delete_object(Bucket=KEYS, Key=version.file.name)
    assert answer_keys.prepared_solution(version).meta["rows"] == version.rows

    # Another host (its own cache folder) has nothing local, so it must fetch: gone, it cannot.
    settings.SOLUTIONS_ROOT = tmp_path / "host-2"
    with pytest.raises(FileNotFoundError):
        answer_keys.key_path(version)


def test_a_second_host_fetches_the_key_from_the_bucket(store, settings, tmp_path):
    competition = competition_with_solution()
    version = competition.solution_versions.get()
    first = answer_keys.key_path(version)
    settings.SOLUTIONS_ROOT = tmp_path / "host-2"
    second = answer_keys.key_path(version)
    assert second != first and second.is_relative_to(tmp_path / "host-2")
    assert second.read_bytes() == first.read_bytes()
    assert answer_keys.prepared_solution(version).meta["rows"] == version.rows


def test_a_key_that_is_not_the_uploaded_one_is_refused_without_its_bytes(
    store, s3, settings, tmp_path
):
    competition = competition_with_solution()
    version = competition.solution_versions.get()
    settings.SOLUTIONS_ROOT = tmp_path / "host-2"  # a host that has not fetched it yet
    forged = b"id,target,Usage\nSECRET-ROW,1,Public\n"
    s3.put_object(Bucket=KEYS, Key=version.file.name, Body=forged)
    with pytest.raises(DomainError) as refused:
        answer_keys.key_path(version)
    assert refused.value.details == {"reason": "sha256_mismatch"}
    said = f"{refused.value} {refused.value.message} {refused.value.details}"
    assert "SECRET-ROW" not in said and version.file.name not in said
    cache = answer_keys.derived_files(version)
    assert not (cache / "solution.csv").exists() and list(cache.iterdir()) == []


def test_the_key_cache_is_bounded(store, settings):
    settings.ANSWER_KEY_CACHE_KEEP = 2
    competitions = []
    for seed in range(3):  # each upload fetches its key into this host's cache to prepare it
        competitions.append(competition_with_solution(seed=seed))
        time.sleep(0.02)  # distinct last-use times
    folders = [answer_keys.derived_files(c.solution_versions.get()) for c in competitions]
    cache = folders[0].parent
    assert sorted(p.name for p in cache.iterdir()) == sorted(f.name for f in folders[1:])
    again = answer_keys.key_path(competitions[0].solution_versions.get())  # fetched again
    assert again.exists() and not folders[1].exists() and folders[2].exists()


def test_a_store_that_stops_answering_fails_the_call_instead_of_hanging(settings):
    """Every wait on a stored file is bounded: the settings' client config reaches the client,
    and a server that accepts and never answers fails the read within its timeouts."""
    import socket
    import time as clock

    from botocore.config import Config
    from botocore.exceptions import ReadTimeoutError

    config = settings.S3_OPTIONS["client_config"]
    assert (config.connect_timeout, config.read_timeout) == (5, 60)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts (the kernel does), never answers
    try:
        options = {**settings.S3_OPTIONS, "bucket_name": "podium-hung"}
        options["endpoint_url"] = f"http://127.0.0.1:{silent.getsockname()[1]}"
        options["access_key"], options["secret_key"] = "k", "s"
        options["client_config"] = config.merge(
            Config(read_timeout=1, retries={"max_attempts": 1, "mode": "standard"})
        )
        storage = S3Storage(**options)
        assert storage.connection.meta.client.meta.config.read_timeout == 1
        started = clock.monotonic()
        with pytest.raises(ReadTimeoutError):
            storage.exists("answer.csv")
        assert clock.monotonic() - started < 15
    finally:
        silent.close()
