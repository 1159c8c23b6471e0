"""``manage.py podium_restore ARCHIVE [--force]``: a backup into an empty database and storage."""

from django.core.management.base import BaseCommand, CommandError

from podium.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a podium_backup archive (refuses a non-empty database unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force", action="store_true", help="replace the data already in this database"
        )

    def handle(self, *args, archive, force, **options):
        try:
            manifest = backup_restore(archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = manifest["counts"]
        rows = sum(n for label, n in counts.items() if label != "files")
        self.stdout.write(f"Restored {rows} rows and {counts['files']} files from {archive}")
