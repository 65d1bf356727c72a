"""Reads are audited by the selector that reads: once per actor, record and request, written
when the response shows the record, with the purpose of the access (issue 13, SEC-23)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse

from alliance.access.models import BreakGlassReason
from alliance.access.services import break_glass_start
from alliance.audit.models import AuditEvent
from alliance.audit.reads import read_record, reads_of_request
from alliance.crisis.models import CrisisEpisode
from alliance.notes.models import Note
from alliance.staff.models import User
from tests.crisis.conftest import start
from tests.notes.conftest import signed
from tests.personas import PASSWORD, Clinic

Signer = Callable[[User], HttpClient]


def reads_of(note: Note) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="record_view", object_type="notes.Note", object_id=str(note.pk)
        ).order_by("seq")
    )


def test_one_read_per_record_and_request_however_often_selectors_read_it(
    clinic: Clinic,
) -> None:
    note = signed(clinic.psychiatrist, clinic.client_a)
    with reads_of_request() as ledger:
        for _ in range(3):
            read_record(actor=clinic.therapist_on_team, client=clinic.client_a, target=note)
        ledger.flush()
    assert len(reads_of(note)) == 1


def test_a_read_outside_a_request_is_written_at_once(clinic: Clinic) -> None:
    note = signed(clinic.psychiatrist, clinic.client_a)
    read_record(actor=clinic.therapist_on_team, client=clinic.client_a, target=note)
    assert len(reads_of(note)) == 1


def test_an_addendum_page_audits_its_read_the_same_on_every_branch(
    clinic: Clinic, signed_in: Signer
) -> None:
    """The drift the kernel removed: the GET, a refused POST and a saved POST each leave the
    same trail (one read when the page is shown, none when the addendum is saved)."""
    note = signed(clinic.therapist_on_team, clinic.client_a)
    http = signed_in(clinic.therapist_on_team)
    url = reverse("web:note_addendum", args=[clinic.client_a.pk, note.pk])

    assert http.get(url).status_code == 200
    assert len(reads_of(note)) == 1

    refused = http.post(url, {"text": "Called back.", "password": "wrong-password-1"})
    assert refused.status_code == 400
    events = reads_of(note)
    assert len(events) == 2
    denied = AuditEvent.objects.filter(outcome="denied", object_id=str(note.pk)).latest("seq")
    assert denied.seq < events[-1].seq  # the page showed the note again after the refusal

    saved = http.post(url, {"text": "Called back.", "password": PASSWORD})
    assert saved.status_code == 302
    assert len(reads_of(note)) == 2  # a redirect shows nothing: no read for the POST


def test_a_page_opened_under_break_the_glass_is_audited_as_break_the_glass(
    clinic: Clinic, signed_in: Signer
) -> None:
    """The purpose of the access travels into every audit row: a crisis episode (whose reads
    used to be written as treatment) and a write, both under an emergency grant."""
    episode: CrisisEpisode = start(clinic)
    outsider = clinic.therapist_off_team
    break_glass_start(
        actor=outsider,
        mrn=clinic.client_a.mrn,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Client called in crisis, primary clinician away",
        password=PASSWORD,
    )
    http = signed_in(outsider)

    page = http.get(reverse("web:crisis_episode", args=[clinic.client_a.pk, episode.pk]))

    assert page.status_code == 200
    read = AuditEvent.objects.filter(
        actor_id=outsider.pk, action="record_view", object_type="crisis.CrisisEpisode"
    ).get()
    assert read.purpose == "BTG"
    plans = http.get(reverse("web:plan_list", args=[clinic.client_a.pk]))
    assert plans.status_code == 200
    listed = AuditEvent.objects.filter(
        actor_id=outsider.pk, action="record_view", object_type="clients.Client"
    ).latest("seq")
    assert listed.purpose == "BTG"  # client_record_for wrote "treatment" before
    on_team = clinic.therapist_on_team
    signed_in(on_team).get(reverse("web:crisis_episode", args=[clinic.client_a.pk, episode.pk]))
    mine = AuditEvent.objects.filter(actor_id=on_team.pk, action="record_view").latest("seq")
    assert mine.purpose == "TREAT"
