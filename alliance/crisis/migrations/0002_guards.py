"""Keep crisis records whole in the database itself (REL-01, REL-02, SEC-11)."""

from django.db import migrations

from alliance.crisis.guards import install_crisis_guards, remove_crisis_guards


def forwards(apps, schema_editor):
    install_crisis_guards(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_crisis_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("crisis", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
