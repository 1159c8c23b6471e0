"""The demo competitions' files (built from scikit-learn's datasets, no download) in a folder,
with their answer keys beside them for scoring the baselines' output."""

from __future__ import annotations

from pathlib import Path

import pytest


def write_demo(name: str, folder: Path) -> Path:
    from podium.demo import datasets

    made = getattr(datasets, name)()
    folder.mkdir(parents=True, exist_ok=True)
    for part in ("train", "test", "sample_submission", "solution"):
        (folder / f"{part}.csv").write_bytes(getattr(made, part))
    return folder


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory):
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = write_demo(name, tmp_path_factory.mktemp(name))
        return cache[name]

    return get
