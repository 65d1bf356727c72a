"""Lock signed reports and make the accounting append-only in the database (SEC-29, SEC-31)."""

from django.db import migrations

from alliance.disclosures.guards import install_disclosure_guards, remove_disclosure_guards


def forwards(apps, schema_editor):
    install_disclosure_guards(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_disclosure_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
