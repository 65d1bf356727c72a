"""The access policy's reads written out in SQL (``access.policy``: ``SUPERVISEES_SQL``,
``LIVE_GRANTS_SQL``, ``RESTRICTIONS_SQL``) give what the querysets they stand for give, with
rows on either side of each condition (an ended, a future and a live supervision; an expired,
a future and a live grant; a lifted and a live restriction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.access import policy
from alliance.access.models import (
    AccessRestriction,
    BreakGlassGrant,
    BreakGlassReason,
    RestrictionReason,
)
from alliance.staff.models import SupervisionLink
from tests.personas import Clinic

pytestmark = pytest.mark.django_db


def test_supervisees_are_the_active_links(clinic: Clinic) -> None:
    today = timezone.localdate()
    supervisor = clinic.supervisor
    for start_on, end_on, supervisee in (
        (today - timedelta(days=90), today - timedelta(days=1), clinic.therapist_off_team),
        (today + timedelta(days=1), None, clinic.psychiatrist),
        (today, today + timedelta(days=1), clinic.peer_specialist),
        (today - timedelta(days=9), today, clinic.front_desk),  # ends today: not active
    ):
        SupervisionLink.objects.create(
            supervisor=supervisor, supervisee=supervisee, start_on=start_on, end_on=end_on
        )
    for day in (today - timedelta(days=30), today, today + timedelta(days=1)):
        for actor in (supervisor, clinic.therapist_on_team):
            expected = SupervisionLink.objects.filter(
                SupervisionLink.active_q(day), supervisor_id=actor.pk
            ).values_list("supervisee_id", flat=True)
            assert sorted(policy._supervisees(actor.pk, day)) == sorted(expected), (day, actor)
    assert sorted(policy._supervisees(supervisor.pk, today)) == sorted(
        [clinic.therapist_on_team.pk, clinic.peer_specialist.pk]
    )


def test_live_grants_are_the_grants_in_force(clinic: Clinic) -> None:
    now = timezone.now()
    actor = clinic.therapist_off_team
    for client, granted_at, expires_at in (
        (clinic.client_a, now - timedelta(hours=2), now - timedelta(hours=1)),  # expired
        (clinic.client_b, now - timedelta(minutes=5), now + timedelta(minutes=55)),  # live
        (clinic.client_a, now + timedelta(minutes=5), now + timedelta(hours=1)),  # not yet
    ):
        BreakGlassGrant.objects.create(
            actor=actor,
            client=client,
            reason_code=BreakGlassReason.COVERING,
            reason_text="Covering for an absent colleague today",
            granted_at=granted_at,
            expires_at=expires_at,
        )
    for moment in (now - timedelta(minutes=90), now, now + timedelta(minutes=30)):
        expected = BreakGlassGrant.objects.filter(
            actor_id=actor.pk, granted_at__lte=moment, expires_at__gt=moment
        ).values_list("client_id", flat=True)
        assert sorted(policy._live_grants(actor.pk, moment)) == sorted(expected), moment
    assert policy._live_grants(actor.pk, now) == [clinic.client_b.pk]
    # each grant's own bounds: in force from its first microsecond, no longer at its expiry
    for grant in BreakGlassGrant.objects.filter(actor_id=actor.pk):
        for moment in (grant.granted_at, grant.expires_at):
            expected = BreakGlassGrant.objects.filter(
                actor_id=actor.pk, granted_at__lte=moment, expires_at__gt=moment
            ).values_list("client_id", flat=True)
            assert sorted(policy._live_grants(actor.pk, moment)) == sorted(expected), moment
        assert grant.pk in BreakGlassGrant.objects.filter(
            granted_at__lte=grant.granted_at, expires_at__gt=grant.granted_at
        ).values_list("pk", flat=True)


def test_restrictions_are_the_ones_not_lifted(clinic: Clinic) -> None:
    staff = clinic.therapist_off_team
    for client, lifted_at in ((clinic.client_a, timezone.now()), (clinic.client_b, None)):
        AccessRestriction.objects.create(
            client=client,
            staff=staff,
            reason=RestrictionReason.CONFLICT_OF_INTEREST,
            created_by=clinic.privacy_officer,
            lifted_at=lifted_at,
        )
    for actor in (staff, clinic.therapist_on_team):
        expected = AccessRestriction.objects.filter(
            staff_id=actor.pk, lifted_at__isnull=True
        ).values_list("client_id", flat=True)
        assert sorted(policy._restrictions(actor.pk)) == sorted(expected)
    assert policy._restrictions(staff.pk) == [clinic.client_b.pk]
