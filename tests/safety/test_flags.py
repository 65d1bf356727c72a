"""Risk flags change only by a signed assessment or a documented review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.safety.flags import risk_flag_add, risk_flag_review
from alliance.safety.models import RiskAssessment, RiskFlag
from tests.personas import Clinic

SOON = timezone.localdate() + timedelta(days=7)


def test_a_review_needs_a_reason_and_risk_assess(
    assessment: RiskAssessment, clinic: Clinic
) -> None:
    flag = RiskFlag.objects.get(client=clinic.client_a, kind="suicide")
    with pytest.raises(ValidationError) as short:
        risk_flag_review(
            actor=clinic.therapist_on_team,
            flag=flag,
            level="low",
            review_on=SOON,
            clear=False,
            reason="ok",
        )
    assert "reason" in short.value.error_dict
    with pytest.raises(ValidationError, match="scope of practice"):
        risk_flag_review(
            actor=clinic.peer_specialist,
            flag=flag,
            level="low",
            review_on=SOON,
            clear=False,
            reason="Reviewed in session today.",
        )
    flag.refresh_from_db()
    assert flag.level == "moderate"


def test_clearing_keeps_the_flag_and_its_history(
    assessment: RiskAssessment, clinic: Clinic
) -> None:
    flag = RiskFlag.objects.get(client=clinic.client_a, kind="suicide")
    risk_flag_review(
        actor=clinic.psychiatrist,
        flag=flag,
        level="",
        review_on=None,
        clear=True,
        reason="No ideation for three months; plan in place.",
    )
    flag.refresh_from_db()
    assert not flag.active
    assert list(flag.events.values_list("change", flat=True)) == ["set", "cleared"]
    last = flag.events.last()
    assert last is not None and last.actor == clinic.psychiatrist and last.assessment is None


def test_clinician_defined_flags(clinic: Clinic) -> None:
    event = risk_flag_add(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        kind="other",
        label="Do not see alone",
        level="",
        review_on=SOON,
        reason="Threatened staff last week.",
    )
    assert event.flag.title == "Do not see alone" and event.flag.active
    with pytest.raises(ValidationError):
        risk_flag_add(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            kind="other",
            label="Do not  see alone",
            level="",
            review_on=SOON,
            reason="Again, the same flag.",
        )
