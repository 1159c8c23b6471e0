"""The config file: written readable by its owner only, environment variables win."""

from __future__ import annotations

import json
import stat

import pytest
from podium_client import config
from podium_client.errors import CliError, Exit, UsageError


@pytest.fixture
def where(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "podium" / "config.json"
    for name in (config.URL_VARIABLE, config.TOKEN_VARIABLE, "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(config.CONFIG_VARIABLE, str(path))
    return path


def test_the_file_is_written_with_mode_600_in_a_private_folder(where):
    config.save("https://podium.example.org", "pdm_secret", "alice", token_id=7)

    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700
    assert json.loads(where.read_text()) == {
        "url": "https://podium.example.org",
        "token": "pdm_secret",
        "username": "alice",
        "token_id": 7,
    }
    assert [p.name for p in where.parent.iterdir()] == ["config.json"]  # no temporary left


def test_rewriting_keeps_mode_600_even_over_a_file_others_could_read(where):
    where.parent.mkdir(parents=True)
    where.write_text("{}")
    where.chmod(0o644)

    config.save("https://a", "pdm_new", None)

    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert config.load().token == "pdm_new"


def test_the_environment_overrides_the_file(where, monkeypatch):
    config.save("https://from-file.example", "pdm_file", "alice")
    assert (config.load().url, config.load().token) == ("https://from-file.example", "pdm_file")

    monkeypatch.setenv(config.URL_VARIABLE, "http://localhost:8000/")
    assert (config.load().url, config.load().token) == ("http://localhost:8000", "pdm_file")
    monkeypatch.setenv(config.TOKEN_VARIABLE, "pdm_env")
    assert (config.load().url, config.load().token) == ("http://localhost:8000", "pdm_env")


def test_environment_alone_needs_no_file(where, monkeypatch):
    monkeypatch.setenv(config.URL_VARIABLE, "https://podium.example.org/api/v1/")
    monkeypatch.setenv(config.TOKEN_VARIABLE, "pdm_env")
    loaded = config.load()
    assert (loaded.url, loaded.token) == ("https://podium.example.org", "pdm_env")
    assert not where.exists()


def test_nothing_configured_is_a_usage_error_that_says_what_to_do(where):
    loaded = config.load()
    assert loaded.url is None and loaded.token is None
    with pytest.raises(UsageError) as raised:
        loaded.require_url()
    assert raised.value.exit_code == Exit.USAGE
    assert "podium login" in raised.value.message


def test_a_broken_file_is_a_clear_error(where):
    where.parent.mkdir(parents=True)
    where.write_text("{not json")
    with pytest.raises(CliError, match="not valid JSON"):
        config.load()


def test_the_default_location_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv(config.CONFIG_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config.config_path() == tmp_path / "xdg" / "podium" / "config.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config.config_path() == tmp_path / ".config" / "podium" / "config.json"


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("podium.example.org", "https://podium.example.org"),
        ("localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://x.org/api/v1", "https://x.org"),
    ],
)
def test_urls_are_normalized(given, url):
    assert config.normalize_url(given) == url
