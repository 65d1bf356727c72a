"""The policy's answers kept within one request (``policy.decisions_cached``).

The chart asks the policy several times about one client; within a request it asks the
database once. These tests prove the cache can never widen access: changes made by the access
services drop it, refusals are never kept, and nothing is kept outside a request (SEC-07).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.access.models import BreakGlassReason, CareTeamMember, RestrictionReason
from alliance.access.policy import (
    ClientNotFound,
    client_for,
    decisions_cached,
    relationship,
)
from alliance.access.services import break_glass_start, care_team_end, restriction_add
from alliance.staff.capabilities import Capability
from tests.personas import PASSWORD, Clinic

READ = Capability.CHART_READ


def test_a_second_question_in_one_request_costs_no_query(clinic: Clinic) -> None:
    with decisions_cached():
        client_for(actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, capability=READ)
        relationship(actor=clinic.therapist_on_team, client=clinic.client_a)
        with CaptureQueriesContext(connection) as again:
            client_for(
                actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, capability=READ
            )
            link = relationship(actor=clinic.therapist_on_team, client=clinic.client_a)
    assert len(again) == 0
    assert link.on_team and link.purpose == "TREAT"


def test_nothing_is_kept_outside_a_request(clinic: Clinic) -> None:
    client_for(actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, capability=READ)
    with CaptureQueriesContext(connection) as again:
        client_for(actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, capability=READ)
    assert len(again) > 0


def test_ending_the_care_team_place_ends_access_within_the_same_request(clinic: Clinic) -> None:
    """SEC-07: a kept "allowed" answer does not outlive the change that removes access."""
    member = CareTeamMember.objects.get(client=clinic.client_a, staff=clinic.therapist_on_team)
    with decisions_cached():
        client_for(actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, capability=READ)
        care_team_end(actor=clinic.psychiatrist, member=member)
        with pytest.raises(ClientNotFound):
            client_for(
                actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, capability=READ
            )


def test_a_restriction_ends_access_within_the_same_request(clinic: Clinic) -> None:
    """SEC-13: a deny added mid-request beats the kept allow."""
    with decisions_cached():
        client_for(actor=clinic.psychiatrist, client_id=clinic.client_a.pk, capability=READ)
        restriction_add(
            actor=clinic.privacy_officer,
            client=clinic.client_a,
            staff=clinic.psychiatrist,
            reason=RestrictionReason.CONFLICT_OF_INTEREST,
        )
        with pytest.raises(ClientNotFound):
            client_for(actor=clinic.psychiatrist, client_id=clinic.client_a.pk, capability=READ)


def test_a_refusal_is_not_kept_so_a_grant_opens_the_record_at_once(clinic: Clinic) -> None:
    """SEC-22: refused, then break-the-glass, then allowed and related as BTG, in one request."""
    actor = clinic.therapist_off_team
    with decisions_cached():
        with pytest.raises(ClientNotFound):
            client_for(actor=actor, client_id=clinic.client_a.pk, capability=READ)
        break_glass_start(
            actor=actor,
            mrn=clinic.client_a.mrn,
            reason_code=BreakGlassReason.CRISIS_CALL,
            reason_text="Client in crisis at the front desk, care team unreachable",
            password=PASSWORD,
        )
        client_for(actor=actor, client_id=clinic.client_a.pk, capability=READ)
        assert relationship(actor=actor, client=clinic.client_a).purpose == "BTG"
