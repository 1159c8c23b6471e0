"""Operators' backups: one ``tar.gz`` archive that restores on either database backend.

Members: ``db.jsonl`` (Django's JSON-lines serialization of every Podium model and the users,
streamed row by row, in dependency order), ``files/<storage alias>/<stored name>`` (every file a
row names, read through Django's storages by name: ``default`` and ``answer_keys``, the latter
falling back to the default when not configured), and ``manifest.json`` last (format version,
row counts, the SHA-256 and size of every other member, Podium's applied migrations).

The archive holds answer keys and password hashes: it is written 0600, under a temporary name
then renamed. On restore it is hostile input: ``ops/archive.py`` checks it whole before
anything is written, then unpacks it; here the migrations are compared with this code's and the
rows and files restored.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

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

from podium.discussion.search import index_rebuild as search_index_rebuild
from podium.ops.archive import (
    ALIASES,
    DUMP,
    FILES,
    FORMAT,
    MANIFEST,
    BackupError,
    RestoreLimits,
    archive_extract,
    archive_scan,
)

EXTRA_MODELS = ("auth.group", "auth.user")  # not Podium's apps, but Podium's data


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
        search_index_rebuild()  # SQLite's FTS5 table is not in the dump
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
