"""docker-compose.yml's S3 (profile ``s3``): MinIO is reachable from Podium's containers alone,
its credentials and Podium's key have no default, its buckets are made private, and every
Podium service gets the same PODIUM_S3_* (no answer key in the files' bucket)."""

from __future__ import annotations

from tests.podium.config.test_compose import COMPOSE, compose

PODIUM = ("web", "worker", "gpu-worker", "beat", "migrate")


def test_minio_is_optional_unpublished_and_pinned():
    services = compose()["services"]
    for name in ("minio", "minio-buckets"):
        assert services[name]["profiles"] == ["s3"]
        assert "ports" not in services[name]
        image = services[name]["image"]
        assert ":RELEASE." in image and not image.endswith(":latest"), image


def test_credentials_have_no_default_and_stay_off_command_lines():
    text = COMPOSE.read_text()
    assert "${MINIO_ROOT_PASSWORD:-" not in text and "${PODIUM_S3_SECRET_KEY:-" not in text
    services = compose()["services"]
    assert services["minio"]["environment"]["MINIO_ROOT_PASSWORD"].startswith(
        "${MINIO_ROOT_PASSWORD:?"
    )
    buckets = services["minio-buckets"]
    assert "${MINIO_ROOT_PASSWORD:?" in buckets["environment"]["MC_HOST_local"]
    script = "\n".join(buckets["command"])
    assert "MINIO_ROOT_PASSWORD" not in script  # mc reads the admin's from MC_HOST_local
    assert script.count("mc anonymous set none") == 1 and "for bucket in" in script


def test_every_podium_service_gets_the_same_s3_settings():
    services = compose()["services"]
    first = services["web"]["environment"]
    assert first["PODIUM_S3_ENDPOINT_URL"].endswith("http://minio:9000}")
    assert first["PODIUM_S3_SECRET_KEY"].startswith("${PODIUM_S3_SECRET_KEY:?")
    keys = ("PODIUM_S3_BUCKET", "PODIUM_S3_ANSWER_KEY_BUCKET", "PODIUM_S3_ACCESS_KEY")
    for name in PODIUM:
        env = services[name]["environment"]
        assert {k: env[k] for k in (*keys, "PODIUM_S3_ENDPOINT_URL")} == {
            k: first[k] for k in (*keys, "PODIUM_S3_ENDPOINT_URL")
        }, name
