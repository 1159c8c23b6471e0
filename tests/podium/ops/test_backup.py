"""``manage.py podium_backup`` / ``podium_restore`` (podium.ops.backup).

The round trip: a competition with teams, scored submissions (public and private scores), a
kernel run with its output and an answer key is backed up from the test database, then restored
by a real ``manage.py podium_restore`` process into an EMPTY database (a new SQLite file, or a
throwaway PostgreSQL database when this run is on PostgreSQL) and an empty data folder, and read
back there by another ``manage.py`` process. The run's own backend is the one exercised: run
this file both ways (embedded defaults, and DATABASE_URL=postgres://...).

The hostile archives (absolute paths, ``..``, links, devices), a corrupt file, a wrong format and
a dump from newer migrations are refused with one clear line, before anything is written.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from podium.kernels.models import KernelRun
from podium.ops import backup
from tests.podium.e2e.live import REPO_ROOT, database_url
from tests.podium.factories import competition_with_solution, participant, scored

# What is read back, in this process and in the restored one: the same code, the same answer.
SUMMARY = """
import hashlib, json
from django.contrib.auth.models import User
from podium.competitions.models import SolutionVersion
from podium.kernels.models import KernelRun
from podium.leaderboards.models import LeaderboardEntry, PrivateEntry
from podium.submissions.models import Submission

def sha(field):
    with field.open("rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

def summary():
    return {
        "users": sorted([u.username, u.password, u.is_staff] for u in User.objects.all()),
        "submissions": sorted(
            [str(s.uuid), s.team.name, s.status, s.public_score, s.private_score, s.file.name,
             sha(s.file)]
            for s in Submission.objects.select_related("team")
        ),
        "board": sorted(
            [e.team.name, e.best_public_score, e.entries]
            for e in LeaderboardEntry.objects.select_related("team")
        ),
        "private": sorted(
            [e.team.name, e.private_score, e.rank]
            for e in PrivateEntry.objects.select_related("team")
        ),
        "answer_keys": sorted(
            [v.competition.slug, v.number, v.sha256, sha(v.file)]
            for v in SolutionVersion.objects.select_related("competition")
        ),
        "kernels": sorted(
            [k.title, k.status, k.output.name, sha(k.output)] for k in KernelRun.objects.all()
        ),
    }
"""

_BACKEND_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "PODIUM_DATA_DIR",
    "PODIUM_MEDIA_ROOT",
    "PODIUM_SOLUTIONS_ROOT",
    "PODIUM_TEST_STORAGE",
    "PODIUM_S3_BUCKET",
    "PODIUM_S3_ANSWER_KEY_BUCKET",
    "DJANGO_SETTINGS_MODULE",
)


def summary_here() -> dict:
    namespace: dict = {}
    exec(SUMMARY, namespace)  # our own constant, run here and in the child
    return json.loads(json.dumps(namespace["summary"]()))


def manage(*args: str, target: dict, check: bool = True) -> subprocess.CompletedProcess:
    """A real ``manage.py`` process on the target database and data folder."""
    env = {k: v for k, v in os.environ.items() if k not in _BACKEND_VARIABLES}
    env.update(
        DATABASE_URL=target["url"],
        PODIUM_DATA_DIR=str(target["data"]),
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        DJANGO_SECRET_KEY="backup-test-" + "k" * 50,
    )
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def target(tmp_path):
    """An empty database and data folder to restore into: a new SQLite file, or a throwaway
    PostgreSQL database (dropped afterwards) when this run is on PostgreSQL."""
    data = tmp_path / "restored"
    data.mkdir(mode=0o700)
    if connection.vendor == "sqlite":
        yield {"url": f"sqlite:///{data / 'podium.sqlite3'}", "data": data}
        return
    server = database_url(connection.settings_dict)
    name = f"podium_restore_{uuid.uuid4().hex[:10]}"
    _pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield {"url": _with_database(server, name), "data": data}
    finally:
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _world():
    competition = competition_with_solution(rows=60)
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    scored(alice, competition, public=0.71, private=0.69)
    scored(alice, competition, public=0.75, private=0.62)
    scored(bob, competition, public=0.64, private=0.80)
    run = KernelRun.objects.create(
        uuid=uuid.uuid4(),
        competition=competition,
        created_by=alice,
        title="my kernel",
        source=KernelRun.Source.SCRIPT,
        wall_seconds=60,
        cpu_seconds=60,
        memory_mb=512,
        output_mb=10,
        status=KernelRun.Status.SUCCEEDED,
    )
    run.output.save("submission.csv", ContentFile(b"id,target\n1,0.5\n"))
    return competition


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_every_row_and_file(tmp_path, target):
    _world()
    expected = summary_here()
    archive = tmp_path / "podium.tar.gz"

    call_command("podium_backup", str(archive))

    assert archive.stat().st_mode & 0o777 == 0o600  # answer keys and password hashes inside
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".podium.tar.gz")]  # no temp
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "db.jsonl" and names[-1] == "manifest.json"
    assert manifest["counts"]["submissions.submission"] == 3
    assert manifest["counts"]["auth.user"] == 2
    assert "0001_initial" in manifest["migrations"]["submissions"]
    assert any(n.startswith("files/answer_keys/solutions/") for n in names)
    assert any(n.startswith("files/default/") for n in names)

    manage("migrate", "-v0", target=target)  # a fresh install: migrated, no rows
    restored = manage("podium_restore", str(archive), target=target)
    assert "Restored" in restored.stdout

    child = manage("shell", "-c", SUMMARY + "\nprint(json.dumps(summary()))", target=target)
    found = json.loads(child.stdout.strip().splitlines()[-1])
    assert found == expected
    assert len(found["submissions"]) == 3
    assert sorted(s[3:5] for s in found["submissions"]) == [
        [0.64, 0.80],
        [0.71, 0.69],
        [0.75, 0.62],
    ]
    assert [row[0] for row in found["board"]] and len(found["answer_keys"]) == 1
    assert found["kernels"][0][0] == "my kernel"
    key_files = list((target["data"] / "solutions" / "solutions").iterdir())
    assert key_files  # the answer key went to its own storage, not under media

    # A second restore finds the rows: refused without --force, replaced with it; new rows get
    # new ids after the restored ones (sequences reset on PostgreSQL).
    again = manage("podium_restore", str(archive), target=target, check=False)
    assert again.returncode != 0 and "already holds Podium data" in again.stderr
    assert "Traceback" not in again.stderr
    manage("podium_restore", "--force", str(archive), target=target)
    child = manage("shell", "-c", SUMMARY + "\nprint(json.dumps(summary()))", target=target)
    assert json.loads(child.stdout.strip().splitlines()[-1]) == expected
    new_user = (
        "from django.contrib.auth.models import User; "
        "print(User.objects.create(username='carol').pk > max(User.objects.exclude("
        "username='carol').values_list('pk', flat=True)))"
    )
    assert manage("shell", "-c", new_user, target=target).stdout.split()[-1] == "True"


# -- refused archives ----------------------------------------------------------------------------


def _archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, body in members:
            tar.addfile(info, io.BytesIO(body) if body is not None else None)
    return path


def _file(name: str, body: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    return info, body


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info, None


@pytest.mark.parametrize(
    "member, reason",
    [
        (_file("/etc/podium-evil"), "points outside"),
        (_file("files/default/../../../podium-evil"), "points outside"),
        (_special("files/default/link", tarfile.SYMTYPE, "/etc/passwd"), "is a link"),
        (_special("files/default/hard", tarfile.LNKTYPE, "db.jsonl"), "is a link"),
        (_special("files/default/dev", tarfile.CHRTYPE), "device"),
        (_special("files/default/fifo", tarfile.FIFOTYPE), "device"),
    ],
    ids=["absolute", "dotdot", "symlink", "hardlink", "device", "fifo"],
)
def test_restore_refuses_hostile_members_before_writing_anything(tmp_path, member, reason):
    archive = _archive(tmp_path / "evil.tar.gz", [_file("db.jsonl", b""), member])
    into = tmp_path / "staging"
    into.mkdir()

    with pytest.raises(backup.BackupError, match=reason):
        backup.archive_unpack(archive, into)

    assert not (tmp_path.parent / "podium-evil").exists()
    assert not Path("/etc/podium-evil").exists()
    assert [p.name for p in into.rglob("*") if p.is_file()] == ["db.jsonl"]


def _valid_members(manifest_changes: dict) -> list:
    body = b""
    manifest = {
        "format": backup.FORMAT,
        "migrations": {},
        "counts": {"files": 0},
        "members": {"db.jsonl": {"sha256": backup.hashlib.sha256(body).hexdigest(), "size": 0}},
    }
    manifest.update(manifest_changes)
    return [_file("db.jsonl", body), _file("manifest.json", json.dumps(manifest).encode())]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"format": 99}, "Unsupported backup format 99"),
        ({"members": {"db.jsonl": {"sha256": "0" * 64, "size": 0}}}, "does not match its SHA-256"),
        ({"members": {}}, "do not match its manifest"),
        ({"migrations": {"submissions": ["9999_from_the_future"]}}, "comes from a newer Podium"),
    ],
    ids=["format", "hash", "members", "newer-migrations"],
)
@pytest.mark.django_db
def test_restore_refuses_a_wrong_manifest(tmp_path, changes, message):
    archive = _archive(tmp_path / "b.tar.gz", _valid_members(changes))

    with pytest.raises(CommandError, match=message):
        call_command("podium_restore", str(archive))


@pytest.mark.django_db
def test_restore_refuses_a_member_for_another_storage(tmp_path):
    """Only the default and answer-key storages are written: never staticfiles, say."""
    members = _valid_members({})
    body = b"alert(1)"
    extra = "files/staticfiles/admin/js/core.js"
    manifest = json.loads(members[1][1])
    manifest["members"][extra] = {"sha256": backup.hashlib.sha256(body).hexdigest(), "size": 8}
    members[1] = _file("manifest.json", json.dumps(manifest).encode())
    archive = _archive(tmp_path / "b.tar.gz", [*members, _file(extra, body)])

    with pytest.raises(CommandError, match="unexpected archive member"):
        call_command("podium_restore", str(archive))


def test_restore_reports_a_missing_or_corrupt_file_in_one_line_without_a_traceback(tmp_path):
    target = {"url": f"sqlite:///{tmp_path / 'db.sqlite3'}", "data": tmp_path}
    good = _archive(tmp_path / "good.tar.gz", _valid_members({}))
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_tar = tmp_path / "notes.txt"
    not_tar.write_text("hello")

    for path, message in [
        (tmp_path / "missing.tar.gz", "No such backup file"),
        (corrupt, "Not a readable Podium backup"),
        (not_tar, "Not a readable Podium backup"),
    ]:
        done = manage("podium_restore", str(path), target=target, check=False)
        assert done.returncode == 1
        assert message in done.stderr and "Traceback" not in done.stderr


def test_backup_refuses_a_missing_folder_in_one_line(tmp_path):
    with pytest.raises(CommandError, match="No such folder"):
        call_command("podium_backup", str(tmp_path / "nowhere" / "b.tar.gz"))
