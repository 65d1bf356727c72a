"""Lock signed notes and forbid deletion in the database itself (REL-01, REL-02, SEC-11)."""

from django.db import migrations

from alliance.notes.guards import install_note_guards, remove_note_guards


def forwards(apps, schema_editor):
    install_note_guards(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_note_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
