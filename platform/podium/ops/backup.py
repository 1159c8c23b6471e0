"""Operators' backups: one ``tar.gz`` archive that restores on either database backend.

Members: ``db.jsonl`` (Django's JSON-lines serialization of every Podium model and the users,
streamed row by row, in dependency order), ``files/<storage alias>/<stored name>`` (every file a
row names, read through Django's storages by name: ``default`` and ``answer_keys``, the latter
falling back to the default when not configured), and ``manifest.json`` last (format version,
row counts, the SHA-256 and size of every other member, Podium's applied migrations).

The archive holds answer keys and password hashes: it is written 0600, under a temporary name
then renamed. An archive is hostile input on restore, read twice. The first pass writes nothing:
it refuses members with absolute paths, ``..``, links, devices or sparse maps, more members than
``RESTORE_MAX_MEMBERS``, more unpacked bytes than ``RESTORE_MAX_BYTES`` (counted from each
header, before its data is read: a gzip bomb is refused at its first header), metadata headers
(pax, GNU long names) over ``METADATA_MAX``; it hashes every member and compares names, sizes
and SHA-256 with the manifest, and the migrations with this code's. Then the unpacked total
must fit the temp folder's free space with ``FREE_RESERVE`` to spare. Only then does the second
pass write, checking each member again as it goes (the file may change in between); a failure
there removes what it wrote.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
DUMP = "db.jsonl"
MANIFEST = "manifest.json"
FILES = "files"
ALIASES = ("default", "answer_keys")
CHUNK = 1024 * 1024
EXTRA_MODELS = ("auth.group", "auth.user")  # not Podium's apps, but Podium's data
MANIFEST_MAX = 256 * 1024 * 1024  # about 2 million members' names and hashes
METADATA_MAX = 1024 * 1024  # a pax or GNU long-name header: tarfile reads it into memory
FREE_RESERVE = 1024**3  # left free in the temp folder after unpacking


class BackupError(Exception):
    """What an operator reads: a clear sentence, never a traceback."""


# -- what is backed up ---------------------------------------------------------------------------


def _podium_models() -> list[type[models.Model]]:
    chosen = [apps.get_model(label) for label in EXTRA_MODELS]
    for config in apps.get_app_configs():
        if config.name.startswith("podium."):
            chosen += [m for m in config.get_models() if not m._meta.proxy and m._meta.managed]
    ordered = serializers.sort_dependencies([(None, chosen)], allow_cycles=True)
    return ordered


def _podium_app_labels() -> set[str]:
    return {m._meta.app_label for m in _podium_models()}


def storage(alias: str):
    """A storage by name; ``answer_keys`` falls back to the default where not configured."""
    return storages[alias] if alias in settings.STORAGES else storages["default"]


def _alias_of(field: models.FileField) -> str:
    named = field.storage.__dict__.get("podium_alias")  # core.storage_backends.NamedStorage
    if named in ALIASES:
        return named
    for alias in ALIASES:
        if alias in settings.STORAGES and field.storage == storages[alias]:
            return alias
    return "default"


def _stored_files() -> Iterator[tuple[str, str, object]]:
    """(storage alias, stored name, the field's storage) of every file a row names, each once
    (read through the field's own storage: the instance that wrote it)."""
    seen: set[tuple[str, str]] = set()
    for model in _podium_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            alias = _alias_of(field)
            names = model._default_manager.exclude(**{field.name: ""}).exclude(
                **{f"{field.name}__isnull": True}
            )
            for name in names.values_list(field.name, flat=True).iterator(chunk_size=2000):
                if (alias, name) not in seen:
                    seen.add((alias, name))
                    yield alias, name, field.storage


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    labels = _podium_app_labels()
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        if app in labels:
            applied.setdefault(app, []).append(name)
    return applied


# -- progress ------------------------------------------------------------------------------------


class Progress:
    """A one-line counter on a TTY; silent otherwise (cron, logs)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty()
        self.done = 0

    def step(self, label: str) -> None:
        self.done += 1
        if self.on and (self.done % 200 == 0 or label != getattr(self, "_label", None)):
            self.stream.write(f"\r{label}: {self.done:,}\033[K")
            self.stream.flush()
        self._label = label

    def end(self) -> None:
        if self.on:
            self.stream.write("\n")


# -- writing an archive --------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it (tarfile copies exactly ``size`` bytes)."""

    def __init__(self, source):
        self.source, self.digest = source, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        return data


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, 0
    return info


def _dump_rows(path: Path, progress: Progress) -> dict[str, int]:
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        for model in _podium_models():
            label = model._meta.label_lower
            counts[label] = 0

            def rows(model=model, label=label) -> Iterable[models.Model]:
                for row in model._default_manager.order_by("pk").iterator(chunk_size=2000):
                    counts[label] += 1
                    progress.step("rows")
                    yield row

            serializers.serialize("jsonl", rows(), stream=out, use_natural_foreign_keys=True)
    return counts


def backup_create(target: str | Path, *, progress: Progress | None = None) -> dict:
    """Write the archive at ``target`` (0600, atomically). Returns its manifest."""
    progress = progress or Progress()
    target = Path(target).resolve()
    if not target.parent.is_dir():
        raise BackupError(f"No such folder: {target.parent}")
    manifest: dict = {"format": FORMAT, "migrations": applied_migrations(), "members": {}}
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            with tempfile.TemporaryDirectory(prefix="podium-backup-") as work:
                dump = Path(work) / DUMP
                with _snapshot():  # one consistent view of rows and file names
                    manifest["counts"] = _dump_rows(dump, progress)
                    files = list(_stored_files())
                with dump.open("rb") as source:
                    _add(tar, manifest, DUMP, dump.stat().st_size, source)
            for alias, name, store in files:
                with store.open(name, "rb") as source:
                    _add(tar, manifest, f"{FILES}/{alias}/{name}", store.size(name), source)
                progress.step("files")
            manifest["counts"]["files"] = len(files)
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            tar.addfile(_member(MANIFEST, len(body)), io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    finally:
        progress.end()
    return manifest


@contextmanager
def _snapshot() -> Iterator[None]:
    """One read-only view of the database for the whole dump, without blocking writers:
    REPEATABLE READ on PostgreSQL (READ COMMITTED would see commits between tables); on
    SQLite a deferred read transaction (WAL: a snapshot at the first read), not Django's
    IMMEDIATE one, which would hold the write lock for the whole dump."""
    if connection.in_atomic_block:  # the caller's transaction is the view
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor != "sqlite":
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def _add(tar: tarfile.TarFile, manifest: dict, name: str, size: int, source) -> None:
    reader = _Hashing(source)
    tar.addfile(_member(name, size), reader)
    manifest["members"][name] = {"sha256": reader.digest.hexdigest(), "size": size}


# -- reading an archive --------------------------------------------------------------------------


def _safe_name(member: tarfile.TarInfo) -> PurePosixPath:
    """The member's relative path, or BackupError for anything a restore must not write."""
    if member.issparse():  # a sparse map unpacks to more than it stores; backups have none
        raise BackupError(f"Refused: archive member {member.name!r} is a sparse file.")
    if not member.isfile():
        kind = "link" if member.issym() or member.islnk() else "device or special file"
        if member.isdir():
            kind = "folder"
        raise BackupError(f"Refused: archive member {member.name!r} is a {kind}.")
    path = PurePosixPath(member.name)
    if path.is_absolute() or member.name.startswith(("/", "\\")) or ".." in path.parts:
        raise BackupError(f"Refused: archive member {member.name!r} points outside the archive.")
    if not path.parts or any(part in ("", ".") for part in path.parts) or "\\" in member.name:
        raise BackupError(f"Refused: archive member {member.name!r} has an unusual name.")
    return path


@dataclass(frozen=True)
class RestoreLimits:
    """What a restore unpacks at most: bytes (headers' sizes, summed) and members."""

    max_bytes: int
    max_members: int

    @classmethod
    def from_settings(cls) -> RestoreLimits:
        return cls(settings.RESTORE_MAX_BYTES, settings.RESTORE_MAX_MEMBERS)


@dataclass(frozen=True)
class Scan:
    """The first pass over an archive: its manifest and what it unpacks to."""

    manifest: dict
    sizes: dict[str, int]  # every member (the manifest included) by name
    total: int  # bytes unpacked


class _GuardedTarInfo(tarfile.TarInfo):
    """tarfile reads pax and GNU long-name headers whole into memory: refuse a huge one."""

    _METADATA = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)
    _METADATA += (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)

    def _proc_member(self, tarfile):
        if self.type in self._METADATA and self.size > METADATA_MAX:
            raise BackupError(
                f"Refused: the archive has a {self.size:,}-byte metadata header "
                f"(at most {METADATA_MAX:,})."
            )
        return super()._proc_member(tarfile)


def _members(archive: Path) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    """Each member in turn, without tarfile's list of every member read so far (a member-count
    bomb would fill memory). Iterate it inside ``_readable``."""
    with tarfile.open(archive, mode="r:*", tarinfo=_GuardedTarInfo) as tar:
        while (member := tar.next()) is not None:
            tar.members.clear()
            yield tar, member


@contextmanager
def _readable(archive: Path) -> Iterator[None]:
    """A damaged, truncated or foreign archive: one line, no traceback."""
    try:
        yield
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"Not a readable Podium backup ({archive.name}): {error}") from None


def _size_text(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB" if n >= 1024**3 else f"{n:,} bytes"


def archive_scan(archive: str | Path, limits: RestoreLimits | None = None) -> Scan:
    """The first pass: every check that needs no disk (see the module's docstring)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No such backup file: {archive}")
    limits = limits or RestoreLimits.from_settings()
    sizes: dict[str, int] = {}
    digests: dict[str, dict] = {}
    folders: set[str] = set()  # the members' parent folders: no member may be one
    total, manifest_body = 0, None
    with _readable(archive):
        for tar, member in _members(archive):
            path = str(_safe_name(member))
            if len(sizes) >= limits.max_members:
                raise BackupError(
                    f"Refused: the archive has more than {limits.max_members:,} members "
                    "(raise --max-members if it is a real backup)."
                )
            if path in sizes:
                raise BackupError(f"Refused: archive member {member.name!r} appears twice.")
            parents = [str(parent) for parent in PurePosixPath(path).parents][:-1]
            if path in folders or any(parent in sizes for parent in parents):
                raise BackupError(f"Refused: archive member {member.name!r} collides with another.")
            folders.update(parents)
            total += member.size
            if total > limits.max_bytes:
                raise BackupError(
                    f"Refused: the archive unpacks to more than {_size_text(limits.max_bytes)} "
                    "(raise --max-bytes or PODIUM_RESTORE_MAX_BYTES if it is a real backup)."
                )
            if path == MANIFEST and member.size > MANIFEST_MAX:
                raise BackupError(f"Refused: a {member.size:,}-byte manifest.")
            sizes[path] = member.size
            digest, body = hashlib.sha256(), []
            with tar.extractfile(member) as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    if path == MANIFEST:
                        body.append(chunk)
            digests[path] = {"sha256": digest.hexdigest(), "size": member.size}
            if path == MANIFEST:
                manifest_body = b"".join(body)
    return Scan(_manifest(manifest_body, digests), sizes, total)


def archive_extract(archive: str | Path, into: Path, scan: Scan) -> None:
    """The second pass: write the scanned members into the empty private folder ``into``,
    each checked again against the scan and the manifest. On any failure ``into`` is emptied."""
    archive = Path(archive)
    if any(into.iterdir()):
        raise BackupError(f"Unpacking needs an empty folder: {into}")
    free = shutil.disk_usage(into).free
    if scan.total + FREE_RESERVE > free:
        raise BackupError(
            f"Refused: the archive unpacks to {_size_text(scan.total)} and {into} has "
            f"{_size_text(free)} free (with {_size_text(FREE_RESERVE)} to spare): point "
            "TMPDIR at a larger disk."
        )
    listed, written = scan.manifest["members"], 0
    changed = "Refused: the archive changed while it was being restored."
    try:
        with _readable(archive):
            for tar, member in _members(archive):
                path = str(_safe_name(member))
                if scan.sizes.get(path) != member.size or written + member.size > scan.total:
                    raise BackupError(changed)
                written += member.size
                digest = _member_write(tar, member, into.joinpath(*PurePosixPath(path).parts))
                if path != MANIFEST and listed[path]["sha256"] != digest:
                    raise BackupError(changed)
    except BaseException:
        for child in into.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _member_write(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> str:
    """Copy ``member`` to the new file ``dest``; its SHA-256."""
    digest = hashlib.sha256()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tar.extractfile(member) as source, dest.open("xb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (FileExistsError, NotADirectoryError):
        message = f"Refused: archive member {member.name!r} collides with another."
        raise BackupError(message) from None
    except OSError as error:
        if error.filename is None:  # reading the archive: _readable says so
            raise
        raise BackupError(f"Could not unpack {member.name!r}: {error.strerror}.") from None
    return digest.hexdigest()


def archive_unpack(archive: str | Path, into: Path, limits: RestoreLimits | None = None) -> dict:
    """Check ``archive`` (first pass), then unpack it into the empty private folder ``into``.
    Returns the manifest."""
    scan = archive_scan(archive, limits)
    archive_extract(archive, into, scan)
    return scan.manifest


def _manifest(body: bytes | None, digests: dict[str, dict]) -> dict:
    try:
        manifest = json.loads(body) if body is not None else None
    except ValueError:
        manifest = None
    if manifest is None:
        raise BackupError("Not a Podium backup: its manifest is missing or unreadable.")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(
            f"Unsupported backup format {found!r}: this Podium reads format {FORMAT}."
        )
    listed = manifest.get("members") or {}
    digests.pop(MANIFEST, None)
    if not isinstance(listed, dict) or set(listed) != set(digests) or DUMP not in listed:
        raise BackupError("Damaged backup: its members do not match its manifest.")
    for name, seen in digests.items():
        parts = name.split("/", 2)
        if name != DUMP and (len(parts) < 3 or parts[0] != FILES or parts[1] not in ALIASES):
            raise BackupError(f"Refused: unexpected archive member {name!r}.")
        if listed[name] != seen:
            raise BackupError(f"Damaged backup: {name} does not match its SHA-256 in the manifest.")
    return manifest


def migrations_check(manifest: dict) -> None:
    """Refuse a dump made by migrations this code does not have (a newer Podium)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, names in (manifest.get("migrations") or {}).items():
        for name in names:
            if (app, name) not in known:
                raise BackupError(
                    f"This backup comes from a newer Podium: migration {app}.{name} is unknown "
                    "here. Restore it with that version of Podium (or newer)."
                )


def database_is_empty() -> bool:
    return not any(m._default_manager.exists() for m in _podium_models())


def backup_restore(
    archive: str | Path,
    *,
    force: bool = False,
    limits: RestoreLimits | None = None,
    progress: Progress | None = None,
) -> dict:
    """Restore ``archive`` into this database and these storages. Returns its manifest.
    Everything that can be checked is checked before anything is written."""
    progress = progress or Progress()
    scan = archive_scan(archive, limits)
    manifest = scan.manifest
    migrations_check(manifest)
    with tempfile.TemporaryDirectory(prefix="podium-restore-") as work:
        folder = Path(work)
        archive_extract(archive, folder, scan)
        call_command("migrate", interactive=False, verbosity=0)
        if not database_is_empty():
            if not force:
                raise BackupError(
                    "Refused: this database already holds Podium data. Restore into an empty "
                    "database, or pass --force to replace everything in it."
                )
            call_command("flush", interactive=False, verbosity=0)
        if (folder / DUMP).stat().st_size:  # loaddata warns about an empty file
            call_command("loaddata", str(folder / DUMP), verbosity=0)
        _sequences_reset()
        for member in manifest["members"]:
            if member.startswith(f"{FILES}/"):
                _, alias, name = member.split("/", 2)
                _file_write(alias, name, folder / member)
                progress.step("files")
        progress.end()
    return manifest


def _file_write(alias: str, name: str, source: Path) -> None:
    store = storage(alias)
    if store.exists(name):
        store.delete(name)
    with source.open("rb") as data:
        saved = store.save(name, File(data, name=name))
    if saved != name:  # the rows name the file: it must keep its name
        raise BackupError(f"Could not write stored file {name!r} under its own name.")


def _sequences_reset() -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), _podium_models())
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
