"""The demo clinic gets synthetic safety data through the services."""

from __future__ import annotations

import pytest

from alliance.demo.clinic import demo_build
from alliance.safety.models import RiskAssessment, RiskFlag, SafetyPlanVersion


@pytest.mark.django_db
def test_demo_has_a_signed_plan_an_assessment_and_flags() -> None:
    demo_build(clients=30, seed=7)
    assert SafetyPlanVersion.objects.filter(status="signed").count() == 1
    assert RiskAssessment.objects.filter(status="signed").count() == 1
    assert set(RiskFlag.objects.values_list("kind", flat=True)) == {"suicide", "violence", "other"}
    demo_build(clients=30, seed=7)  # idempotent
    assert SafetyPlanVersion.objects.count() == 1
