"""Reads about access (``alliance.access.selectors``): the live-grant banner, the review queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.access.models import BreakGlassGrant, BreakGlassReason, RestrictionReason
from alliance.access.policy import AccessDenied
from alliance.access.selectors import break_glass_queue, live_grants_for
from alliance.access.services import break_glass_start, restriction_add
from alliance.audit.models import AuditEvent
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

SignIn = Callable[[User], HttpClient]


def grant_on(clinic: Clinic, minutes_ago: int = 0, minutes_left: int = 60) -> BreakGlassGrant:
    now = timezone.now()
    return BreakGlassGrant.objects.create(
        actor=clinic.therapist_off_team,
        client=clinic.client_b,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Walk-in in crisis, primary clinician unreachable",
        granted_at=now - timedelta(minutes=minutes_ago),
        expires_at=now + timedelta(minutes=minutes_left),
    )


def test_live_grants_are_the_running_ones(clinic: Clinic) -> None:
    """SEC-22: the banner lists running grants only, not expired or future ones."""
    live = grant_on(clinic, minutes_ago=5, minutes_left=55)
    grant_on(clinic, minutes_ago=120, minutes_left=-60)
    grant_on(clinic, minutes_ago=-10, minutes_left=60)
    assert live_grants_for(actor=clinic.therapist_off_team) == [live]
    assert live_grants_for(actor=clinic.therapist_on_team) == []


def test_restricted_client_leaves_the_banner(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-13: a restriction added during a live grant removes the client's name from the banner
    on every page, not only the chart."""
    break_glass_start(
        actor=clinic.therapist_off_team,
        mrn=clinic.client_b.mrn,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Walk-in in crisis, primary clinician unreachable",
        password=PASSWORD,
    )
    http = signed_in(clinic.therapist_off_team)
    assert b"Halvorsen" in http.get(reverse("web:home")).content
    restriction_add(
        actor=clinic.privacy_officer,
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        reason=RestrictionReason.RELATIVE,
    )
    assert live_grants_for(actor=clinic.therapist_off_team) == []
    assert b"Halvorsen" not in http.get(reverse("web:home")).content


def test_review_queue_is_for_the_privacy_officer(clinic: Clinic) -> None:
    """SEC-22: unreviewed grants, oldest first, for AUDIT_REVIEW holders only."""
    newer = grant_on(clinic, minutes_ago=5)
    older = grant_on(clinic, minutes_ago=50)
    assert break_glass_queue(actor=clinic.privacy_officer).pending == [older, newer]
    with pytest.raises(AccessDenied):
        break_glass_queue(actor=clinic.therapist_on_team)


def test_opening_the_review_queue_is_audited(clinic: Clinic) -> None:
    """SEC-23: the queue shows names and emergency narratives, so opening it leaves a row
    naming the grants and clients shown."""
    pending = grant_on(clinic, minutes_ago=5)
    done = grant_on(clinic, minutes_ago=90, minutes_left=-30)
    BreakGlassGrant.objects.filter(pk=done.pk).update(
        reviewed_by=clinic.privacy_officer, reviewed_at=timezone.now(), review_note="Justified"
    )
    shown = break_glass_queue(actor=clinic.privacy_officer)
    assert (shown.pending, [g.pk for g in shown.reviewed]) == ([pending], [done.pk])
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_id, event.purpose) == (
        "audit_report_view",
        clinic.privacy_officer.pk,
        "HCOMPL",
    )
    assert sorted(event.detail["grant_ids"]) == sorted([pending.pk, done.pk])
    assert event.detail["client_ids"] == [clinic.client_b.pk]
