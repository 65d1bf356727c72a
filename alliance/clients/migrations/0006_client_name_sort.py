"""``Client.name_sort``: the key lists of clients sort on (folded last name, then first name),
compared byte by byte (``COLLATE "C"`` on PostgreSQL). Existing rows are filled here."""

from django.db import migrations

import alliance.core.fields

BATCH = 2000


def fill_name_sort(apps, schema_editor):  # type: ignore[no-untyped-def]
    from alliance.clients.validation import name_sort_for

    Client = apps.get_model("clients", "Client")
    rows = Client.objects.using(schema_editor.connection.alias).order_by("pk")
    batch = []
    for client in rows.only("pk", "legal_last_name", "legal_first_name").iterator(BATCH):
        client.name_sort = name_sort_for(client.legal_last_name, client.legal_first_name)
        batch.append(client)
        if len(batch) == BATCH:
            Client.objects.bulk_update(batch, ["name_sort"])
            batch = []
    if batch:
        Client.objects.bulk_update(batch, ["name_sort"])


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0005_ordering_by_parent_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="name_sort",
            field=alliance.core.fields.BytewiseCharField(
                default="", editable=False, max_length=300
            ),
        ),
        migrations.RunPython(fill_name_sort, migrations.RunPython.noop, elidable=True),
    ]
