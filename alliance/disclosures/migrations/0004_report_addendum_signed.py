"""Addenda to mandated reports are signed like every other addendum (records kernel).

Adding a column rebuilds the table on SQLite, which drops its triggers: the guards are lifted
before and put back after. Addenda written before this have an empty hash.
"""

from django.db import migrations, models

from alliance.disclosures.guards import install_disclosure_guards, remove_disclosure_guards


def lift(apps, schema_editor):
    remove_disclosure_guards(schema_editor.connection)


def restore(apps, schema_editor):
    install_disclosure_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0003_ordering_by_parent_id")]

    operations = [
        migrations.RunPython(lift, restore, elidable=False),
        migrations.AddField(
            model_name="mandatedreportaddendum",
            name="content_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(restore, lift, elidable=False),
    ]
