"""What a web process loads: every gunicorn worker imports the WSGI app and the URLconf (the
admin's autodiscovery imports every app's admin and selectors). PyTorch is not among them: it
took 3.8 s and hundreds of MB per web worker, through ``baselines``' package import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

PROBE = """
import sys
from podium.config.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns  # the URLconf and every view module
import baselines.config  # what the server reads of the baselines
print(sorted(m for m in ("torch", "baselines.runner") if m in sys.modules))
"""


def test_the_web_process_does_not_import_torch(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        DJANGO_SECRET_KEY="test-only-" + "k" * 40,
        PODIUM_DATA_DIR=str(tmp_path),
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "platform")]),
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_the_runner_still_loads_on_first_use():
    import baselines

    assert baselines.run.__module__ == "baselines.runner"
    assert baselines.RunResult.__name__ == "RunResult"
