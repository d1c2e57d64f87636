"""The call log's caller-ID search (`caller_id LIKE '%digits%'`) found through a trigram index
on PostgreSQL, rather than by reading every call the account kept (SQLite: nothing to do)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS call_caller_id_trgm ON calls_call "
        "USING gin (caller_id gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS call_caller_id_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0004_statistics_rollups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
