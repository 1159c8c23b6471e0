"""docker-compose.yml's deployment defaults: no password has a default, Redis asks for one and
its URLs carry it, and only the web server's port is published."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[3] / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_database_password_has_no_default():
    text = COMPOSE.read_text()
    assert "${POSTGRES_PASSWORD:-" not in text  # no fallback anywhere
    services = compose()["services"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    url = services["web"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://podium:${POSTGRES_PASSWORD:?"), url


def test_redis_requires_a_password_and_the_urls_carry_it():
    services = compose()["services"]
    redis = services["redis"]
    assert "--requirepass" in " ".join(redis["command"])
    assert redis["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD:?")  # health check
    for name in ("web", "worker", "gpu-worker", "beat", "migrate"):
        env = services[name]["environment"]
        for key in ("CELERY_BROKER_URL", "REDIS_URL"):
            assert re.match(r"redis://:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379/\d$", env[key]), (
                name,
                key,
                env[key],
            )


def test_only_the_web_port_is_published():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"web"}
    assert not any(service.get("network_mode") == "host" for service in services.values())


def test_workers_are_checked_by_progress_and_consume_the_maintenance_queue():
    """A wedged worker answers ping: the health check asks podium_worker_alive, with the same
    node name and queues the worker was started with, and stops a stuck one (restart policy)."""
    services = compose()["services"]
    for name, queues in (("worker", "default,cpu,maintenance"), ("gpu-worker", "gpu")):
        service = services[name]
        env = service["environment"]
        assert env["WORKER_QUEUES"] == queues
        command = " ".join(service["command"])
        assert "-Q $$WORKER_QUEUES" in command and "-n $$WORKER_NAME@%h" in command
        check = " ".join(service["healthcheck"]["test"])
        assert "podium_worker_alive --node $$WORKER_NAME@$$HOSTNAME" in check
        assert "--queues $$WORKER_QUEUES" in check and "kill -QUIT 1" in check
        assert "inspect ping" not in check
    assert compose()["x-podium"]["restart"] == "unless-stopped"
