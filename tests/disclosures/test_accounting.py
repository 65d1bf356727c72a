"""Recording and correcting accounting entries (SEC-29)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.access.policy import ClientNotFound
from alliance.disclosures.accounting import disclosure_correct, disclosure_record
from alliance.disclosures.models import Disclosure, DisclosureSource
from alliance.disclosures.selectors import DisclosureNotFound
from tests.personas import Clinic


def _record(clinic: Clinic) -> Disclosure:
    return disclosure_record(
        actor=clinic.psychiatrist,
        client=clinic.client_a,
        disclosed_at=timezone.now() - timedelta(days=1),
        recipient="Primary care physician (fax)",
        description="Medication list",
        purpose="Client's authorization of last week",
    )


def test_a_clinician_records_a_disclosure_by_hand(clinic: Clinic) -> None:
    """SEC-29: each workflow writes an entry; this one is the clinician's own record."""
    row = _record(clinic)
    assert row.source_type == DisclosureSource.RECORDED
    assert row.by_user_id == clinic.psychiatrist.pk and row.client_id == clinic.client_a.pk


def test_recording_checks_fields_and_access(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as error:
        disclosure_record(
            actor=clinic.psychiatrist,
            client=clinic.client_a,
            disclosed_at=timezone.now() + timedelta(days=1),
            recipient=" ",
            description="x",
            purpose="",
        )
    assert set(error.value.message_dict) == {"disclosed_at", "recipient", "purpose"}
    with pytest.raises(ClientNotFound):
        disclosure_record(
            actor=clinic.psychiatrist,
            client=clinic.client_b,
            disclosed_at=timezone.now(),
            recipient="x",
            description="x",
            purpose="x",
        )
    assert not Disclosure.objects.exists()


def test_a_correction_is_a_new_row_and_the_old_one_stays(clinic: Clinic) -> None:
    """SEC-29: corrections are appended and point at the entry they correct."""
    row = _record(clinic)
    fixed = disclosure_correct(
        actor=clinic.psychiatrist,
        disclosure=row,
        disclosed_at=row.disclosed_at,
        recipient="Primary care physician (secure email)",
        description=row.description,
        purpose=row.purpose,
        reason="Sent by secure email, not fax.",
    )
    assert fixed.pk != row.pk and fixed.corrects_id == row.pk
    assert Disclosure.objects.get(pk=row.pk).recipient == "Primary care physician (fax)"
    with pytest.raises(ValidationError):
        disclosure_correct(
            actor=clinic.psychiatrist,
            disclosure=row,
            disclosed_at=row.disclosed_at,
            recipient="again",
            description="x",
            purpose="x",
            reason="A second correction of the same row.",
        )


def test_only_the_recorder_or_the_privacy_officer_corrects(clinic: Clinic) -> None:
    row = _record(clinic)
    values = {
        "disclosed_at": row.disclosed_at,
        "recipient": "x",
        "description": "x",
        "purpose": "x",
        "reason": "Wrong recipient recorded.",
    }
    with pytest.raises(DisclosureNotFound):
        disclosure_correct(actor=clinic.therapist_on_team, disclosure=row, **values)
    fixed = disclosure_correct(actor=clinic.privacy_officer, disclosure=row, **values)
    assert fixed.by_user_id == clinic.privacy_officer.pk
