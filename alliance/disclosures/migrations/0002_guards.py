"""Lock signed reports and make the accounting append-only in the database (SEC-29, SEC-31)."""

from django.db import migrations

# The guards of the tables this migration knows (the Part 2 tables came in 0005).
from alliance.disclosures.guards import FIRST_GUARDS


def forwards(apps, schema_editor):
    FIRST_GUARDS.install(schema_editor.connection)


def backwards(apps, schema_editor):
    FIRST_GUARDS.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
