"""``manage.py podium_restore ARCHIVE [--force] [--max-bytes N] [--max-members N]``: a backup
into an empty database and storage. The archive is checked whole before anything is written;
a refusal is one line on stderr and exit status 1."""

import re

from django.core.management.base import BaseCommand, CommandError

from podium.ops.backup import BackupError, RestoreLimits, backup_restore

UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def byte_count(text: str) -> int:
    """``500000``, ``800M``, ``300G``, ``1T`` (powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise ValueError(text)
    return int(match[1]) * UNITS[match[2].upper()]


class Command(BaseCommand):
    help = "Restore a podium_backup archive (refuses a non-empty database unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force", action="store_true", help="replace the data already in this database"
        )
        parser.add_argument(
            "--max-bytes",
            type=byte_count,
            help="refuse an archive that unpacks to more (e.g. 300G; PODIUM_RESTORE_MAX_BYTES)",
        )
        parser.add_argument(
            "--max-members",
            type=int,
            help="refuse an archive with more members (PODIUM_RESTORE_MAX_MEMBERS)",
        )

    def handle(self, *args, archive, force, max_bytes, max_members, **options):
        defaults = RestoreLimits.from_settings()
        limits = RestoreLimits(
            max_bytes if max_bytes is not None else defaults.max_bytes,
            max_members if max_members is not None else defaults.max_members,
        )
        try:
            manifest = backup_restore(archive, force=force, limits=limits)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = manifest["counts"]
        rows = sum(n for label, n in counts.items() if label != "files")
        self.stdout.write(f"Restored {rows} rows and {counts['files']} files from {archive}")
