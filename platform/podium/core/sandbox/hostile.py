"""Reading what untrusted code left behind, as an attacker would have arranged it.

Every file is reached from an already-open directory, one name at a time, with ``O_NOFOLLOW``:
no symlink is ever followed, at any depth. Only regular files with a single link are copied
(a hard link may point at a file the code was never meant to hand over); directories are walked;
symlinks, hard links, FIFOs, sockets and devices are refused and named in the report. Copying is
capped while it happens (bytes in all, files in all, depth), never after a size was believed.
"""

from __future__ import annotations

import itertools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1024 * 1024
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)  # relative paths, as copied
    refused: list[str] = field(default_factory=list)  # "path: why"
    bytes: int = 0
    over_cap: bool = False  # a file did not fit in what was left of max_bytes


@dataclass(frozen=True)
class Caps:
    max_bytes: int
    max_files: int = 10_000
    max_depth: int = 32


def _why_not(mode: int, links: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if links != 1:
        return "a hard link"
    return None


def _safe_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return name not in ("", ".", "..") and "/" not in name and "\x00" not in name


def copy_out(source_dir_fd: int, names: list[str], dest: Path, caps: Caps) -> CopyReport:
    """Copy the entries ``names`` of the open directory ``source_dir_fd`` (files or folders) into
    ``dest`` (created), hostile-safe. Returns what was copied and what was refused."""
    report = CopyReport()
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        _copy_entry(source_dir_fd, name, dest / name, name, 0, caps, report)
    return report


def _copy_entry(
    dir_fd: int, name: str, target: Path, rel: str, depth: int, caps: Caps, report: CopyReport
) -> None:
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        if depth >= caps.max_depth:
            report.refused.append(f"{rel}: folders nested deeper than {caps.max_depth}")
            return
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            report.refused.append(f"{rel}: {exc.strerror}")
            return
        try:
            target.mkdir(exist_ok=True)
            # never more names than may still be copied: a folder of a million empty files is
            # not read whole into the worker's memory
            room = caps.max_files - len(report.copied) + 1
            with os.scandir(fd) as entries:
                children = sorted(itertools.islice((entry.name for entry in entries), room))
            if len(children) == room:
                report.refused.append(f"{rel}: more than {caps.max_files} files")
                children.pop()
            for child in children:
                if not _safe_name(child):
                    report.refused.append(f"{rel}/{child!a}: a name that is not plain UTF-8")
                    continue
                _copy_entry(fd, child, target / child, f"{rel}/{child}", depth + 1, caps, report)
        finally:
            os.close(fd)
        return
    why = _why_not(info.st_mode, info.st_nlink)
    if why:
        report.refused.append(f"{rel}: {why}")
        return
    if len(report.copied) >= caps.max_files:
        report.refused.append(f"{rel}: more than {caps.max_files} files")
        return
    _copy_file(dir_fd, name, target, rel, caps, report)


def _copy_file(
    dir_fd: int, name: str, target: Path, rel: str, caps: Caps, report: CopyReport
) -> None:
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        report.refused.append(f"{rel}: {exc.strerror}")
        return
    try:
        info = os.fstat(fd)  # what was opened, not what was looked at before
        why = _why_not(info.st_mode, info.st_nlink)
        if why:
            report.refused.append(f"{rel}: {why}")
            return
        room = caps.max_bytes - report.bytes
        written = 0
        with open(target, "wb") as out:
            while True:
                chunk = os.read(fd, min(CHUNK, room - written + 1))
                if not chunk:
                    break
                written += len(chunk)
                if written > room:
                    break
                out.write(chunk)
        if written > room:
            target.unlink()
            report.over_cap = True
            report.refused.append(f"{rel}: over the {caps.max_bytes}-byte cap")
            return
        report.bytes += written
        report.copied.append(rel)
    finally:
        os.close(fd)


def read_capped(path: Path, max_bytes: int) -> bytes | None:
    """A file that untrusted code may have written or replaced: its bytes if it is a regular,
    singly linked file of at most ``max_bytes``, else None. Never follows a link."""
    try:
        fd = os.open(path, _FILE_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if _why_not(info.st_mode, info.st_nlink) or info.st_size > max_bytes:
            return None
        data = os.read(fd, max_bytes + 1)
        return None if len(data) > max_bytes else data
    finally:
        os.close(fd)
