"""Helpers for the notes tests: sessions, drafts and signed notes of client_a."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from alliance.clients.models import Client
from alliance.notes.models import EncounterSetting, EncounterType, Note, NoteTemplate
from alliance.notes.services import EncounterValues, note_create, note_save, note_sign
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

SOAP = {
    "subjective": "Reports sleeping better; fewer arguments at home.",
    "objective": "Calm, good eye contact, speech normal.",
    "assessment": "Engaged; using the sleep routine.",
    "plan": "Continue the sleep diary; review in two weeks.",
}


def session(
    kind: str = EncounterType.INDIVIDUAL,
    minutes: int = 50,
    day: date | None = None,
    start: time = time(10, 0),
    client_present: bool = True,
) -> EncounterValues:
    end_minutes = start.hour * 60 + start.minute + minutes
    return EncounterValues(
        date=day or timezone.localdate() - timedelta(days=1),
        start_time=start,
        end_time=time(end_minutes // 60, end_minutes % 60),
        encounter_type=kind,
        setting=EncounterSetting.OFFICE,
        participants=["Mother (collateral)"] if kind == EncounterType.FAMILY else [],
        client_present=client_present,
    )


def draft(
    author: User,
    client: Client,
    template: str = NoteTemplate.SOAP,
    content: dict[str, Any] | None = None,
    **session_args: Any,
) -> Note:
    note = note_create(
        actor=author, client=client, template=template, session=session(**session_args)
    )
    if content:
        note = note_save(actor=author, note=note, values=content, version=note.version)
    return note


def signed(
    author: User,
    client: Client,
    template: str = NoteTemplate.SOAP,
    content: dict[str, Any] | None = None,
    **session_args: Any,
) -> Note:
    note = draft(author, client, template, content or SOAP, **session_args)
    return note_sign(actor=author, note=note, version=note.version, password=PASSWORD)


@pytest.fixture
def soap_draft(clinic: Clinic) -> Note:
    return draft(clinic.therapist_on_team, clinic.client_a, content=SOAP)


@pytest.fixture
def signed_note(clinic: Clinic) -> Note:
    """A SOAP note signed by the psychiatrist (not a supervisee: no co-signature needed)."""
    return signed(clinic.psychiatrist, clinic.client_a)
