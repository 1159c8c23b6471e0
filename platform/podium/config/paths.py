"""Where Podium is and where it keeps its data (``PODIUM_DATA_DIR``, default ``var/``)."""

from __future__ import annotations

from pathlib import Path

from podium.config.env import env

ROOT_DIR = Path(__file__).resolve().parents[3]
PLATFORM_DIR = ROOT_DIR / "platform"
DATA_DIR = Path(env("PODIUM_DATA_DIR", str(ROOT_DIR / "var"))).resolve()
