"""docker-compose.hosts.yml: worker-only hosts against a remote PostgreSQL, Redis and S3. Every
connection is a required variable (compose refuses to start without it), no volume holds files,
the queues are right, nothing is published. Checked as written and through ``docker-compose
config`` (compose's own reading, with the variables interpolated), where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
HOSTS = REPO / "docker-compose.hosts.yml"
REQUIRED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "DJANGO_SECRET_KEY",
    "PODIUM_S3_BUCKET",
    "PODIUM_S3_ANSWER_KEY_BUCKET",
    "PODIUM_S3_ENDPOINT_URL",
    "PODIUM_S3_ACCESS_KEY",
    "PODIUM_S3_SECRET_KEY",
)
VALUES = {name: f"value-of-{name.lower()}" for name in REQUIRED}
QUEUES = {"scoring-worker": "default,maintenance", "gpu-worker": "gpu"}


def hosts() -> dict:
    return yaml.safe_load(HOSTS.read_text())


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed here")
    return subprocess.run(
        [binary, "-f", str(HOSTS), "config"],
        env={"PATH": "/usr/bin:/bin", **env},  # nothing from this shell or a .env leaks in
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_connection_is_required_in_every_service():
    for name, service in hosts()["services"].items():
        env = service["environment"]
        for key in REQUIRED:
            assert env[key].startswith(f"${{{key}:?"), (name, key, env[key])


@pytest.mark.parametrize("missing", REQUIRED)
def test_compose_refuses_to_start_without_a_required_variable(missing):
    done = compose_config({k: v for k, v in VALUES.items() if k != missing})

    assert done.returncode != 0
    assert f"set {missing}" in done.stderr


def test_the_hosts_run_workers_only_on_their_queues_with_nothing_shared_or_published():
    done = compose_config(VALUES)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    services = config["services"]

    assert set(services) == set(QUEUES)
    assert not config.get("volumes")  # no volume at all, so none shared for files
    for name, queues in QUEUES.items():
        service = services[name]
        env = service["environment"]
        assert env["WORKER_QUEUES"] == queues
        assert env["DATABASE_URL"] == VALUES["DATABASE_URL"]  # the remote one, as given
        assert env["PODIUM_S3_BUCKET"] == VALUES["PODIUM_S3_BUCKET"]
        shell, flag, command = service["command"]
        assert (shell, flag) == ("sh", "-c")
        assert command.startswith("exec celery -A podium.config worker ")
        assert "-Q $$WORKER_QUEUES" in command and "-n $$WORKER_NAME@%h" in command
        assert "podium_worker_alive" in " ".join(service["healthcheck"]["test"])
        assert not service.get("ports") and not service.get("volumes"), name
        assert service.get("network_mode") != "host"
        assert service["image"] == "podium:latest"  # the same image as docker-compose.yml
        assert "depends_on" not in service  # the database and Redis are not here

    devices = services["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]
    assert "deploy" not in services["scoring-worker"]


def test_the_gpu_reservation_matches_docker_compose_yml():
    main = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert hosts()["services"]["gpu-worker"]["deploy"] == main["services"]["gpu-worker"]["deploy"]
    assert hosts()["x-podium-host"]["image"] == main["x-podium"]["image"]
