"""Reading the problem list: chart section order, co-sign queue, lookups under one client."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from alliance.access.models import AccessRestriction, RestrictionReason
from alliance.audit.models import AuditEvent
from alliance.diagnoses.models import Diagnosis, DiagnosisStatus
from alliance.diagnoses.selectors import (
    cosign_queue_for,
    diagnosis_for,
    problem_list_for,
    problems_for_chart,
)
from alliance.diagnoses.services import diagnosis_add, diagnosis_change_status
from alliance.staff.models import User
from tests.personas import Clinic

pytestmark = pytest.mark.django_db


def add(clinic: Clinic, code: str, actor: User | None = None, **extra: Any) -> Diagnosis:
    return diagnosis_add(
        actor=actor or clinic.psychiatrist,
        client=clinic.client_a,
        code=code,
        status=extra.pop("status", DiagnosisStatus.ACTIVE),
        **extra,
    )


def resolve(clinic: Clinic, diagnosis: Diagnosis) -> Diagnosis:
    return diagnosis_change_status(
        actor=clinic.psychiatrist,
        diagnosis=diagnosis,
        status=DiagnosisStatus.RESOLVED,
        version=diagnosis.version,
        note="Resolved",
    )


@pytest.fixture
def problem_list(clinic: Clinic) -> dict[str, Diagnosis]:
    rows = {
        "anxiety": add(clinic, "F41.1", status=DiagnosisStatus.PROVISIONAL),
        "housing": add(clinic, "Z59.01"),
        "depression": add(clinic, "F33.1", is_primary=True),
        "ptsd": add(clinic, "F43.10", status=DiagnosisStatus.IN_REMISSION),
        "insomnia": add(clinic, "G47.00"),
    }
    rows["insomnia"] = resolve(clinic, rows["insomnia"])
    return rows


def test_the_chart_shows_the_primary_then_active_problems_then_factors_then_the_past(
    clinic: Clinic, problem_list: dict[str, Diagnosis]
) -> None:
    problems = problems_for_chart(client=clinic.client_a)
    assert [d.icd10_code for d in problems.current] == ["F33.1", "F41.1", "F43.10", "Z59.01"]
    assert [d.icd10_code for d in problems.past] == ["G47.00"]
    assert problems.primary is not None and problems.primary.icd10_code == "F33.1"
    assert not problems_for_chart(client=clinic.client_b)


def test_the_chart_section_costs_one_query_however_long_the_list(
    clinic: Clinic, problem_list: dict[str, Diagnosis], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        problems = problems_for_chart(client=clinic.client_a)
        names = [d.diagnosed_by.display_name for d in problems.current]
    assert len(names) == 4


def test_the_chart_partial_lists_current_problems_first_and_links_to_the_list(
    clinic: Clinic, problem_list: dict[str, Diagnosis]
) -> None:
    html = render_to_string(
        "diagnoses/_chart_section.html",
        {
            "client": clinic.client_a,
            "problems": problems_for_chart(client=clinic.client_a),
            "caps": {"DIAGNOSE": True},
        },
    )
    assert '<section aria-labelledby="problems-h" class="panel">' in html
    assert '<h2 id="problems-h">Problems</h2>' in html
    assert html.index("F33.1") < html.index("F41.1") < html.index("Z59.01") < html.index("G47.00")
    assert "Major depressive disorder, recurrent, moderate" in html
    assert "primary" in html and "Provisional" in html and "social or contextual factor" in html
    assert reverse("web:problem_list", args=[clinic.client_a.pk]) in html
    assert reverse("web:diagnosis_add", args=[clinic.client_a.pk]) in html


def test_the_chart_partial_says_so_when_there_is_nothing(clinic: Clinic) -> None:
    html = render_to_string(
        "diagnoses/_chart_section.html",
        {"client": clinic.client_b, "problems": problems_for_chart(client=clinic.client_b)},
    )
    assert "No current diagnoses" in html
    assert reverse("web:diagnosis_add", args=[clinic.client_b.pk]) not in html


def test_the_problem_list_carries_each_diagnosis_history(
    clinic: Clinic, problem_list: dict[str, Diagnosis], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        listed = problem_list_for(client=clinic.client_a)
        history = {d.icd10_code: [c.new_status for c in d.changes.all()] for d in listed.past}
    assert history == {"G47.00": ["active", "resolved"]}


def test_a_diagnosis_is_found_only_under_its_own_client(
    clinic: Clinic, problem_list: dict[str, Diagnosis]
) -> None:
    """SEC-11: another client's diagnosis id under this client finds nothing."""
    depression = problem_list["depression"]
    assert diagnosis_for(client=clinic.client_a, diagnosis_id=depression.pk) == depression
    assert diagnosis_for(client=clinic.client_b, diagnosis_id=depression.pk) is None
    assert diagnosis_for(client=clinic.client_a, diagnosis_id="x") is None


def test_the_cosign_queue_holds_the_supervisees_pending_diagnoses_only(clinic: Clinic) -> None:
    pending = add(clinic, "F41.1", actor=clinic.therapist_on_team)
    add(clinic, "F33.1", actor=clinic.psychiatrist)  # needs no co-signature

    assert cosign_queue_for(actor=clinic.supervisor) == [pending]
    assert cosign_queue_for(actor=clinic.psychiatrist) == []
    assert cosign_queue_for(actor=clinic.therapist_on_team) == []


def test_the_cosign_queue_is_audited_with_the_clients_it_shows(clinic: Clinic) -> None:
    """SEC-23: a list of client names is a read, recorded with the ids it showed."""
    add(clinic, "F41.1", actor=clinic.therapist_on_team)
    cosign_queue_for(actor=clinic.supervisor)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_id) == ("search", clinic.supervisor.pk)
    assert event.detail == {
        "view": "diagnosis_cosign_queue",
        "client_ids": [clinic.client_a.pk],
    }


def test_a_restriction_hides_a_client_from_the_supervisors_queue(clinic: Clinic) -> None:
    """SEC-13: a deny on the supervisor beats the supervision allow."""
    add(clinic, "F41.1", actor=clinic.therapist_on_team)
    AccessRestriction.objects.create(
        client=clinic.client_a,
        staff=clinic.supervisor,
        reason=RestrictionReason.RELATIVE,
        created_by=clinic.privacy_officer,
    )
    assert cosign_queue_for(actor=clinic.supervisor) == []
