"""Settings from the environment: a wrong value stops Podium with the variable's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from podium.config.env import env_bool, env_int


def test_a_number_that_is_not_one_names_its_variable(monkeypatch):
    monkeypatch.setenv("PODIUM_KERNEL_MEMORY_MB", "4 GB")
    with pytest.raises(ImproperlyConfigured, match="PODIUM_KERNEL_MEMORY_MB must be a whole"):
        env_int("PODIUM_KERNEL_MEMORY_MB", 4096)
    monkeypatch.setenv("PODIUM_KERNEL_MEMORY_MB", " 2048 ")
    assert env_int("PODIUM_KERNEL_MEMORY_MB", 4096) == 2048
    monkeypatch.delenv("PODIUM_KERNEL_MEMORY_MB")
    assert env_int("PODIUM_KERNEL_MEMORY_MB", 4096) == 4096


@pytest.mark.parametrize(
    ("text", "value"), [("1", True), ("Yes", True), ("off", False), ("", False)]
)
def test_a_switch_reads_the_usual_spellings(monkeypatch, text, value):
    monkeypatch.setenv("PODIUM_HTTPS", text)
    assert env_bool("PODIUM_HTTPS") is value


def test_a_switch_that_is_neither_names_its_variable(monkeypatch):
    monkeypatch.setenv("PODIUM_HTTPS", "enabled")
    with pytest.raises(ImproperlyConfigured, match="PODIUM_HTTPS must be 1 or 0"):
        env_bool("PODIUM_HTTPS")
