"""Lock signed safety documents and flag history; forbid deletion (REL-01, REL-02, SEC-11)."""

from django.db import migrations

from alliance.safety.guards import install_safety_guards, remove_safety_guards


def forwards(apps, schema_editor):
    install_safety_guards(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_safety_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
