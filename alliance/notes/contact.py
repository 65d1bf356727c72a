"""A client's "last contact": the latest session documented by a signed note (issue 13).

The caseload shows it. It is derived from the notes, in the transaction that signs or withdraws
one, so it cannot drift from the record; the registry only stores it
(``Client.last_contact_on``). It lives here because a session is the notes app's idea.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max

from alliance.clients.models import Client
from alliance.notes.models import Note, NoteStatus


def last_contact_refresh(*, client_id: int) -> date | None:
    """Set ``Client.last_contact_on`` (the caseload's "last contact") from the record, and
    return it: the latest date of a session documented by a signed note that is not entered in
    error, or None when there is none.

    The notes services call it in the transaction that signs or withdraws a note, after their
    own access check and audit event: it derives a column, it is not an edit, so the registry's
    ``version`` is kept and a person editing the registration gets no conflict from it. Any kind
    of session counts, and a psychotherapy note's too: the session is the contact, and it is on
    the chart whoever may read the note. A draft documents nothing yet.
    """
    with transaction.atomic():
        # Lock the client first, so the date is read in a later statement that sees every
        # signature committed before ours (PostgreSQL reads committed rows per statement): two
        # notes signed at once cannot leave the earlier session's date.
        list(Client.objects.select_for_update().filter(pk=client_id).values_list("pk"))
        latest: date | None = Note.all_kinds.filter(  # psychotherapy notes count too
            client_id=client_id,
            encounter__isnull=False,
            status=NoteStatus.SIGNED,
            entered_in_error_at__isnull=True,
        ).aggregate(latest=Max("encounter__date"))["latest"]
        Client.objects.filter(pk=client_id).update(last_contact_on=latest)
    return latest
