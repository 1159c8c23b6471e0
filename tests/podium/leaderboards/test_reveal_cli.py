"""What ``podium leaderboard --private`` prints before the reveal, as a real subprocess against
the live server: the server's own message (the competition ended on ...; the organizers will
reveal it, on ... when scheduled), never a private score."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache

from podium.accounts.tokens import api_token_create
from podium.competitions.models import Competition
from podium.core.timeutils import now
from tests.podium.factories import competition_with_solution, participant, scored

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_DIR = Path(__file__).resolve().parents[3] / "client"


def podium(live_server, user, tmp_path, *args) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PODIUM_", "DJANGO_", "PYTEST_", "CELERY_", "DATABASE_"))
    }
    env.update(
        PYTHONPATH=str(CLIENT_DIR),
        HOME=str(tmp_path),
        PODIUM_CONFIG=str(tmp_path / "podium.json"),
        PODIUM_URL=live_server.url,
        PODIUM_TOKEN=api_token_create(user=user, name="cli")[1],
    )
    return subprocess.run(
        [sys.executable, "-m", "podium_client", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_prints_the_servers_reveal_message(live_server, tmp_path):
    cache.clear()  # no throttle count of an earlier test
    competition = competition_with_solution(slug="ended-one", auto_reveal_private=False)
    alice = participant(competition, "alice")
    scored(alice, competition, 0.81234, 0.67891)
    end_at = now() - timedelta(hours=3)
    Competition.objects.filter(pk=competition.pk).update(end_at=end_at)

    done = podium(live_server, alice, tmp_path, "leaderboard", "ended-one", "--private")
    assert done.returncode == 4, done  # not found: the board is not there yet
    said = f"The competition ended on {end_at:%d %b %Y at %H:%M} UTC; the organizers will reveal"
    assert said in done.stderr, done.stderr
    assert "revealed when the competition ends" not in done.stderr
    assert "0.6789" not in done.stdout + done.stderr and "Traceback" not in done.stderr

    reveal_at = now() + timedelta(days=2)
    Competition.objects.filter(pk=competition.pk).update(
        auto_reveal_private=True, reveal_at=reveal_at
    )
    done = podium(live_server, alice, tmp_path, "leaderboard", "ended-one", "--private")
    assert f"on {reveal_at:%d %b %Y at %H:%M} UTC." in done.stderr, done.stderr
