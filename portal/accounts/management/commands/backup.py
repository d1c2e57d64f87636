"""manage.py backup DEST: the database and the recordings, together, into a new directory."""

from django.core.management.base import BaseCommand

from portal.backup import backup


class Command(BaseCommand):
    help = (
        "Backs up the database (SQLite: its online backup API, safe while the portal runs; "
        "PostgreSQL: pg_dump -Fc) and every file of the recordings' storage into the new "
        "directory DEST, with manifest.json (each table's row count, each file's size and "
        "SHA-256). DEST must not exist or be empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", help="a new (or empty) directory")

    def handle(self, *args, dest, **options):
        manifest = backup(dest)
        database, media = manifest["database"], manifest["media"]
        rows = sum(database["tables"].values())
        self.stdout.write(
            f"Backed up to {dest}: {manifest['engine']} database ({database['size']} bytes, "
            f"{len(database['tables'])} tables, {rows} rows) and {media['count']} file(s) "
            f"({media['bytes']} bytes)."
        )
