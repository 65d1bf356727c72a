"""Safety plans: versions, signing with the client's agreement, crisis contacts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from alliance.records.errors import StaleDraft
from alliance.safety.models import SafetyPlanVersion
from alliance.safety.plans import safety_plan_save, safety_plan_sign
from alliance.safety.signing import plan_version_signature_valid
from tests.personas import PASSWORD, Clinic
from tests.safety.conftest import PLAN


@override_settings(AFTER_HOURS_LINE="555-0142", EMERGENCY_NUMBER="112")
def test_a_signed_version_lists_the_crisis_contacts(clinic: Clinic) -> None:
    draft = safety_plan_save(
        actor=clinic.peer_specialist, client=clinic.client_a, values=PLAN, draft=None, revision=0
    )
    assert draft.content["coping"] == ["Walk by the river", "Play guitar"]
    assert draft.content["means"]["medications"] == {"plan": "Sister keeps the pills", "who": "Sam"}
    signed = safety_plan_sign(
        actor=clinic.peer_specialist,
        version=draft,
        revision=draft.revision,
        password=PASSWORD,
        agreement="not_available",
        agreement_note="Client left early; review Monday.",
    )
    numbers = [c["number"] for c in signed.content["crisis_contacts"]]
    assert "112" in numbers and "555-0142" in numbers and any("988" in n for n in numbers)
    assert signed.agreement == "not_available" and signed.agreement_on is not None
    assert plan_version_signature_valid(signed, clinic.client_a.pk)


def test_revising_a_signed_plan_starts_the_next_version(
    plan_v1: SafetyPlanVersion, clinic: Clinic
) -> None:
    v2 = safety_plan_save(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        values={**PLAN, "coping": "Call Sam"},
        draft=None,
        revision=0,
    )
    assert v2.number == 2 and v2.is_draft
    plan_v1.refresh_from_db()
    assert plan_v1.content["coping"] == ["Walk by the river", "Play guitar"]
    # a second "new draft" from a stale page meets the draft that exists (one per plan)
    with pytest.raises(StaleDraft):
        safety_plan_save(
            actor=clinic.psychiatrist, client=clinic.client_a, values=PLAN, draft=None, revision=0
        )
    assert v2.revisions.count() == 1


def test_signing_needs_the_steps_and_an_agreement_record(clinic: Clinic) -> None:
    draft = safety_plan_save(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        values={"coping": "Music"},
        draft=None,
        revision=0,
    )
    with pytest.raises(ValidationError) as error:
        safety_plan_sign(
            actor=clinic.therapist_on_team,
            version=draft,
            revision=draft.revision,
            password=PASSWORD,
            agreement="declined",
        )
    assert "agreement_note" in error.value.error_dict
    with pytest.raises(ValidationError) as missing:
        safety_plan_sign(
            actor=clinic.therapist_on_team,
            version=draft,
            revision=draft.revision,
            password=PASSWORD,
            agreement="agreed",
        )
    assert "warning_signs" in missing.value.error_dict
