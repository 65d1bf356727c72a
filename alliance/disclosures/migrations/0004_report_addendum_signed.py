"""Addenda to mandated reports are signed like every other addendum (records kernel).

Adding a column rebuilds the table on SQLite, which drops its triggers: the guards are lifted
before and put back after. Addenda written before this have an empty hash.
"""

from django.db import migrations, models

# The guards of the tables this migration knows (the Part 2 tables came in 0005).
from alliance.disclosures.guards import FIRST_GUARDS


def lift(apps, schema_editor):
    FIRST_GUARDS.remove(schema_editor.connection)


def restore(apps, schema_editor):
    FIRST_GUARDS.install(schema_editor.connection)


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
