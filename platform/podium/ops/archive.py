"""A backup archive's format, and reading one as hostile input (``podium_restore``).

An archive is read twice. The first pass (``archive_scan``) writes nothing: it refuses members
with absolute paths, ``..``, links, devices or sparse maps, more members than
``RESTORE_MAX_MEMBERS``, more unpacked bytes than ``RESTORE_MAX_BYTES`` (counted from each
header, before its data is read: a gzip bomb is refused at its first header), metadata headers
(pax, GNU long names) over ``METADATA_MAX``; it hashes every member and compares names, sizes
and SHA-256 with the manifest. Then the unpacked total must fit the temp folder's free space
with ``FREE_RESERVE`` to spare. Only then does the second pass (``archive_extract``) write,
checking each member again as it goes (the file may change in between); a failure there removes
what it wrote. Writing archives and restoring their contents: ``ops/backup.py``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

FORMAT = 1
DUMP = "db.jsonl"
MANIFEST = "manifest.json"
FILES = "files"
ALIASES = ("default", "answer_keys")
CHUNK = 1024 * 1024
MANIFEST_MAX = 256 * 1024 * 1024  # about 2 million members' names and hashes
METADATA_MAX = 1024 * 1024  # a pax or GNU long-name header: tarfile reads it into memory
FREE_RESERVE = 1024**3  # left free in the temp folder after unpacking


class BackupError(Exception):
    """What an operator reads: a clear sentence, never a traceback."""


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
