"""Removing a 42 CFR Part 2 label is privileged and audited (SEC-19; issue 14 class 1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, transaction
from django.test import Client as HttpClient
from django.utils import timezone

from alliance.access.models import CareTeamMember, LabelRemoval
from alliance.access.part2_labels import LabelRemovalRefused, label_remove
from alliance.audit.actions import AuditOutcome, AuditSeverity
from alliance.audit.models import AuditEvent
from alliance.clients.models import Episode
from alliance.notes.models import Note, NoteTemplate
from alliance.notes.services import note_create, note_save
from alliance.organisation.models import Program, ProgramMembership
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.models import SupervisionLink, User
from tests.personas import PASSWORD, Clinic, make_user

CANARY = "Harbor session canary words"


@pytest.fixture
def labelled(clinic: Clinic) -> tuple[Note, User, User]:
    """A note by a Part 2 counselor; the counselor's supervisor is in the program too."""
    program = Program.objects.create(
        organisation=clinic.program.organisation, name="Harbor", code="harbor", is_part2=True
    )
    Episode.objects.create(
        client=clinic.client_a, program=program, referral_date=timezone.localdate()
    )
    counselor = make_user("sud_counselor", Discipline.COUNSELOR, LicenceType.LPC, "Sol")
    chief = make_user("sud_chief", Discipline.PSYCHOLOGIST, LicenceType.PSYCHOLOGIST, "Cora")
    for person in (counselor, chief):
        ProgramMembership.objects.create(program=program, staff=person)
    CareTeamMember.objects.create(client=clinic.client_a, staff=counselor, role="therapist")
    SupervisionLink.objects.create(supervisor=chief, supervisee=counselor)
    note = note_create(actor=counselor, client=clinic.client_a, template=NoteTemplate.SOAP)
    note_save(actor=counselor, note=note, values={"subjective": CANARY}, version=note.version)
    return Note.objects.get(pk=note.pk), counselor, chief


def url(note: Note) -> str:
    return f"/clients/{note.client_id}/part2-label/note/{note.pk}/remove/"


def test_the_author_s_supervisor_in_the_program_removes_it(
    clinic: Clinic,
    labelled: tuple[Note, User, User],
    signed_in: Callable[[User], HttpClient],
) -> None:
    note, _counselor, chief = labelled
    other = signed_in(clinic.therapist_on_team)
    note_page = f"/clients/{note.client_id}/notes/{note.pk}/"
    assert other.get(note_page).status_code == 404
    http = signed_in(chief)
    page = http.get(f"/clients/{note.client_id}/notes/{note.pk}/").content.decode()
    assert url(note) in page  # the way to it is shown to who may
    weak = http.post(url(note), {"reason": "..........", "password": PASSWORD})
    assert weak.status_code == 400
    assert "in words" in weak.content.decode()
    wrong = http.post(url(note), {"reason": "Adult outpatient session", "password": "nope"})
    assert wrong.status_code == 400
    assert Note.objects.get(pk=note.pk).part2_program_id is not None
    done = http.post(url(note), {"reason": "Adult outpatient session", "password": PASSWORD})
    assert done.status_code == 302
    assert Note.objects.get(pk=note.pk).part2_program_id is None
    removal = LabelRemoval.objects.get()
    assert (removal.record_type, removal.record_id, removal.removed_by) == (
        "notes.Note",
        note.pk,
        chief,
    )
    event = AuditEvent.objects.filter(object_id=str(note.pk), detail__has_key="labels_removed")
    assert event.get().severity == AuditSeverity.HIGH
    # the client's other clinician now finds the note (a draft: shown without its text)
    assert other.get(note_page).status_code == 200


def test_the_author_alone_may_not(
    clinic: Clinic,
    labelled: tuple[Note, User, User],
    signed_in: Callable[[User], HttpClient],
) -> None:
    note, counselor, _chief = labelled
    http = signed_in(counselor)
    assert url(note) not in http.get(f"/clients/{note.client_id}/notes/{note.pk}/").content.decode()
    response = http.post(url(note), {"reason": "Adult outpatient session", "password": PASSWORD})
    assert response.status_code == 404
    with pytest.raises(LabelRemovalRefused):
        label_remove(
            actor=counselor,
            client=clinic.client_a,
            kind="note",
            record=note,
            reason="Adult outpatient session",
            password=PASSWORD,
        )
    assert Note.objects.get(pk=note.pk).part2_program_id is not None
    assert not LabelRemoval.objects.exists()
    refused = AuditEvent.objects.filter(object_id=str(note.pk), outcome=AuditOutcome.DENIED)
    assert refused.exists()


def test_outsiders_get_no_such_page(
    clinic: Clinic,
    labelled: tuple[Note, User, User],
    signed_in: Callable[[User], HttpClient],
) -> None:
    note, _counselor, _chief = labelled
    for persona in ("therapist_on_team", "supervisor", "front_desk"):
        http = signed_in(getattr(clinic, persona))
        assert http.get(url(note)).status_code in (403, 404), persona
    assert Note.objects.get(pk=note.pk).part2_program_id is not None


def test_removals_are_append_only(clinic: Clinic, labelled: tuple[Note, User, User]) -> None:
    note, _counselor, chief = labelled
    label_remove(
        actor=chief,
        client=clinic.client_a,
        kind="note",
        record=note,
        reason="Adult outpatient session",
        password=PASSWORD,
    )
    for change in (
        lambda: LabelRemoval.objects.update(reason="edited afterwards"),
        lambda: LabelRemoval.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
