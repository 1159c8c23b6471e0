"""``manage.py podium_backup ARCHIVE``: one tar.gz of the rows, stored files and answer keys."""

from django.core.management.base import BaseCommand, CommandError

from podium.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup archive (0600): database rows, stored files, answer keys, manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="where to write it, e.g. podium-2026-12-03.tar.gz")

    def handle(self, *args, archive, **options):
        try:
            manifest = backup_create(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = manifest["counts"]
        rows = sum(n for label, n in counts.items() if label != "files")
        self.stdout.write(f"Backed up {rows} rows and {counts['files']} files to {archive}")
