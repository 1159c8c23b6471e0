"""docker-compose.yml's S3 (profile ``s3``): MinIO is reachable from Podium's containers alone,
its credentials and Podium's key have no default, its buckets are made private, and every
Podium service gets the same PODIUM_S3_* (no answer key in the files' bucket).

The two S3 secrets are optional while the profile is off (``docker-compose config`` passes
without them: compose 1.29 reads profile services' variables too), and with it ``s3-secrets``
refuses a missing or short one before MinIO starts: its script is run here by a real shell, as
the container runs it. Podium itself refuses a bucket with half a key pair."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.podium.config.test_compose import COMPOSE, compose

REQUIRED_ALWAYS = {
    "POSTGRES_PASSWORD": "pg-password",
    "REDIS_PASSWORD": "redis-password",
    "DJANGO_SECRET_KEY": "django-secret",
}
GOOD = {"MINIO_ROOT_PASSWORD": "m" * 32, "PODIUM_S3_SECRET_KEY": "p" * 32}

PODIUM = ("web", "worker", "gpu-worker", "beat", "migrate")


def test_minio_is_optional_unpublished_and_pinned():
    services = compose()["services"]
    for name in ("minio", "minio-buckets"):
        assert services[name]["profiles"] == ["s3"]
        assert "ports" not in services[name]
        image = services[name]["image"]
        assert ":RELEASE." in image and not image.endswith(":latest"), image


def test_credentials_have_no_default_and_stay_off_command_lines():
    """Empty when unset, never a usable default: s3-secrets refuses the empty one."""
    text = COMPOSE.read_text()
    for name in GOOD:
        mentions = text.count(f"${{{name}")
        assert mentions and text.count(f"${{{name}:-}}") == mentions, name
    services = compose()["services"]
    assert services["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == "${MINIO_ROOT_PASSWORD:-}"
    buckets = services["minio-buckets"]
    assert "${MINIO_ROOT_PASSWORD:-}@" in buckets["environment"]["MC_HOST_local"]
    script = "\n".join(buckets["command"])
    assert "MINIO_ROOT_PASSWORD" not in script  # mc reads the admin's from MC_HOST_local
    assert script.count("mc anonymous set none") == 1 and "for bucket in" in script


def test_every_podium_service_gets_the_same_s3_settings():
    services = compose()["services"]
    first = services["web"]["environment"]
    assert first["PODIUM_S3_ENDPOINT_URL"].endswith("http://minio:9000}")
    assert first["PODIUM_S3_SECRET_KEY"] == "${PODIUM_S3_SECRET_KEY:-}"  # settings.py checks it
    keys = ("PODIUM_S3_BUCKET", "PODIUM_S3_ANSWER_KEY_BUCKET", "PODIUM_S3_ACCESS_KEY")
    for name in PODIUM:
        env = services[name]["environment"]
        assert {k: env[k] for k in (*keys, "PODIUM_S3_ENDPOINT_URL")} == {
            k: first[k] for k in (*keys, "PODIUM_S3_ENDPOINT_URL")
        }, name


def _compose_config(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed here")
    return subprocess.run(
        [binary, "-f", str(COMPOSE), *args, "config"],
        env={"PATH": "/usr/bin:/bin", **env},  # nothing from this shell or a .env leaks in
        cwd=COMPOSE.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_starts_without_the_s3_secrets_when_the_profile_is_off():
    done = _compose_config(env=REQUIRED_ALWAYS)
    assert done.returncode == 0, done.stderr
    assert "MINIO_ROOT_PASSWORD" not in done.stderr and "PODIUM_S3" not in done.stderr
    config = yaml.safe_load(done.stdout)
    assert config["services"]["web"]["environment"]["PODIUM_S3_SECRET_KEY"] == ""
    assert config["services"]["web"]["environment"]["PODIUM_S3_BUCKET"] == ""  # the volumes

    for name in REQUIRED_ALWAYS:  # what every run needs is still required
        missing = {k: v for k, v in REQUIRED_ALWAYS.items() if k != name}
        refused = _compose_config(env=missing)
        assert refused.returncode != 0 and f"set {name}" in refused.stderr


def test_the_s3_profile_checks_its_secrets_before_minio_starts():
    done = _compose_config("--profile", "s3", env={**REQUIRED_ALWAYS, **GOOD})
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert services["minio"]["depends_on"] == {
        "s3-secrets": {"condition": "service_completed_successfully"}
    }
    assert services["minio-buckets"]["depends_on"]["minio"]["condition"] == "service_healthy"
    check = services["s3-secrets"]
    assert check["profiles"] == ["s3"] and check["restart"] == "no"
    assert check["environment"] == GOOD  # from the environment, never the command line
    assert not any(secret in " ".join(check["command"]) for secret in GOOD.values())


def _s3_secrets(shell: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The s3-secrets container's entrypoint and command, run by ``shell`` (compose's ``$$``
    is a ``$`` by the time the container sees it)."""
    service = compose()["services"]["s3-secrets"]
    entrypoint, (script,) = service["entrypoint"], service["command"]
    assert entrypoint == ["sh", "-euc"]
    return subprocess.run(
        [shell, "-euc", script.replace("$$", "$")],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


# The image's sh is bash; dash is the strict POSIX one.
SHELLS = [s for s in ("/bin/sh", "/bin/bash", "/bin/dash") if os.path.exists(s)]


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "set MINIO_ROOT_PASSWORD"),
        ({"MINIO_ROOT_PASSWORD": "m" * 32}, "set PODIUM_S3_SECRET_KEY"),
        ({**GOOD, "MINIO_ROOT_PASSWORD": ""}, "set MINIO_ROOT_PASSWORD"),
        ({**GOOD, "MINIO_ROOT_PASSWORD": "minioadmin"}, "MINIO_ROOT_PASSWORD is shorter than 16"),
        ({**GOOD, "PODIUM_S3_SECRET_KEY": "podium"}, "PODIUM_S3_SECRET_KEY is shorter than 16"),
        ({**GOOD, "PODIUM_S3_SECRET_KEY": "m" * 32}, "must differ from MINIO_ROOT_PASSWORD"),
        (GOOD, None),
    ],
    ids=["none", "no-podium-key", "empty", "minioadmin", "short", "same", "good"],
)
def test_s3_secrets_refuses_a_missing_or_default_secret(shell, env, message):
    done = _s3_secrets(shell, env)
    if message is None:
        assert done.returncode == 0, done.stderr
        assert "secrets set" in done.stdout
    else:
        assert done.returncode == 1
        assert message in done.stderr
        assert not any(secret in done.stderr for secret in GOOD.values())


def test_podium_refuses_a_bucket_with_half_a_key_pair(tmp_path):
    """Compose passes the access key `podium` by default: with a bucket and no secret key the
    web and the workers refuse to start (rather than failing every upload)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PODIUM_S3_", "DATABASE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        DJANGO_SECRET_KEY="test-only-" + "k" * 40,
        PODIUM_DATA_DIR=str(tmp_path),
        PODIUM_S3_BUCKET="podium-files",
        PODIUM_S3_ACCESS_KEY="podium",
        PODIUM_S3_SECRET_KEY="",
    )

    def setup() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env=env,
            cwd=COMPOSE.parent / "platform",
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = setup()
    assert done.returncode != 0
    assert "Set both PODIUM_S3_ACCESS_KEY and PODIUM_S3_SECRET_KEY" in done.stderr
    env["PODIUM_S3_SECRET_KEY"] = "p" * 32
    assert setup().returncode == 0
