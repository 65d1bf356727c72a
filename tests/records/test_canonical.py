"""Signatures made before the records kernel still verify with it (REL-01).

``fixtures/signatures_before_kernel.json`` holds documents and the SHA-256 digests that the
earlier per-app signing code (``notes.signing``, ``safety.signing``, ``plans.tree`` and
``disclosures.services`` at commit a128647) computed for them. Each test writes the document
to the database as a signed row with those ids, reads it back (so JSON and times make the
round trip through SQLite or PostgreSQL) and checks it with the kernel's verifier.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from alliance.clients.models import Episode
from alliance.disclosures.models import MandatedReport, MandatedReportAddendum, ReportContact
from alliance.disclosures.services import REPORT, report_digest
from alliance.notes.models import Addendum, Encounter, Note
from alliance.notes.signing import NOTE
from alliance.plans.models import Goal, Intervention, Objective, Problem, TreatmentPlan
from alliance.plans.tree import load_tree, signature_valid
from alliance.records import lifecycle
from alliance.records.canonical import canonical_day, canonical_time, digest
from alliance.safety.models import (
    RiskAssessment,
    RiskAssessmentAddendum,
    SafetyPlan,
    SafetyPlanVersion,
)
from alliance.safety.signing import RISK_ASSESSMENT, plan_version_signature_valid
from alliance.staff.disciplines import Discipline
from alliance.staff.models import User
from tests.personas import Clinic, make_client

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "signatures_before_kernel.json").read_text("utf-8")
)
SIGNED_AT = datetime.fromisoformat(FIXTURE["signed_at"])
WRITTEN_AT = datetime.fromisoformat(FIXTURE["written_at"])
ID = 930001


@pytest.fixture
def people(clinic: Clinic) -> dict[str, Any]:
    """The author, client and session the fixtures were signed for, with the same ids."""
    author = User.objects.create_user(
        pk=ID,
        username="fixture.author",
        password="x-unused-password-1",
        discipline=Discipline.CLINICAL_SOCIAL_WORKER,
    )
    client = make_client("Fixture", "Client", date(1980, 1, 1), pk=ID, mrn="930001000")
    encounter = Encounter.objects.create(
        pk=ID,
        client=client,
        clinician=author,
        date=date(2026, 3, 4),
        start_time=datetime(2026, 3, 4, 10).time(),
        end_time=datetime(2026, 3, 4, 11).time(),
        encounter_type="individual",
        setting="office",
    )
    episode = Episode.objects.create(
        pk=ID, client=client, program=clinic.program, referral_date=date(2026, 1, 5)
    )
    return {"author": author, "client": client, "encounter": encounter, "episode": episode}


def test_the_kernels_digest_is_the_canonical_json_sha256() -> None:
    """One canonical form: sorted keys, no spaces, UTF-8, UTC microseconds, ISO days."""
    assert digest({"b": "é", "a": 1}) == hashlib.sha256('{"a":1,"b":"é"}'.encode()).hexdigest()
    assert canonical_time(SIGNED_AT) == "2026-03-04T15:16:17.123456+00:00"
    assert canonical_time(None) == "" and canonical_day(None) == ""
    assert canonical_day(date(2026, 4, 1)) == "2026-04-01"


def test_a_note_and_its_addendum_signed_before_the_kernel_verify(people: dict[str, Any]) -> None:
    """REL-01: the note's and the addendum's recorded hashes match the kernel's digests."""
    fixture = FIXTURE["documents"]["note"]
    Note.all_kinds.create(
        pk=ID,
        client=people["client"],
        encounter=people["encounter"],
        author=people["author"],
        template=fixture["template"],
        content=fixture["content"],
        status="signed",
        signed_by=people["author"],
        signed_at=SIGNED_AT,
        content_hash=fixture["content_hash"],
    )
    Addendum.objects.create(
        note_id=ID,
        author=people["author"],
        written_at=WRITTEN_AT,
        text=fixture["addendum"]["text"],
        content_hash=fixture["addendum"]["content_hash"],
    )

    note = Note.all_kinds.get(pk=ID)
    addendum = Addendum.objects.get(note_id=ID)
    assert lifecycle.signature_valid(NOTE, note)
    assert lifecycle.addendum_signature_valid(NOTE, addendum, note)
    note.content = {**note.content, "plan": "Changed."}
    assert not lifecycle.signature_valid(NOTE, note)


def test_a_risk_assessment_and_its_addendum_signed_before_the_kernel_verify(
    people: dict[str, Any],
) -> None:
    fixture = FIXTURE["documents"]["risk_assessment"]
    RiskAssessment.objects.create(
        pk=ID,
        client=people["client"],
        author=people["author"],
        content=fixture["content"],
        suicide_risk=fixture["suicide_risk"],
        violence_risk=fixture["violence_risk"],
        review_on=date.fromisoformat(fixture["review_on"]),
        screeners=fixture["screeners"],
        status="signed",
        signed_by=people["author"],
        signed_at=SIGNED_AT,
        content_hash=fixture["content_hash"],
    )
    RiskAssessmentAddendum.objects.create(
        assessment_id=ID,
        author=people["author"],
        written_at=WRITTEN_AT,
        text=fixture["addendum"]["text"],
        content_hash=fixture["addendum"]["content_hash"],
    )

    assessment = RiskAssessment.objects.get(pk=ID)
    addendum = RiskAssessmentAddendum.objects.get(assessment_id=ID)
    assert lifecycle.signature_valid(RISK_ASSESSMENT, assessment)
    assert lifecycle.addendum_signature_valid(RISK_ASSESSMENT, addendum, assessment)
    assessment.suicide_risk = "low"
    assert not lifecycle.signature_valid(RISK_ASSESSMENT, assessment)


def test_a_safety_plan_version_signed_before_the_kernel_verifies(people: dict[str, Any]) -> None:
    fixture = FIXTURE["documents"]["safety_plan_version"]
    SafetyPlan.objects.create(pk=ID, client=people["client"], created_by=people["author"])
    SafetyPlanVersion.objects.create(
        pk=ID,
        plan_id=ID,
        number=fixture["number"],
        content=fixture["content"],
        status="signed",
        written_by=people["author"],
        signed_by=people["author"],
        signed_at=SIGNED_AT,
        agreement=fixture["agreement"],
        agreement_on=date.fromisoformat(fixture["agreement_on"]),
        agreement_note=fixture["agreement_note"],
        content_hash=fixture["content_hash"],
    )

    version = SafetyPlanVersion.objects.select_related("plan").get(pk=ID)
    assert plan_version_signature_valid(version, ID)
    assert not plan_version_signature_valid(version, ID + 1)  # bound to its client


def test_a_mandated_report_signed_before_the_kernel_verifies(people: dict[str, Any]) -> None:
    fixture = FIXTURE["documents"]["mandated_report"]
    MandatedReport.objects.create(
        pk=ID,
        client=people["client"],
        author=people["author"],
        **fixture["fields"],
    )
    for position, contact in enumerate(fixture["contacts"]):
        ReportContact.objects.create(
            report_id=ID,
            position=position,
            recipient=contact["recipient"],
            contacted_at=datetime.fromisoformat(contact["contacted_at"]),
            method=contact["method"],
            reference=contact["reference"],
        )
    MandatedReport.objects.filter(pk=ID).update(
        status="signed", signed_at=SIGNED_AT, content_hash=fixture["content_hash"]
    )

    report = MandatedReport.objects.get(pk=ID)
    assert report_digest(report, list(report.contacts.all())) == fixture["content_hash"]
    assert lifecycle.signature_valid(REPORT, report)


def test_a_treatment_plan_activated_before_the_kernel_verifies(people: dict[str, Any]) -> None:
    fixture = FIXTURE["documents"]["treatment_plan"]
    data = fixture["canonical"]
    agreement = data["agreement"]
    plan = TreatmentPlan.objects.create(
        pk=ID,
        client=people["client"],
        episode=people["episode"],
        number=data["number"],
        created_by=people["author"],
        strengths=data["strengths"],
    )
    problem_data = data["problems"][0]
    goal_data = problem_data["goals"][0]
    objective_data = goal_data["objectives"][0]
    intervention_data = objective_data["interventions"][0]
    Problem.objects.create(
        pk=ID,
        plan=plan,
        statement=problem_data["statement"],
        client_words=problem_data["client_words"],
    )
    Goal.objects.create(
        pk=ID,
        plan=plan,
        problem_id=ID,
        client_words=goal_data["client_words"],
        target=goal_data["target"],
    )
    Objective.objects.create(
        pk=ID,
        plan=plan,
        goal_id=ID,
        description=objective_data["description"],
        target=objective_data["target"],
        target_date=date.fromisoformat(objective_data["target_date"]),
        instrument=objective_data["instrument"],
        direction=objective_data["direction"],
        target_value=objective_data["target_value"],
    )
    Intervention.objects.create(
        pk=ID,
        plan=plan,
        objective_id=ID,
        modality=intervention_data["modality"],
        description=intervention_data["description"],
        frequency=intervention_data["frequency"],
        responsible=people["author"],
    )
    TreatmentPlan.objects.filter(pk=ID).update(
        status="active",
        agreement_kind=agreement["kind"],
        agreed_on=date.fromisoformat(agreement["on"]),
        agreement_name=agreement["name"],
        participation=agreement["participation"],
        activated_by=people["author"],
        activated_at=SIGNED_AT,
        review_due_on=date.fromisoformat(data["review_due_on"]),
        content_hash=fixture["content_hash"],
    )

    tree = load_tree(TreatmentPlan.objects.get(pk=ID), with_progress=False)
    assert signature_valid(tree)
    assert tree.plan.content_hash == fixture["content_hash"]


def test_a_report_addendum_is_now_signed_and_chained_to_the_report(
    people: dict[str, Any],
) -> None:
    """Mandated-report addenda had no hash before the kernel; the kernel's verifier checks one
    written now the same way as every other addendum."""
    fixture = FIXTURE["documents"]["mandated_report"]
    MandatedReport.objects.create(pk=ID, client=people["client"], author=people["author"])
    MandatedReport.objects.filter(pk=ID).update(
        status="signed", signed_at=SIGNED_AT, content_hash=fixture["content_hash"]
    )
    report = MandatedReport.objects.get(pk=ID)
    addendum = MandatedReportAddendum(
        report=report, author=people["author"], written_at=WRITTEN_AT, text="Agency called back."
    )
    addendum.content_hash = digest(
        lifecycle.addendum_document(REPORT, addendum, report.content_hash)
    )
    addendum.save()

    stored = MandatedReportAddendum.objects.get(pk=addendum.pk)
    assert lifecycle.addendum_signature_valid(REPORT, stored, report)
    report.content_hash = "0" * 64
    assert not lifecycle.addendum_signature_valid(REPORT, stored, report)
