"""Trigram index for substring search of names on PostgreSQL (search p95 target: 30 ms).

SQLite has no trigram index; its search scans the folded ``search_text`` column, which is
fast enough for the embedded, single-clinic size it is meant for.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS client_search_trgm_idx ON clients_client "
            "USING gin (search_text gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS client_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
