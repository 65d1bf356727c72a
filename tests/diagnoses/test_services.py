"""Writing the problem list: who may diagnose, code checks, primary, history, co-signing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.access.models import (
    AccessRestriction,
    CareTeamMember,
    CareTeamRole,
    RestrictionReason,
)
from alliance.access.policy import AccessDenied, ClientNotFound
from alliance.audit.models import AuditEvent
from alliance.core.models import RecordDeletionError
from alliance.diagnoses import services
from alliance.diagnoses.models import (
    ChangeEvent,
    CosignStatus,
    Diagnosis,
    DiagnosisChange,
    DiagnosisKind,
    DiagnosisStatus,
)
from alliance.diagnoses.services import (
    CosignRefused,
    StaleDiagnosis,
    diagnosis_add,
    diagnosis_change_status,
    diagnosis_cosign,
    diagnosis_return,
)
from alliance.staff.disciplines import Discipline, LicenceType
from alliance.staff.models import Licence, SupervisionLink, User
from tests.personas import Clinic, make_user

pytestmark = pytest.mark.django_db


def add(clinic: Clinic, actor: User | None = None, **changes: Any) -> Diagnosis:
    values: dict[str, Any] = {
        "actor": actor or clinic.psychiatrist,
        "client": clinic.client_a,
        "code": "F32.1",
        "status": DiagnosisStatus.ACTIVE,
        "note": "Meets criteria at intake",
    }
    return diagnosis_add(**(values | changes))


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {field: [str(m) for m in e] for field, e in raised.value.error_dict.items()}


# ---------------------------------------------------------------- who may diagnose


@pytest.mark.parametrize("persona", ["psychiatrist", "supervisor", "therapist_on_team"])
def test_a_psychiatrist_psychologist_or_lcsw_may_diagnose(clinic: Clinic, persona: str) -> None:
    # (the psychologist reaches client_a through supervising its primary clinician)
    actor = getattr(clinic, persona)
    diagnosis = add(clinic, actor=actor)
    assert diagnosis.diagnosed_by == actor
    assert Diagnosis.objects.filter(client=clinic.client_a).count() == 1


@pytest.mark.parametrize("persona", ["peer_specialist", "front_desk", "intake", "it_admin"])
def test_staff_without_diagnose_may_not_add_a_diagnosis(clinic: Clinic, persona: str) -> None:
    with pytest.raises(AccessDenied):
        add(clinic, actor=getattr(clinic, persona))
    assert not Diagnosis.objects.exists()


def test_an_expired_licence_removes_the_right_to_diagnose(clinic: Clinic) -> None:
    """SEC-07 spirit: the licence is checked on every use, with no job to run."""
    Licence.objects.filter(staff=clinic.psychiatrist).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    lapsed = User.objects.get(pk=clinic.psychiatrist.pk)  # a fresh request's user
    with pytest.raises(AccessDenied):
        add(clinic, actor=lapsed)
    assert not Diagnosis.objects.exists()


def test_a_clinician_outside_the_care_team_gets_not_found(clinic: Clinic) -> None:
    """SEC-10: a diagnosing clinician off the client's team is told the client does not exist."""
    with pytest.raises(ClientNotFound):
        add(clinic, actor=clinic.therapist_off_team)
    with pytest.raises(ClientNotFound):
        add(clinic, client=clinic.client_b)
    assert not Diagnosis.objects.exists()


def test_a_restriction_stops_a_team_member_from_diagnosing(clinic: Clinic) -> None:
    """SEC-13: an explicit deny beats the care-team allow."""
    AccessRestriction.objects.create(
        client=clinic.client_a,
        staff=clinic.psychiatrist,
        reason=RestrictionReason.CONFLICT_OF_INTEREST,
        created_by=clinic.privacy_officer,
    )
    with pytest.raises(ClientNotFound):
        add(clinic)


# ---------------------------------------------------------------- codes


def test_the_description_and_kind_come_from_the_code_set(clinic: Clinic) -> None:
    diagnosis = add(clinic, code="f321")
    assert diagnosis.icd10_code == "F32.1"
    assert diagnosis.description == "Major depressive disorder, single episode, moderate"
    assert diagnosis.kind == DiagnosisKind.DIAGNOSIS


def test_an_invalid_code_is_refused_next_to_the_code(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as raised:
        add(clinic, code="F99.99")
    assert "is not an ICD-10-CM code" in errors_of(raised)["code"][0]
    assert not Diagnosis.objects.exists()


def test_a_non_billable_category_is_refused_with_a_suggestion(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as raised:
        add(clinic, code="F32")
    message = errors_of(raised)["code"][0]
    assert "not a billable code" in message and "more specific" in message
    assert "F32.1" in message
    assert not Diagnosis.objects.exists()


def test_a_z_code_is_recorded_as_a_social_factor(clinic: Clinic) -> None:
    """Z59.0 (homelessness) itself is a category in the library's code set: Z59.01 is billable."""
    with pytest.raises(ValidationError) as raised:
        add(clinic, code="Z59.0")
    assert "Z59.01" in errors_of(raised)["code"][0]
    factor = add(clinic, code="Z59.01", status=DiagnosisStatus.ACTIVE)
    assert factor.kind == DiagnosisKind.FACTOR
    assert factor.description == "Sheltered homelessness"


def test_a_social_factor_cannot_be_the_primary_diagnosis(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as raised:
        add(clinic, code="Z56.0", is_primary=True)
    assert "is_primary" in errors_of(raised)


def test_a_current_duplicate_code_is_refused_but_a_resolved_one_may_return(
    clinic: Clinic,
) -> None:
    first = add(clinic)
    with pytest.raises(ValidationError) as raised:
        add(clinic)
    assert "already on the problem list" in errors_of(raised)["code"][0]
    diagnosis_change_status(
        actor=clinic.psychiatrist,
        diagnosis=first,
        status=DiagnosisStatus.RESOLVED,
        version=first.version,
        note="Remitted fully",
    )
    again = add(clinic)
    assert again.pk != first.pk


def test_a_new_diagnosis_cannot_start_resolved_or_with_a_future_onset(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as raised:
        add(
            clinic,
            status=DiagnosisStatus.RESOLVED,
            onset=timezone.localdate() + timedelta(days=1),
        )
    assert set(errors_of(raised)) == {"status", "onset"}


# ---------------------------------------------------------------- primary


def test_a_new_primary_takes_the_flag_from_the_old_one_with_a_history_row(
    clinic: Clinic,
) -> None:
    old = add(clinic, code="F41.1", is_primary=True)
    new = add(clinic, code="F33.1", is_primary=True)
    old.refresh_from_db()
    assert new.is_primary and not old.is_primary
    assert Diagnosis.objects.filter(client=clinic.client_a, is_primary=True).count() == 1
    demoted = old.changes.order_by("version").last()
    assert demoted is not None
    assert (demoted.event, demoted.version) == (ChangeEvent.PRIMARY, 2)
    assert "F33.1" in demoted.note
    audited = AuditEvent.objects.filter(object_id=str(old.pk), action="change").get()
    assert audited.detail["primary_moved_to"] == "F33.1"


def test_the_database_refuses_a_second_primary_even_past_the_service(clinic: Clinic) -> None:
    add(clinic, code="F41.1", is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Diagnosis.objects.create(
            client=clinic.client_a,
            icd10_code="F33.1",
            description="x",
            kind=DiagnosisKind.DIAGNOSIS,
            status=DiagnosisStatus.ACTIVE,
            is_primary=True,
            diagnosed_by=clinic.psychiatrist,
        )


def test_resolving_the_primary_clears_its_flag(clinic: Clinic) -> None:
    primary = add(clinic, is_primary=True)
    resolved = diagnosis_change_status(
        actor=clinic.psychiatrist,
        diagnosis=primary,
        status=DiagnosisStatus.RESOLVED,
        version=primary.version,
        note="Full remission for a year",
    )
    assert resolved.status == DiagnosisStatus.RESOLVED and not resolved.is_primary


def test_a_client_may_have_a_primary_again_after_the_change_moves_it(clinic: Clinic) -> None:
    first = add(clinic, code="F41.1", is_primary=True)
    second = add(clinic, code="F33.1")
    diagnosis_change_status(
        actor=clinic.psychiatrist,
        diagnosis=second,
        status=DiagnosisStatus.ACTIVE,
        version=second.version,
        note="Depression is now the focus of treatment",
        is_primary=True,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_primary and not first.is_primary


# ---------------------------------------------------------------- history and versions


def test_each_change_writes_a_version_in_the_same_transaction(clinic: Clinic) -> None:
    """REL-03: three edits leave three versions beside the creation, each with who and why."""
    diagnosis = add(clinic, status=DiagnosisStatus.PROVISIONAL)
    for status in (DiagnosisStatus.ACTIVE, DiagnosisStatus.IN_REMISSION, DiagnosisStatus.ACTIVE):
        diagnosis = diagnosis_change_status(
            actor=clinic.psychiatrist,
            diagnosis=diagnosis,
            status=status,
            version=diagnosis.version,
            note=f"Now {status}",
        )
    rows = list(DiagnosisChange.objects.filter(diagnosis=diagnosis).order_by("version"))
    assert [(r.version, r.old_status, r.new_status) for r in rows] == [
        (1, "", "provisional"),
        (2, "provisional", "active"),
        (3, "active", "in_remission"),
        (4, "in_remission", "active"),
    ]
    assert {r.changed_by_id for r in rows} == {clinic.psychiatrist.pk}
    assert rows[2].note == "Now in_remission"
    assert diagnosis.version == 4


def test_a_failing_history_write_leaves_the_diagnosis_unchanged(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REL-03: a fault between the writes persists nothing."""
    diagnosis = add(clinic)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("history write failed")

    monkeypatch.setattr(services, "_history", broken)
    with pytest.raises(RuntimeError):
        diagnosis_change_status(
            actor=clinic.psychiatrist,
            diagnosis=diagnosis,
            status=DiagnosisStatus.RESOLVED,
            version=1,
            note="Resolved",
        )
    diagnosis.refresh_from_db()
    assert (diagnosis.status, diagnosis.version) == (DiagnosisStatus.ACTIVE, 1)


def test_a_stale_edit_is_refused_and_writes_nothing(clinic: Clinic) -> None:
    """REL-04: two editors on version 1: the second is refused, with the current state."""
    diagnosis = add(clinic)
    diagnosis_change_status(
        actor=clinic.psychiatrist,
        diagnosis=diagnosis,
        status=DiagnosisStatus.IN_REMISSION,
        version=1,
        note="First editor",
    )
    with pytest.raises(StaleDiagnosis) as stale:
        diagnosis_change_status(
            actor=clinic.supervisor,
            diagnosis=diagnosis,
            status=DiagnosisStatus.RULED_OUT,
            version=1,
            note="Second editor",
        )
    assert stale.value.current.status == DiagnosisStatus.IN_REMISSION
    assert DiagnosisChange.objects.filter(diagnosis=diagnosis).count() == 2


def test_a_change_needs_a_reason_and_a_real_change(clinic: Clinic) -> None:
    diagnosis = add(clinic)
    with pytest.raises(ValidationError) as raised:
        diagnosis_change_status(
            actor=clinic.psychiatrist,
            diagnosis=diagnosis,
            status=DiagnosisStatus.ACTIVE,
            version=1,
            note="  ",
        )
    assert set(errors_of(raised)) == {"note"}
    with pytest.raises(ValidationError) as raised:
        diagnosis_change_status(
            actor=clinic.psychiatrist,
            diagnosis=diagnosis,
            status=DiagnosisStatus.ACTIVE,
            version=1,
            note="Same again",
        )
    assert "Nothing to change" in errors_of(raised)["status"][0]


def test_diagnoses_and_their_history_are_never_deleted(clinic: Clinic) -> None:
    """REL-02: no hard delete from the application."""
    diagnosis = add(clinic)
    with pytest.raises(RecordDeletionError):
        diagnosis.delete()
    with pytest.raises(RecordDeletionError):
        diagnosis.changes.get().delete()
    assert Diagnosis.objects.filter(pk=diagnosis.pk).exists()


# ---------------------------------------------------------------- SEC-11


def test_a_diagnosis_cannot_be_moved_to_another_client(clinic: Clinic) -> None:
    """SEC-11: the service acts on the diagnosis as stored, whatever client a caller holds."""
    diagnosis = add(clinic)
    # a caller's copy pointing at client_b changes nothing about where the diagnosis lives
    diagnosis.client = clinic.client_b
    changed = diagnosis_change_status(
        actor=clinic.psychiatrist,
        diagnosis=diagnosis,
        status=DiagnosisStatus.IN_REMISSION,
        version=1,
        note="Improving",
    )
    assert changed.client_id == clinic.client_a.pk
    assert not Diagnosis.objects.filter(client=clinic.client_b).exists()


def test_changes_are_authorised_against_the_stored_client(clinic: Clinic) -> None:
    """SEC-11: a clinician who may open client_b but not client_a cannot change a_'s diagnosis
    by presenting it as client_b's."""
    diagnosis = add(clinic)
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        role=CareTeamRole.PRIMARY_CLINICIAN,
        start_on=timezone.localdate(),
    )
    diagnosis.client = clinic.client_b
    with pytest.raises(ClientNotFound):
        diagnosis_change_status(
            actor=clinic.therapist_off_team,
            diagnosis=diagnosis,
            status=DiagnosisStatus.RULED_OUT,
            version=1,
            note="Not mine to change",
        )
    diagnosis.refresh_from_db()
    assert diagnosis.status == DiagnosisStatus.ACTIVE


# ---------------------------------------------------------------- co-signature


def test_an_independent_clinicians_diagnosis_needs_no_cosignature(clinic: Clinic) -> None:
    diagnosis = add(clinic, actor=clinic.psychiatrist)
    assert diagnosis.cosign_status == CosignStatus.NOT_REQUIRED


def test_a_supervisees_diagnosis_waits_and_her_supervisor_cosigns_it(clinic: Clinic) -> None:
    diagnosis = add(clinic, actor=clinic.therapist_on_team)
    assert diagnosis.cosign_status == CosignStatus.PENDING
    assert diagnosis.cosign_author == clinic.therapist_on_team

    signed = diagnosis_cosign(actor=clinic.supervisor, diagnosis=diagnosis, version=1, note="Agree")

    assert signed.cosign_status == CosignStatus.COSIGNED
    assert signed.cosigned_by == clinic.supervisor and signed.cosigned_at is not None
    last = signed.changes.order_by("version").last()
    assert last is not None
    assert (last.event, last.changed_by_id, last.note) == (
        ChangeEvent.COSIGNED,
        clinic.supervisor.pk,
        "Agree",
    )


def test_a_supervisor_returns_a_diagnosis_with_comments_and_a_revision_goes_back(
    clinic: Clinic,
) -> None:
    diagnosis = add(clinic, actor=clinic.therapist_on_team)
    with pytest.raises(ValidationError):
        diagnosis_return(actor=clinic.supervisor, diagnosis=diagnosis, comment=" ")

    returned = diagnosis_return(
        actor=clinic.supervisor, diagnosis=diagnosis, comment="Provisional until the PHQ-9"
    )
    assert returned.cosign_status == CosignStatus.RETURNED
    assert returned.return_comment == "Provisional until the PHQ-9"
    assert returned.cosigned_by is None

    revised = diagnosis_change_status(
        actor=clinic.therapist_on_team,
        diagnosis=returned,
        status=DiagnosisStatus.PROVISIONAL,
        version=returned.version,
        note="Made provisional as advised",
    )
    assert revised.cosign_status == CosignStatus.PENDING
    assert revised.return_comment == ""


@pytest.mark.parametrize("persona", ["psychiatrist", "therapist_on_team"])
def test_only_a_supervisor_of_the_author_may_cosign(clinic: Clinic, persona: str) -> None:
    diagnosis = add(clinic, actor=clinic.therapist_on_team)
    with pytest.raises(CosignRefused):
        diagnosis_cosign(actor=getattr(clinic, persona), diagnosis=diagnosis)
    diagnosis.refresh_from_db()
    assert diagnosis.cosign_status == CosignStatus.PENDING


def test_an_ended_supervision_no_longer_allows_cosigning(clinic: Clinic) -> None:
    diagnosis = add(clinic, actor=clinic.therapist_on_team)
    SupervisionLink.objects.filter(supervisor=clinic.supervisor).update(end_on=timezone.localdate())
    supervisor = User.objects.get(pk=clinic.supervisor.pk)
    with pytest.raises((CosignRefused, ClientNotFound)):
        diagnosis_cosign(actor=supervisor, diagnosis=diagnosis)
    diagnosis.refresh_from_db()
    assert diagnosis.cosign_status == CosignStatus.PENDING


def test_a_diagnosis_is_cosigned_once(clinic: Clinic) -> None:
    diagnosis = add(clinic, actor=clinic.therapist_on_team)
    diagnosis_cosign(actor=clinic.supervisor, diagnosis=diagnosis)
    with pytest.raises(CosignRefused) as refused:
        diagnosis_cosign(actor=clinic.supervisor, diagnosis=diagnosis)
    assert refused.value.reason == "not_pending"


def test_a_cosignature_of_a_version_since_changed_is_refused(clinic: Clinic) -> None:
    """REL-04: the supervisor signs what she read, not a later change."""
    diagnosis = add(clinic, actor=clinic.therapist_on_team)
    diagnosis_change_status(
        actor=clinic.therapist_on_team,
        diagnosis=diagnosis,
        status=DiagnosisStatus.PROVISIONAL,
        version=1,
        note="Second thoughts",
    )
    with pytest.raises(StaleDiagnosis):
        diagnosis_cosign(actor=clinic.supervisor, diagnosis=diagnosis, version=1)


# ---------------------------------------------------------------- audit


def test_every_write_is_audited_with_codes_not_narrative(clinic: Clinic) -> None:
    """SEC-23: create, change, co-sign each write one audit row naming actor and client."""
    diagnosis = add(clinic, actor=clinic.therapist_on_team, note="Low mood for months")
    diagnosis = diagnosis_change_status(
        actor=clinic.therapist_on_team,
        diagnosis=diagnosis,
        status=DiagnosisStatus.PROVISIONAL,
        version=1,
        note="Awaiting measures",
    )
    diagnosis_cosign(actor=clinic.supervisor, diagnosis=diagnosis)
    rows = list(
        AuditEvent.objects.filter(
            object_type="diagnoses.Diagnosis", object_id=str(diagnosis.pk)
        ).order_by("seq")
    )
    assert [(r.action, r.actor_id) for r in rows] == [
        ("create", clinic.therapist_on_team.pk),
        ("change", clinic.therapist_on_team.pk),
        ("change", clinic.supervisor.pk),
    ]
    assert {r.client_id for r in rows} == {clinic.client_a.pk}
    assert rows[0].detail["code"] == "F32.1"
    assert rows[2].detail["cosign"] == "cosigned"
    assert not any("Low mood" in str(r.detail) for r in rows)


def test_a_refused_add_writes_no_audit_row_and_no_diagnosis(clinic: Clinic) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        add(clinic, code="F32")
    assert AuditEvent.objects.count() == before


def test_any_supervisees_entry_waits_for_her_own_supervisor(
    clinic: Clinic,
) -> None:
    """A second supervisee (an LPC) of the psychologist: her entries wait too."""
    lpc = make_user("wren_ashby", Discipline.COUNSELOR, LicenceType.LPC)
    CareTeamMember.objects.create(
        client=clinic.client_a,
        staff=lpc,
        role=CareTeamRole.THERAPIST,
        start_on=timezone.localdate(),
    )
    SupervisionLink.objects.create(supervisor=clinic.supervisor, supervisee=lpc)
    diagnosis = add(clinic, actor=lpc, code="F41.1")
    assert diagnosis.cosign_status == CosignStatus.PENDING
    with pytest.raises(CosignRefused):
        diagnosis_cosign(actor=clinic.psychiatrist, diagnosis=diagnosis)
    assert diagnosis_cosign(actor=clinic.supervisor, diagnosis=diagnosis).cosign_status == (
        CosignStatus.COSIGNED
    )
