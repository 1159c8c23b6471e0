"""The secret key (podium/config/secret_key.py) and the deploy checks, as an operator meets them.

The settings are read once per process, so each case loads the real settings
(``podium.config.settings``, not the tests') in a child Python with a clean environment: no
DJANGO_SECRET_KEY, no CI service, a data folder of its own.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from podium.config.secret_key import ensure_key_file, load_secret_key

ROOT = Path(__file__).resolve().parents[3]
PRINT_KEY = (
    "import hashlib, django; django.setup(); from django.conf import settings; "
    "print(hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest())"
)


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(data_dir)),
        "PODIUM_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "podium.config.settings",
        "PODIUM_LOG_LEVEL": "WARNING",
    }
    return {**env, **extra}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def test_podium_refuses_to_start_without_a_key_outside_debug(tmp_path):
    data = tmp_path / "data"
    done = run(["manage.py", "check"], clean_env(data, DJANGO_DEBUG="0"))
    assert done.returncode != 0, done.stdout + done.stderr
    assert (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set and there "
        f"is no key file at {data / 'secret_key'}." in done.stderr
    )
    # what to do: a random key in production, or `make run` for a demo
    assert "secrets.token_urlsafe(50)" in done.stderr
    assert "run `make run`" in done.stderr
    assert not (data / "secret_key").exists()  # nothing made behind the operator's back


def test_make_run_makes_the_key_file_once_mode_600_and_the_settings_reuse_it(tmp_path):
    data = tmp_path / "data"
    env = clean_env(data, DJANGO_DEBUG="0")
    first = run(["-m", "podium.config.secret_key"], env)  # what `make run` does first
    key_file = data / "secret_key"
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        f"A new secret key for this install: {key_file} (mode 600; later runs reuse it)."
    )
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 50 and len(set(key)) >= 5  # what check --deploy wants of a key

    again = run(["-m", "podium.config.secret_key"], env)
    assert again.returncode == 0 and again.stdout == ""
    assert key_file.read_text().strip() == key  # reused, not replaced

    for command in (["-c", PRINT_KEY], ["-c", PRINT_KEY]):  # every process: the same key
        loaded = run(command, env)
        assert loaded.returncode == 0, loaded.stderr
        assert loaded.stdout.strip() == digest(key)


def test_another_install_gets_another_key(tmp_path):
    keys = set()
    for name in ("one", "two"):
        env = clean_env(tmp_path / name)
        assert run(["-m", "podium.config.secret_key"], env).returncode == 0
        keys.add((tmp_path / name / "secret_key").read_text())
    assert len(keys) == 2


def test_debug_makes_the_key_file_itself(tmp_path):
    data = tmp_path / "data"
    env = clean_env(data, DJANGO_DEBUG="1")
    loaded = run(["-c", PRINT_KEY], env)
    assert loaded.returncode == 0, loaded.stderr
    key_file = data / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert loaded.stdout.strip() == digest(key_file.read_text().strip())
    assert run(["-c", PRINT_KEY], env).stdout == loaded.stdout


def test_the_environment_key_wins_and_no_file_is_made(tmp_path):
    data = tmp_path / "data"
    key = secrets.token_urlsafe(50)
    env = clean_env(data, DJANGO_SECRET_KEY=key, DJANGO_DEBUG="1")
    loaded = run(["-c", PRINT_KEY], env)
    assert loaded.stdout.strip() == digest(key), loaded.stderr
    assert run(["-m", "podium.config.secret_key"], env).stdout == ""
    assert not (data / "secret_key").exists()


def test_podium_secret_key_file_names_the_file(tmp_path):
    key_file = tmp_path / "keys" / "podium.key"
    env = clean_env(tmp_path / "data", PODIUM_SECRET_KEY_FILE=str(key_file))
    assert run(["-m", "podium.config.secret_key"], env).returncode == 0
    loaded = run(["-c", PRINT_KEY], env)
    assert loaded.stdout.strip() == digest(key_file.read_text().strip()), loaded.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


def test_check_deploy_is_clean_in_the_production_setup(tmp_path):
    env = clean_env(
        tmp_path / "data",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        PODIUM_HTTPS="1",
        DJANGO_ALLOWED_HOSTS="podium.example.com",
    )
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr


# -- the key file itself, in this process -------------------------------------------------------


def test_the_key_file_is_private_whatever_the_umask(tmp_path):
    path = tmp_path / "secret_key"
    previous = os.umask(0)
    try:
        key, made = ensure_key_file(path)
    finally:
        os.umask(previous)
    assert made and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == key + "\n"
    assert ensure_key_file(path) == (key, False)


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    start = threading.Barrier(8)
    results: list[tuple[str, bool]] = []

    def make() -> None:
        start.wait()
        results.append(ensure_key_file(path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({key for key, _ in results}) == 1
    assert sum(made for _, made in results) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind


def test_an_empty_key_file_is_refused(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="is empty: delete it"):
        load_secret_key("", key_file=path, debug=True)


@pytest.mark.django_db
def test_https_redirects_every_page_but_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # what PODIUM_HTTPS=1 sets
    page = client.get("/login/?next=/")
    assert page.status_code == 301
    assert page["Location"] == "https://testserver/login/?next=/"
    assert client.get("/healthz").status_code == 200  # compose's probe asks over http, inside
    assert client.get("/healthz", secure=True).status_code == 200
