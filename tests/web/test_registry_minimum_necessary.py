"""Front desk and intake see the registry, never clinical narrative (SEC-12; issue 14 class 6).

The intake coordinator used to read the clinicians' free-text discharge notes of every client.
The census walks every GET page as the front desk and as intake, with clinical narrative written
in the places a clinician writes it (a discharge note, a progress note, a diagnosis), and fails
when a page shows any of it. Intake keeps what it needs: enrolment, admission and discharge
dates and reasons.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from alliance.clients.models import Episode
from alliance.clients.services import episode_save
from alliance.diagnoses.models import DiagnosisStatus
from alliance.diagnoses.services import diagnosis_add
from alliance.notes.models import NoteTemplate
from alliance.notes.services import note_create, note_save
from alliance.staff.models import User
from tests.personas import Clinic
from tests.web.test_access_matrix import census_names, objects, url_for

__all__ = ["objects"]  # the access matrix's fixture, used here by name

DISCHARGE = "Moved in with sister, relapse worries discussed"
NOTE = "Client described nightmares about the flood"
DIAGNOSIS = "Posttraumatic stress disorder"


@pytest.fixture
def narrative(clinic: Clinic, objects: dict[str, int | str]) -> Episode:
    """Clinical narrative for client_a; returns the episode the clinician discharged."""
    episode = Episode.objects.get(pk=objects["episode_id"])
    today = timezone.localdate()
    episode_save(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        episode=episode,
        version=episode.version,
        values={
            "admission_date": today,
            "discharge_date": today,
            "discharge_reason": "other",
            "discharge_note": DISCHARGE,
        },
    )
    note = note_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, template=NoteTemplate.SOAP
    )
    note_save(actor=clinic.therapist_on_team, note=note, values={"subjective": NOTE}, version=1)
    diagnosis_add(
        actor=clinic.psychiatrist,
        client=clinic.client_a,
        code="F43.10",
        status=DiagnosisStatus.ACTIVE,
    )
    return Episode.objects.get(pk=episode.pk)


@pytest.mark.parametrize("persona", ["front_desk", "intake"])
def test_no_registry_page_shows_clinical_narrative(
    persona: str,
    clinic: Clinic,
    narrative: Episode,
    objects: dict[str, int | str],
    signed_in: Callable[[User], HttpClient],
) -> None:
    """SEC-12 census: every GET page of the web interface, as the front desk and intake."""
    assert narrative.discharge_note == DISCHARGE
    http = signed_in(getattr(clinic, persona))
    leaks = []
    for name in census_names():
        body = http.get(url_for(name, objects)).content.decode(errors="replace")
        leaks += [
            f"{name}: shows {text!r}" for text in (DISCHARGE, NOTE, DIAGNOSIS) if text in body
        ]
    assert not leaks, "\n".join(leaks)


def test_intake_updates_an_episode_without_reading_or_writing_the_note(
    clinic: Clinic, narrative: Episode, signed_in: Callable[[User], HttpClient]
) -> None:
    """Intake's form has no discharge note; a note posted anyway changes nothing."""
    http = signed_in(clinic.intake)
    url = f"/clients/{clinic.client_a.pk}/episodes/{narrative.pk}/"
    page = http.get(url).content.decode()
    assert 'name="discharge_note"' not in page
    response = http.post(
        url,
        {
            "program": narrative.program_id,
            "referral_date": narrative.referral_date.isoformat(),
            "admission_date": narrative.admission_date.isoformat(),  # type: ignore[union-attr]
            "discharge_date": narrative.discharge_date.isoformat(),  # type: ignore[union-attr]
            "discharge_reason": "completed",
            "discharge_note": "overwritten by intake",
            "version": narrative.version,
        },
    )
    assert response.status_code == 302
    saved = Episode.objects.get(pk=narrative.pk)
    assert saved.discharge_reason == "completed"  # intake's field is saved
    assert saved.discharge_note == DISCHARGE  # the clinician's words are untouched


def test_the_clinician_still_writes_it(
    clinic: Clinic, narrative: Episode, signed_in: Callable[[User], HttpClient]
) -> None:
    http = signed_in(clinic.therapist_on_team)
    page = http.get(f"/clients/{clinic.client_a.pk}/episodes/{narrative.pk}/").content.decode()
    assert 'name="discharge_note"' in page
    assert DISCHARGE in page
