"""Writes to care teams, restrictions and emergency grants (``alliance.access.services``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.access.models import (
    AccessRestriction,
    BreakGlassGrant,
    BreakGlassReason,
    CareTeamMember,
    CareTeamRole,
    RestrictionReason,
)
from alliance.access.policy import AccessDenied
from alliance.access.services import (
    break_glass_review,
    break_glass_start,
    care_team_add,
    care_team_end,
    restriction_add,
)
from alliance.audit.models import AuditEvent
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

SignIn = Callable[[User], HttpClient]


def test_care_team_add_refuses_non_clinical_staff(clinic: Clinic) -> None:
    """Front desk, intake and IT cannot be put on a care team, whatever the form offers."""
    for person in (clinic.front_desk, clinic.intake, clinic.it_admin, clinic.privacy_officer):
        with pytest.raises(ValidationError) as refused:
            care_team_add(
                actor=clinic.intake,
                client=clinic.client_b,
                staff=person,
                role=CareTeamRole.CASE_MANAGER,
            )
        assert "staff" in refused.value.error_dict
    assert not CareTeamMember.objects.filter(client=clinic.client_b).exists()


def test_care_team_add_needs_access_to_the_client(clinic: Clinic) -> None:
    """SEC-10: a clinician cannot put anyone on the team of a client outside their care."""
    with pytest.raises(Exception):  # noqa: B017  (not found, whatever its class)
        care_team_add(
            actor=clinic.therapist_on_team,
            client=clinic.client_b,
            staff=clinic.therapist_on_team,
            role=CareTeamRole.THERAPIST,
        )
    assert not CareTeamMember.objects.filter(client=clinic.client_b).exists()


def test_care_team_add_is_audited(clinic: Clinic) -> None:
    member = care_team_add(
        actor=clinic.intake,
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        role=CareTeamRole.PRIMARY_CLINICIAN,
    )
    event = AuditEvent.objects.filter(action="create").latest("seq")
    assert (event.client_id, event.object_id) == (clinic.client_b.pk, str(member.pk))
    assert event.detail == {"staff_id": clinic.therapist_off_team.pk, "role": "primary_clinician"}


def test_ending_an_ended_membership_is_refused_and_history_kept(clinic: Clinic) -> None:
    """A membership that already ended keeps its end date: ending it again is refused."""
    member = CareTeamMember.objects.get(client=clinic.client_a, staff=clinic.peer_specialist)
    ended_on = timezone.localdate() - timedelta(days=3)
    CareTeamMember.objects.filter(pk=member.pk).update(end_on=ended_on)
    member.refresh_from_db()
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError):
        care_team_end(actor=clinic.psychiatrist, member=member)

    member.refresh_from_db()
    assert member.end_on == ended_on
    assert AuditEvent.objects.count() == events


def test_ending_a_membership_that_has_not_started_cancels_it(clinic: Clinic) -> None:
    """A place starting next week, ended today, never opens the record."""
    starts = timezone.localdate() + timedelta(days=7)
    member = CareTeamMember.objects.create(
        client=clinic.client_a,
        staff=clinic.therapist_off_team,
        role=CareTeamRole.THERAPIST,
        start_on=starts,
    )
    ended = care_team_end(actor=clinic.psychiatrist, member=member)
    assert ended.end_on == starts
    assert not ended.is_active_on(starts)
    assert not ended.is_active_on(starts + timedelta(days=30))


def test_care_team_end_page_with_a_refused_end_is_not_a_server_error(
    clinic: Clinic, signed_in: SignIn
) -> None:
    """Ending an already ended membership from the page says so (400), it does not crash."""
    member = CareTeamMember.objects.get(client=clinic.client_a, staff=clinic.peer_specialist)
    CareTeamMember.objects.filter(pk=member.pk).update(
        end_on=timezone.localdate() - timedelta(days=3)
    )
    http = signed_in(clinic.psychiatrist)
    response = http.post(reverse("web:care_team_end", args=[clinic.client_a.pk, member.pk]))
    assert response.status_code == 400
    assert "already ended" in response.content.decode()


def test_restriction_add_needs_the_privacy_officer(clinic: Clinic) -> None:
    """SEC-13: a clinician or IT cannot write restrictions; the privacy officer can."""
    with pytest.raises(AccessDenied):
        restriction_add(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            staff=clinic.psychiatrist,
            reason=RestrictionReason.CONFLICT_OF_INTEREST,
        )
    assert not AccessRestriction.objects.exists()
    restriction_add(
        actor=clinic.privacy_officer,
        client=clinic.client_a,
        staff=clinic.psychiatrist,
        reason=RestrictionReason.CONFLICT_OF_INTEREST,
    )
    event = AuditEvent.objects.filter(action="create").latest("seq")
    assert (event.severity, event.purpose) == ("high", "HCOMPL")


def start(clinic: Clinic, actor: User | None = None, **changes: str) -> BreakGlassGrant:
    values = {
        "mrn": clinic.client_b.mrn,
        "reason_code": BreakGlassReason.CRISIS_CALL,
        "reason_text": "Walk-in in crisis, primary clinician unreachable",
        "password": PASSWORD,
    } | changes
    return break_glass_start(actor=actor or clinic.therapist_off_team, **values)


def test_break_glass_grant_lasts_the_configured_time(clinic: Clinic, settings: object) -> None:
    """SEC-22: the grant is time-boxed by BREAK_GLASS_DURATION and audited as BTG, high."""
    grant = start(clinic)
    assert grant.expires_at - grant.granted_at == timedelta(minutes=60)
    event = AuditEvent.objects.get(action="break_glass")
    assert (event.client_id, event.purpose, event.severity) == (clinic.client_b.pk, "BTG", "high")


def test_break_glass_accepts_an_mrn_typed_with_dashes(clinic: Clinic) -> None:
    assert start(clinic, mrn="1000-0000-2").client_id == clinic.client_b.pk


def test_unknown_mrn_and_restricted_client_get_the_same_answer(clinic: Clinic) -> None:
    """SEC-13, SEC-22: a restricted client cannot be told apart from an unknown MRN."""
    from alliance.access.services import BreakGlassRefused

    restriction_add(
        actor=clinic.privacy_officer,
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        reason=RestrictionReason.RELATIVE,
    )
    answers = []
    for mrn in ("999999999", clinic.client_b.mrn):
        with pytest.raises(BreakGlassRefused) as refused:
            start(clinic, mrn=mrn)
        answers.append((refused.value.field, refused.value.message))
    assert answers[0] == answers[1]
    assert not BreakGlassGrant.objects.exists()


def test_review_refuses_own_grant_and_second_review(clinic: Clinic) -> None:
    """SEC-22: nobody reviews their own emergency access; a grant is reviewed once."""
    grant = start(clinic)
    with pytest.raises(ValidationError):
        break_glass_review(actor=clinic.privacy_officer, grant=grant, note="  ")
    reviewed = break_glass_review(
        actor=clinic.privacy_officer, grant=grant, note="Justified: crisis walk-in"
    )
    assert reviewed.reviewed_by_id == clinic.privacy_officer.pk
    with pytest.raises(ValidationError):
        break_glass_review(actor=clinic.privacy_officer, grant=reviewed, note="Again")
    with pytest.raises(AccessDenied):
        break_glass_review(actor=clinic.therapist_on_team, grant=grant, note="Looks fine")
