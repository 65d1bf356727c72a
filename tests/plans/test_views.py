"""The plan pages: draft editing without JavaScript, the conflict page, activation, the PDF, the
chart section, the caseload and progress notes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.clients.models import Episode
from alliance.notes.models import Note
from alliance.plans.addressed import addressed_in
from alliance.plans.models import Goal, Objective, PlanStatus, Problem, TreatmentPlan
from alliance.plans.services import plan_revise
from alliance.staff.models import User
from tests.notes.conftest import SOAP, draft
from tests.personas import PASSWORD, Clinic
from tests.plans.conftest import (
    PARTICIPATION,
    activate,
    add,
    complete_draft,
    objective_values,
    score,
)

SignIn = Callable[[User], HttpClient]


def plan_url(plan: TreatmentPlan, name: str = "plan_view", *extra: object) -> str:
    return reverse(f"web:{name}", args=[plan.client_id, plan.pk, *extra])


def test_a_draft_is_written_through_plain_forms(
    clinic: Clinic, episode: Episode, signed_in: SignIn
) -> None:
    http = signed_in(clinic.therapist_on_team)
    response = http.post(
        reverse("web:plan_create", args=[clinic.client_a.pk]), {"episode": episode.pk}
    )
    plan = TreatmentPlan.objects.get(client=clinic.client_a)
    assert response.status_code == 302 and response["Location"] == plan_url(plan)

    added = http.post(
        plan_url(plan, "plan_node_add", "problem"),
        {"statement": "Panic attacks at work", "client_words": "My heart races", "version": 1},
    )
    problem = Problem.objects.get(plan=plan)
    assert added.status_code == 302 and added["Location"].endswith(f"#problem-{problem.pk}")

    page = http.get(plan_url(plan)).content.decode()
    assert "Panic attacks at work" in page and "My heart races" in page
    assert "Add a goal" in page


def test_bad_input_is_shown_beside_the_field_and_kept(
    clinic: Clinic, draft_plan: TreatmentPlan, signed_in: SignIn
) -> None:
    http = signed_in(clinic.therapist_on_team)
    goal = Goal.objects.get(plan=draft_plan)
    response = http.post(
        plan_url(draft_plan, "plan_node_add", "objective") + f"?parent={goal.pk}",
        {
            "parent": goal.pk,
            "description": "Worry (GAD-7)",
            "instrument": "gad7",
            "direction": "below",
            "target_value": "99",
            "target_date": str(timezone.localdate()),
            "version": draft_plan.version,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "scores run from 0 to 21" in body and "Worry (GAD-7)" in body


def test_two_editors_on_one_draft_get_the_conflict_page(
    clinic: Clinic, draft_plan: TreatmentPlan, signed_in: SignIn
) -> None:
    """REL-04: the second save from the same version shows both texts and writes nothing."""
    problem = Problem.objects.get(plan=draft_plan)
    url = plan_url(draft_plan, "plan_node_edit", "problem", problem.pk)
    loaded = draft_plan.version
    first = signed_in(clinic.therapist_on_team).post(
        url, {"statement": "Saved first", "version": loaded}
    )
    assert first.status_code == 302

    second = signed_in(clinic.psychiatrist).post(
        url, {"statement": "Typed second", "version": loaded}
    )

    body = second.content.decode()
    assert second.status_code == 409
    assert "Someone else saved this plan" in body
    assert "Saved first" in body and "Typed second" in body
    assert f'value="{loaded + 1}"' in body  # saving again is a deliberate choice
    problem.refresh_from_db()
    assert problem.statement == "Saved first"


def test_activation_records_the_agreement_and_locks_the_page(
    clinic: Clinic, draft_plan: TreatmentPlan, signed_in: SignIn
) -> None:
    http = signed_in(clinic.therapist_on_team)
    form = {
        "version": draft_plan.version,
        "kind": "signature",
        "signed_name": "Z. Núñez",
        "agreed_on": str(timezone.localdate()),
        "participation": PARTICIPATION,
        "password": "wrong",
    }
    refused = http.post(plan_url(draft_plan, "plan_activate"), form)
    assert refused.status_code == 400 and "password is not correct" in refused.content.decode()

    done = http.post(plan_url(draft_plan, "plan_activate"), {**form, "password": PASSWORD})

    draft_plan.refresh_from_db()
    assert done.status_code == 302 and draft_plan.status == PlanStatus.ACTIVE
    page = http.get(plan_url(draft_plan)).content.decode()
    assert "agreed plan verified" in page and "Add a goal" not in page
    assert "Review and revise" in page
    assert http.get(plan_url(draft_plan, "plan_strengths")).status_code == 302


def test_the_printed_plan_is_a_pdf_named_without_phi(
    clinic: Clinic, active_plan: TreatmentPlan, signed_in: SignIn, tmp_path: Path
) -> None:
    """SEC-23: the print is audited as an export; the file name holds no name or MRN."""
    response = signed_in(clinic.therapist_on_team).get(plan_url(active_plan, "plan_print"))

    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'inline; filename="treatment-plan-\d+-v1\.pdf"', disposition)
    source = tmp_path / "plan.pdf"
    source.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Depressed mood" in text and "PHQ-9 below 10" in text
    assert AuditEvent.objects.filter(action="export", object_id=str(active_plan.pk)).exists()


def test_the_chart_shows_the_active_plan_with_live_progress(
    clinic: Clinic, active_plan: TreatmentPlan, signed_in: SignIn
) -> None:
    score(clinic.client_a, 18, days_ago=10)
    score(clinic.client_a, 12, days_ago=1)

    body = (
        signed_in(clinic.therapist_on_team)
        .get(reverse("web:client_chart", args=[clinic.client_a.pk]))
        .content.decode()
    )

    assert "No active treatment plan" not in body
    assert "Depressive symptoms" in body and "PHQ-9 12 (" in body and "baseline 18)" in body
    assert "improving since the previous score" in body


def _chart_queries(http: HttpClient, clinic: Clinic) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(reverse("web:client_chart", args=[clinic.client_a.pk]))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_chart_costs_the_same_queries_whatever_the_number_of_objectives(
    clinic: Clinic, draft_plan: TreatmentPlan, signed_in: SignIn
) -> None:
    """No N+1 on the chart: one objective or twenty, the same number of queries."""
    http = signed_in(clinic.therapist_on_team)
    actor = clinic.therapist_on_team
    activate(actor, draft_plan)
    _chart_queries(http, clinic)  # warm the session
    few = _chart_queries(http, clinic)

    plan = TreatmentPlan.objects.get(pk=draft_plan.pk)
    revision = plan_revise(actor=actor, plan=plan)
    goal = Goal.objects.get(plan=revision)
    for i in range(19):
        objective = add(actor, revision, "objective", goal, **objective_values(description=f"O{i}"))
        add(
            actor,
            revision,
            "intervention",
            objective,
            modality="act",
            frequency="weekly",
            responsible=actor.pk,
        )
    activate(actor, revision)
    assert Objective.objects.filter(plan=revision).count() == 20

    assert _chart_queries(http, clinic) == few


def test_reviews_due_show_on_the_caseload(
    clinic: Clinic, episode: Episode, signed_in: SignIn, settings: object
) -> None:
    settings.PLAN_REVIEW_DAYS = 7  # type: ignore[attr-defined]
    plan = activate(
        clinic.therapist_on_team, complete_draft(clinic.therapist_on_team, clinic.client_a, episode)
    )
    body = signed_in(clinic.therapist_on_team).get(reverse("web:home")).content.decode()

    assert "Treatment plan reviews due" in body
    assert plan_url(plan) in body and reverse("web:client_chart", args=[clinic.client_a.pk]) in body


def test_a_progress_note_records_the_objectives_it_addressed(
    clinic: Clinic, active_plan: TreatmentPlan, signed_in: SignIn
) -> None:
    author = clinic.therapist_on_team
    http = signed_in(author)
    note = draft(author, clinic.client_a)
    objective = Objective.objects.get(plan=active_plan)
    edit_url = reverse("web:note_edit", args=[clinic.client_a.pk, note.pk])
    assert (
        "Treatment plan objectives addressed in this session" in http.get(edit_url).content.decode()
    )

    response = http.post(
        edit_url,
        {
            **SOAP,
            "version": note.version,
            f"objective-{objective.pk}-rating": "no_change",
            f"objective-{objective.pk}-comment": "Missed two diary days",
            "save": "1",
        },
    )

    assert response.status_code == 302
    entries = addressed_in(Note.objects.get(pk=note.pk).content)
    assert [(e["objective"], e["rating"]) for e in entries] == [(objective.pk, "no_change")]
    page = http.get(reverse("web:note_view", args=[clinic.client_a.pk, note.pk])).content.decode()
    assert "Missed two diary days" in page and "No change" in page
