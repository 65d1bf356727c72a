"""The caseload's "last contact" (``notes.contact.last_contact_refresh``, issue 13):
the latest session documented by a signed note still in the record, kept by the notes services
in the transaction that signs or withdraws the note."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.clients.models import Client
from alliance.notes.models import Note, NoteTemplate
from alliance.notes.services import note_create, note_mark_entered_in_error, note_save, note_sign
from alliance.staff.models import User
from alliance.staff.stepup import StepUpFailed
from tests.notes.conftest import SOAP, draft, signed
from tests.personas import PASSWORD, Clinic

SignIn = Callable[[User], HttpClient]
PROCESS = {"process": "I felt protective when she spoke about her brother."}


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def last_contact(client: Client) -> date | None:
    return Client.objects.values_list("last_contact_on", flat=True).get(pk=client.pk)


def caseload_row(http: HttpClient, client: Client) -> str:
    """The home page's caseload row of ``client``, as HTML."""
    page = http.get(reverse("web:home")).content.decode()
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if client.mrn in row]
    assert len(rows) == 1, rows
    return rows[0]


def withdraw(note: Note) -> Note:
    return note_mark_entered_in_error(
        actor=note.author, note=note, reason="Written in the wrong chart", password=PASSWORD
    )


def test_signing_a_session_note_shows_the_session_date_on_the_caseload(
    clinic: Clinic, signed_in: SignIn
) -> None:
    # given client_a on the therapist's caseload, never seen
    therapist = clinic.therapist_on_team
    http = signed_in(therapist)
    assert f"{days_ago(9):%Y-%m-%d}" not in caseload_row(http, clinic.client_a)

    # when the therapist signs the note of a session 9 days ago
    signed(therapist, clinic.client_a, day=days_ago(9))

    # then the caseload shows that day as the last contact
    assert f"<td>{days_ago(9):%Y-%m-%d}</td>" in caseload_row(http, clinic.client_a)
    assert last_contact(clinic.client_a) == days_ago(9)
    assert last_contact(clinic.client_b) is None


def test_an_earlier_session_signed_later_does_not_move_it_back(clinic: Clinic) -> None:
    therapist = clinic.therapist_on_team
    earlier = draft(therapist, clinic.client_a, day=days_ago(20))
    signed(therapist, clinic.client_a, day=days_ago(3))
    assert last_contact(clinic.client_a) == days_ago(3)

    earlier = note_save(actor=therapist, note=earlier, values=SOAP, version=earlier.version)
    note_sign(actor=therapist, note=earlier, version=earlier.version, password=PASSWORD)

    assert last_contact(clinic.client_a) == days_ago(3)


def test_a_draft_or_a_note_without_a_session_is_no_contact(clinic: Clinic) -> None:
    therapist = clinic.therapist_on_team
    draft(therapist, clinic.client_a, day=days_ago(2))
    loose = note_create(actor=therapist, client=clinic.client_a, template=NoteTemplate.FREE_TEXT)
    loose = note_save(actor=therapist, note=loose, values={"text": "Called."}, version=1)
    note_sign(actor=therapist, note=loose, version=loose.version, password=PASSWORD)

    assert last_contact(clinic.client_a) is None


def test_a_psychotherapy_note_documents_a_contact_too(clinic: Clinic) -> None:
    """Its session is on the chart whoever may read the note; the note's text is not shown."""
    signed(
        clinic.therapist_on_team,
        clinic.client_a,
        NoteTemplate.PSYCHOTHERAPY,
        PROCESS,
        day=days_ago(4),
    )

    assert last_contact(clinic.client_a) == days_ago(4)


def test_the_latest_note_entered_in_error_moves_it_back(clinic: Clinic, signed_in: SignIn) -> None:
    therapist = clinic.therapist_on_team
    http = signed_in(therapist)
    first = signed(therapist, clinic.client_a, day=days_ago(12))
    latest = signed(therapist, clinic.client_a, day=days_ago(2))
    assert last_contact(clinic.client_a) == days_ago(2)

    withdraw(latest)

    assert f"<td>{days_ago(12):%Y-%m-%d}</td>" in caseload_row(http, clinic.client_a)

    withdraw(first)

    assert last_contact(clinic.client_a) is None
    assert f"{days_ago(12):%Y-%m-%d}" not in caseload_row(http, clinic.client_a)


def test_a_wrong_password_changes_nothing_and_is_still_audited(clinic: Clinic) -> None:
    """SEC-08: the refusal's audit row survives the transaction that keeps last contact."""
    note = signed(clinic.therapist_on_team, clinic.client_a, day=days_ago(5))

    with pytest.raises(StepUpFailed):
        note_mark_entered_in_error(
            actor=note.author, note=note, reason="Written in the wrong chart", password="wrong"
        )

    assert last_contact(clinic.client_a) == days_ago(5)
    refusal = AuditEvent.objects.filter(object_id=str(note.pk), outcome="denied").get()
    assert refusal.detail["step"] == "entered_in_error"


def test_the_registry_version_is_not_touched(clinic: Clinic) -> None:
    """A derived column, not an edit: someone editing the registration meanwhile gets no
    conflict from a signed note (REL-04 is about edits)."""
    version = Client.objects.values_list("version", flat=True).get(pk=clinic.client_a.pk)

    signed(clinic.therapist_on_team, clinic.client_a, day=days_ago(1))

    assert Client.objects.values_list("version", flat=True).get(pk=clinic.client_a.pk) == version


def test_the_migration_fills_last_contact_from_signed_sessions(clinic: Clinic) -> None:
    """Migration notes 0005: clients with a signed session get its date; others keep theirs."""
    therapist = clinic.therapist_on_team
    signed(therapist, clinic.client_a, day=days_ago(30))
    signed(therapist, clinic.client_a, day=days_ago(6))
    withdraw(signed(therapist, clinic.client_a, day=days_ago(1)))
    draft(therapist, clinic.client_a, day=days_ago(0))
    Client.objects.filter(pk=clinic.client_a.pk).update(last_contact_on=days_ago(40))
    Client.objects.filter(pk=clinic.client_b.pk).update(last_contact_on=days_ago(8))  # the demo's

    migration = importlib.import_module("alliance.notes.migrations.0005_last_contact_from_notes")
    migration.fill_last_contact(apps, SimpleNamespace(connection=connection))

    assert last_contact(clinic.client_a) == days_ago(6)
    assert last_contact(clinic.client_b) == days_ago(8)
