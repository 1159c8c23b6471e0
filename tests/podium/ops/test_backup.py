"""``manage.py podium_backup`` / ``podium_restore`` (podium.ops.backup).

The round trip: a competition with teams, scored submissions (public and private scores), a
kernel run with its output and an answer key is backed up from the test database, then restored
by a real ``manage.py podium_restore`` process into an EMPTY database (a new SQLite file, or a
throwaway PostgreSQL database when this run is on PostgreSQL) and an empty data folder, and read
back there by another ``manage.py`` process. The run's own backend is the one exercised: run
this file both ways (embedded defaults, and DATABASE_URL=postgres://...).

The hostile archives (absolute paths, ``..``, links, devices), a corrupt file, a wrong format and
a dump from newer migrations are refused with one clear line, before anything is written. So are
bombs, crafted here for real: a header declaring a terabyte (refused at the header, before its
data), more bytes or members than the limits, a huge pax header, members that collide, an
archive that needs more free space than the temp folder has, and one that changes between the
checking pass and the writing pass.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from podium.discussion import services as discussion
from podium.kernels.models import KernelRun
from podium.ops import archive as reading
from podium.ops import backup
from tests.podium.e2e.live import REPO_ROOT, database_url
from tests.podium.factories import competition_with_solution, participant, scored

# What is read back, in this process and in the restored one: the same code, the same answer.
SUMMARY = """
import hashlib, json
from django.contrib.auth.models import User
from podium.competitions.models import Competition, SolutionVersion
from podium.discussion.models import Topic
from podium.discussion.search import search_topic_ids
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
        # Found by the search (SQLite's FTS5 table is rebuilt by the restore), by title.
        "search": sorted(
            Topic.objects.get(pk=pk).title
            for c in Competition.objects.all()
            for pk in search_topic_ids("stacking", competition_id=c.pk)
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
    topic = discussion.topic_create(
        user=alice, competition=competition, title="Stacking works", body="Try it."
    )
    discussion.reply_create(user=bob, topic=topic, body="Stacking three models helped me too")
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
    assert found["search"] == ["Stacking works"]  # the topic, found by its title and its reply
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
        reading.archive_unpack(archive, into)

    assert not (tmp_path.parent / "podium-evil").exists()
    assert not Path("/etc/podium-evil").exists()
    assert list(into.iterdir()) == []  # not even the member before it


def _valid_members(manifest_changes: dict) -> list:
    body = b""
    manifest = {
        "format": reading.FORMAT,
        "migrations": {},
        "counts": {"files": 0},
        "members": {"db.jsonl": {"sha256": hashlib.sha256(body).hexdigest(), "size": 0}},
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
    manifest["members"][extra] = {"sha256": hashlib.sha256(body).hexdigest(), "size": 8}
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


# -- bombs: sizes, counts, metadata ---------------------------------------------------------------


def _manifest_for(members: list[tuple[tarfile.TarInfo, bytes]]) -> tuple[tarfile.TarInfo, bytes]:
    """A true manifest for ``members`` (db.jsonl among them): only the limits can refuse it."""
    listed = {
        info.name: {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
        for info, body in members
    }
    manifest = {"format": reading.FORMAT, "migrations": {}, "counts": {"files": 0}}
    return _file("manifest.json", json.dumps({**manifest, "members": listed}).encode())


def _honest(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    return _archive(
        path, [_file("db.jsonl", b""), *members, _manifest_for(members + [_file("db.jsonl", b"")])]
    )


def _header_only(path: Path, name: str, declared: int) -> Path:
    """A gzip'd tar whose member declares ``declared`` bytes and carries none: what a reader
    that trusts the data (not the header) would only find out after decompressing it all."""
    info = tarfile.TarInfo(name)
    info.size = declared
    head = tarfile.TarInfo("db.jsonl").tobuf(format=tarfile.PAX_FORMAT)
    with gzip.open(path, "wb") as out:
        out.write(head + info.tobuf(format=tarfile.PAX_FORMAT) + b"\0" * 512 * 64)
    return path


def test_a_terabyte_declared_in_a_header_is_refused_before_its_data_is_read(tmp_path):
    archive = _header_only(tmp_path / "bomb.tar.gz", "files/default/zeros", 1024**4)
    into = tmp_path / "staging"
    into.mkdir()

    with pytest.raises(backup.BackupError, match="unpacks to more than 256.0 GiB"):
        reading.archive_unpack(archive, into)  # the default ceiling (settings)
    assert list(into.iterdir()) == []


def test_restore_refuses_an_archive_over_max_bytes_in_one_line_writing_nothing(tmp_path, target):
    """A real gzip bomb (64 MiB of zeros in about 64 KB), through a real manage.py process:
    exit status 1, one line, no table created and no file stored."""
    zeros = b"\0" * (64 * 1024**2)
    archive = _honest(tmp_path / "bomb.tar.gz", [_file("files/default/zeros", zeros)])
    assert archive.stat().st_size < 1024**2

    done = manage("podium_restore", str(archive), "--max-bytes", "16M", target=target, check=False)

    assert done.returncode == 1
    assert "unpacks to more than 16,777,216 bytes" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert _tables(target) == []  # not even migrated
    assert [p for p in target["data"].rglob("*") if p.is_file() and "sqlite" not in p.name] == []
    scan = reading.archive_scan(archive, reading.RestoreLimits(1024**3, 100))
    assert scan.total > 64 * 1024**2  # the same archive, under a ceiling it fits


def _tables(target: dict) -> list[str]:
    """The target database's tables, read without Django."""
    url = target["url"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        with closing(sqlite3.connect(path)) as db:
            return [row[0] for row in db.execute("SELECT name FROM sqlite_master")]
    import psycopg

    with psycopg.connect(url) as db:
        rows = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [row[0] for row in rows]


def test_restore_refuses_more_members_than_max_members(tmp_path):
    members = [_file(f"files/default/f{i:05}", b"") for i in range(3000)]
    archive = _honest(tmp_path / "many.tar.gz", members)
    into = tmp_path / "staging"
    into.mkdir()

    with pytest.raises(backup.BackupError, match="more than 1,000 members"):
        reading.archive_unpack(archive, into, reading.RestoreLimits(1024**3, 1000))
    assert list(into.iterdir()) == []
    assert (
        len(reading.archive_unpack(archive, into, reading.RestoreLimits(1024**3, 4000))["members"])
        == 3001
    )


@pytest.mark.django_db
def test_restore_refuses_many_members_from_the_command_line(tmp_path):
    members = [_file(f"files/default/f{i:05}", b"") for i in range(50)]
    archive = _honest(tmp_path / "many.tar.gz", members)

    with pytest.raises(CommandError, match="more than 20 members"):
        call_command("podium_restore", str(archive), "--max-members", "20")


def test_a_huge_pax_header_is_refused_before_tarfile_reads_it(tmp_path):
    info, body = _file("files/default/x")
    info.pax_headers = {"comment": "x" * (2 * 1024**2)}
    path = tmp_path / "pax.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(info, io.BytesIO(body))

    with pytest.raises(backup.BackupError, match="metadata header"):
        reading.archive_scan(path)


def test_a_file_and_a_folder_of_the_same_name_are_refused_before_writing(tmp_path):
    members = [_file("files/default/a", b"1"), _file("files/default/a/b", b"2")]
    archive = _honest(tmp_path / "collide.tar.gz", members)
    into = tmp_path / "staging"
    into.mkdir()

    with pytest.raises(backup.BackupError, match="collides with another"):
        reading.archive_unpack(archive, into)
    assert list(into.iterdir()) == []


def test_restore_refuses_an_archive_larger_than_the_free_space(tmp_path, monkeypatch):
    archive = _honest(tmp_path / "b.tar.gz", [_file("files/default/x", b"x" * 1000)])
    into = tmp_path / "staging"
    into.mkdir()
    monkeypatch.setattr(reading, "FREE_RESERVE", 2**62)  # more than any disk here has

    with pytest.raises(backup.BackupError, match="unpacks to 1,[0-9]{3} bytes and .* free"):
        reading.archive_unpack(archive, into)
    assert list(into.iterdir()) == []


def test_an_archive_changed_between_the_two_passes_is_refused_and_nothing_left(tmp_path):
    archive = tmp_path / "b.tar.gz"
    _honest(archive, [_file("files/default/a", b"first"), _file("files/default/b", b"BBBB")])
    scan = reading.archive_scan(archive)
    _honest(archive, [_file("files/default/a", b"FIRST"), _file("files/default/b", b"BBBB")])
    into = tmp_path / "staging"
    into.mkdir()

    with pytest.raises(backup.BackupError, match="changed while it was being restored"):
        reading.archive_extract(archive, into, scan)
    assert list(into.iterdir()) == []
