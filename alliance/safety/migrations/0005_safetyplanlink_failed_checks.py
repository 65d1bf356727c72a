"""Wrong dates of birth are counted on the client's plan link (issue 14 class 3).

Adding a column rebuilds the table on SQLite, which drops its triggers: the guards are lifted
before and put back after.
"""

from django.db import migrations, models

from alliance.safety.guards import install_safety_guards, remove_safety_guards


def lift(apps, schema_editor):
    remove_safety_guards(schema_editor.connection)


def restore(apps, schema_editor):
    install_safety_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("safety", "0004_records_kernel_fields")]

    operations = [
        migrations.RunPython(lift, restore, elidable=False),
        migrations.AddField(
            model_name="safetyplanlink",
            name="failed_checks",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(restore, lift, elidable=False),
    ]
