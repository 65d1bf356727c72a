"""Risk assessments: drafts, the optimistic lock, signing with screeners and flags."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alliance.access.policy import ClientNotFound
from alliance.assessments.services import administration_record
from alliance.audit.models import AuditEvent
from alliance.records.errors import StaleDraft
from alliance.safety.base import SafetyRecordNotFound
from alliance.safety.models import FlagChange, RiskAssessment, RiskFlag, RiskFlagEvent
from alliance.safety.risk import (
    risk_addendum_add,
    risk_assessment_save,
    risk_assessment_sign,
)
from alliance.safety.signing import addendum_signature_valid, assessment_signature_valid
from alliance.staff.stepup import StepUpFailed
from tests.personas import PASSWORD, Clinic
from tests.safety.conftest import SECTIONS, draft_assessment, formulation, signed_assessment


def test_signing_snapshots_the_screeners_and_sets_the_suicide_flag(clinic: Clinic) -> None:
    # given a PHQ-9 with item 9 positive and an ASQ
    therapist = clinic.therapist_on_team
    phq = {**{str(i): 1 for i in range(1, 9)}, "9": 2}
    administration_record(actor=therapist, client=clinic.client_a, instrument="phq9", answers=phq)
    administration_record(
        actor=therapist,
        client=clinic.client_a,
        instrument="asq",
        answers={"1": 1, "2": 0, "3": 0, "4": 0, "5": 0},
    )
    # when an assessment is signed
    signed = signed_assessment(therapist, clinic.client_a, level="high")
    # then the screeners are stored with it, item 9 included
    by_code = {s["instrument"]: s for s in signed.screeners}
    assert set(by_code) == {"phq9", "asq"}
    assert by_code["phq9"]["item9"] == 2
    assert "phq9_item9_positive" in by_code["phq9"]["flags"]
    assert assessment_signature_valid(signed)
    # and the suicide flag carries the formulation and review date, from this assessment
    flag = RiskFlag.objects.get(client=clinic.client_a, kind="suicide")
    assert (flag.level, flag.review_on, flag.active) == ("high", signed.review_on, True)
    event = RiskFlagEvent.objects.get(flag=flag)
    assert (event.change, event.assessment_id) == (FlagChange.SET, signed.pk)
    assert not RiskFlag.objects.filter(kind="violence").exists()


def test_a_second_assessment_changes_the_flag_and_keeps_its_history(clinic: Clinic) -> None:
    therapist = clinic.therapist_on_team
    signed_assessment(therapist, clinic.client_a, level="high")
    signed_assessment(therapist, clinic.client_a, level="low", violence_rationale="Threats.")
    flag = RiskFlag.objects.get(client=clinic.client_a, kind="suicide")
    assert flag.level == "low"
    changes = list(flag.events.values_list("change", "level"))
    assert changes == [("set", "high"), ("changed", "low")]


def test_violence_risk_sets_its_own_flag(clinic: Clinic) -> None:
    therapist = clinic.therapist_on_team
    draft = risk_assessment_save(
        actor=therapist,
        assessment=draft_assessment(therapist, clinic.client_a),
        values={**SECTIONS, "violence_rationale": "Named a coworker."},
        formulation=formulation("low", violence="high"),
        version=1,
    )
    risk_assessment_sign(
        actor=therapist, assessment=draft, version=draft.version, password=PASSWORD
    )
    assert RiskFlag.objects.get(client=clinic.client_a, kind="violence").level == "high"


def test_a_stale_save_is_refused_with_the_saved_text(clinic: Clinic) -> None:
    """REL-04: two editors from version 1: the second gets StaleDraft and writes nothing."""
    therapist = clinic.therapist_on_team
    draft = draft_assessment(therapist, clinic.client_a)
    risk_assessment_save(
        actor=therapist,
        assessment=draft,
        values={**SECTIONS, "plan": "First"},
        formulation=formulation(),
        version=1,
    )
    with pytest.raises(StaleDraft) as stale:
        risk_assessment_save(
            actor=therapist,
            assessment=draft,
            values={**SECTIONS, "plan": "Second"},
            formulation=formulation(),
            version=1,
        )
    assert stale.value.current.content["plan"] == "First"
    assert draft.revisions.count() == 2  # REL-03: one revision per save


def test_signing_needs_risk_assess_the_password_and_every_section(clinic: Clinic) -> None:
    peer = clinic.peer_specialist
    draft = draft_assessment(peer, clinic.client_a)
    with pytest.raises(ValidationError, match="scope of practice"):
        risk_assessment_sign(actor=peer, assessment=draft, version=1, password=PASSWORD)
    therapist = clinic.therapist_on_team
    mine = draft_assessment(therapist, clinic.client_a, plan="")
    with pytest.raises(StepUpFailed):
        risk_assessment_sign(actor=therapist, assessment=mine, version=1, password="wrong")
    assert AuditEvent.objects.filter(outcome="denied", object_id=str(mine.pk)).exists()
    with pytest.raises(ValidationError) as missing:
        risk_assessment_sign(actor=therapist, assessment=mine, version=1, password=PASSWORD)
    assert "plan" in missing.value.error_dict
    assert not RiskFlag.objects.exists()


def test_only_the_author_signs_and_other_clients_are_404(clinic: Clinic) -> None:
    draft = draft_assessment(clinic.therapist_on_team, clinic.client_a)
    with pytest.raises(SafetyRecordNotFound):
        risk_assessment_sign(
            actor=clinic.psychiatrist, assessment=draft, version=1, password=PASSWORD
        )
    with pytest.raises(ClientNotFound):
        draft_assessment(clinic.therapist_off_team, clinic.client_a)


def test_addenda_are_signed_and_chained(assessment: RiskAssessment, clinic: Clinic) -> None:
    addendum = risk_addendum_add(
        actor=clinic.psychiatrist, assessment=assessment, text="Seen again.", password=PASSWORD
    )
    assert addendum_signature_valid(addendum, assessment)
