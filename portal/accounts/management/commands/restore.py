"""manage.py restore SRC: a backup of `manage.py backup` back into the database and storage."""

from django.core.management.base import BaseCommand

from portal.backup import restore


class Command(BaseCommand):
    help = (
        "Restores a backup made by `manage.py backup` into the database DATABASE_URL names and "
        "the recordings' storage (PORTAL_DATA_DIR). Checks every file against the manifest "
        "first; refuses a target that already holds data unless --force. Stop the portal "
        "first; run `manage.py migrate` after, when the code is newer than the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", help="the backup's directory")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database and storage that hold data"
        )

    def handle(self, *args, src, force=False, **options):
        manifest = restore(src, force=force)
        database, media = manifest["database"], manifest["media"]
        self.stdout.write(
            f"Restored {src} (made {manifest['created_at']}): {manifest['engine']} database, "
            f"{sum(database['tables'].values())} rows in {len(database['tables'])} tables, "
            f"and {media['count']} file(s) ({media['bytes']} bytes); the counts match the "
            "manifest."
        )
