"""``Client.last_contact_on`` from the record (issue 13): until now only the demo wrote it.

A client with a signed session note that is not entered in error gets the latest such session's
date, as ``notes.contact.last_contact_refresh`` keeps it from now on. A client with
none keeps what was there (a demo clinic's generated dates): nothing in the record says
otherwise, and the next signature sets it.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def fill_last_contact(apps, schema_editor):  # type: ignore[no-untyped-def]
    Client = apps.get_model("clients", "Client")
    Encounter = apps.get_model("notes", "Encounter")
    alias = schema_editor.connection.alias
    # Every note of the session, psychotherapy notes too (a join, not a manager).
    documented = Encounter.objects.using(alias).filter(
        client=OuterRef("pk"),
        notes__status="signed",
        notes__entered_in_error_at__isnull=True,
    )
    Client.objects.using(alias).filter(Exists(documented)).update(
        last_contact_on=Subquery(documented.order_by("-date").values("date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0004_records_kernel_fields"),
        ("clients", "0006_client_name_sort"),
    ]

    operations = [
        migrations.RunPython(fill_last_contact, migrations.RunPython.noop, elidable=True),
    ]
