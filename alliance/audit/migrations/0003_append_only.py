"""Make the audit table append-only in the database itself (SEC-25)."""

from django.db import migrations

from alliance.core.dbguards import install_append_only, remove_append_only


def forwards(apps, schema_editor):
    install_append_only(schema_editor.connection, "audit_auditevent")


def backwards(apps, schema_editor):
    remove_append_only(schema_editor.connection, "audit_auditevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
