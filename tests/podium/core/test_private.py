"""The database file, the answer keys and the secret key are readable by Podium's user only; the
data folder stays searchable (the sandbox's uid reaches its staging folder through it)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from podium.competitions.models import solutions_storage
from podium.config.secret_key import ensure_key_file
from podium.core import private


def mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_the_data_folder_is_searchable_not_listable():
    assert mode(settings.DATA_DIR) == 0o711


def test_a_private_folder_is_made_or_narrowed(tmp_path):
    made = private.folder(tmp_path / "a" / "keys")
    assert mode(made) == 0o700
    wide = tmp_path / "wide"
    wide.mkdir(mode=0o755)
    wide.chmod(0o777)
    assert mode(private.folder(wide, private.SEARCHABLE_FOLDER)) == 0o711


def test_a_sqlite_database_podium_opens_is_private(tmp_path, django_db_blocker):
    """Through Django's own SQLite backend (whatever database this run uses), with a write in
    WAL mode so that the -wal file exists too."""
    name = tmp_path / "db.sqlite3"
    wrapper = SQLiteWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias="private-check",
    )
    with django_db_blocker.unblock():  # a database of its own, not the test database
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("CREATE TABLE t (x INTEGER)")
                cursor.execute("INSERT INTO t VALUES (1)")
            assert mode(name) == 0o600
            assert Path(f"{name}-wal").exists() and mode(f"{name}-wal") == 0o600
        finally:
            wrapper.close()


@pytest.mark.django_db
def test_the_test_database_is_private_when_it_is_sqlite():
    if connection.vendor == "sqlite":  # on PostgreSQL the test above stands for it
        connection.ensure_connection()
        assert mode(connection.settings_dict["NAME"]) == 0o600


def test_a_new_sqlite_file_is_made_private(tmp_path):
    class Fake:
        vendor = "sqlite"
        settings_dict = {"NAME": str(tmp_path / "db.sqlite3")}

    (tmp_path / "db.sqlite3").write_bytes(b"")
    (tmp_path / "db.sqlite3").chmod(0o644)
    private.sqlite_private(None, connection=Fake())
    assert mode(tmp_path / "db.sqlite3") == 0o600


def test_stored_answer_keys_and_their_folders_are_private(settings, tmp_path):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    settings.SOLUTIONS_ROOT = tmp_path / "solutions"
    name = solutions_storage().save("c1/solution.csv", ContentFile(b"id,y,Usage\n1,0,Public\n"))
    stored = Path(solutions_storage().path(name))
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700 and mode(tmp_path / "solutions") == 0o700


def test_the_secret_key_file_is_private(tmp_path):
    ensure_key_file(tmp_path / "secret_key")
    assert mode(tmp_path / "secret_key") == 0o600
