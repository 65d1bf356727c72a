"""Lock activated treatment plans and forbid deletion in the database (REL-01, REL-02)."""

from django.db import migrations

from alliance.plans.guards import install_plan_guards, remove_plan_guards


def forwards(apps, schema_editor):
    install_plan_guards(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_plan_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
