"""The privacy officer's restriction page: an explicit deny, added and lifted in the browser's
forms, takes effect on the restricted person's next request (SEC-13)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.access.models import AccessRestriction, RestrictionReason
from alliance.audit.models import AuditEvent
from alliance.staff.models import User
from tests.personas import Clinic

pytestmark = pytest.mark.django_db

SignedIn = Callable[[User], HttpClient]


def restrict(
    officer: HttpClient, clinic: Clinic, staff: User, reason: str = "relative"
) -> HttpResponse:
    url = reverse("web:client_restrictions", args=[clinic.client_a.pk])
    return officer.post(url, {"staff": staff.pk, "reason": reason, "note": "neighbour"})


def test_a_restriction_closes_the_chart_at_once_and_lifting_reopens_it(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-13: the psychiatrist on client_a's team is kept out by a restriction, then let back."""
    psychiatrist = signed_in(clinic.psychiatrist)
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    assert psychiatrist.get(chart).status_code == 200
    officer = signed_in(clinic.privacy_officer)

    # when the privacy officer restricts the psychiatrist
    response = restrict(officer, clinic, clinic.psychiatrist)

    # then the next request of the already signed-in psychiatrist is a 404
    assert response.status_code == 302
    assert psychiatrist.get(chart).status_code == 404
    restriction = AccessRestriction.objects.get(client=clinic.client_a, staff=clinic.psychiatrist)
    event = AuditEvent.objects.filter(action="create", object_id=str(restriction.pk)).get()
    assert (event.actor_id, event.severity, event.purpose) == (
        clinic.privacy_officer.pk,
        "high",
        "HCOMPL",
    )
    page = officer.get(reverse("web:client_restrictions", args=[clinic.client_a.pk]))
    assert clinic.psychiatrist.display_name in page.content.decode()

    # when it is lifted, the chart opens again and the restriction stays as history
    lift = reverse("web:restriction_lift", args=[clinic.client_a.pk, restriction.pk])
    assert officer.post(lift).status_code == 302
    assert psychiatrist.get(chart).status_code == 200
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
    assert AuditEvent.objects.filter(action="change", object_id=str(restriction.pk)).exists()


def test_missing_reason_is_shown_next_to_the_field_and_nothing_is_saved(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    response = restrict(signed_in(clinic.privacy_officer), clinic, clinic.psychiatrist, reason="")
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    assert not AccessRestriction.objects.exists()


def test_a_second_restriction_of_the_same_person_is_refused(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    officer = signed_in(clinic.privacy_officer)
    restrict(officer, clinic, clinic.psychiatrist)
    response = restrict(officer, clinic, clinic.psychiatrist, reason=RestrictionReason.RELATIVE)
    assert response.status_code == 400
    assert "already restricted" in response.content.decode()
    assert AccessRestriction.objects.count() == 1


def test_the_privacy_officer_cannot_restrict_themselves(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    response = restrict(signed_in(clinic.privacy_officer), clinic, clinic.privacy_officer)
    assert response.status_code == 400
    assert not AccessRestriction.objects.exists()


def test_the_pending_review_count_is_in_the_privacy_officers_menu(
    clinic: Clinic, signed_in: SignedIn
) -> None:
    """SEC-22: an emergency access waiting for review is signalled on every page."""
    from tests.personas import PASSWORD

    therapist = signed_in(clinic.therapist_off_team)
    therapist.post(
        reverse("web:break_glass"),
        {
            "mrn": clinic.client_b.mrn,
            "reason_code": "crisis_call",
            "reason_text": "Walk-in in crisis, care team unreachable",
            "password": PASSWORD,
        },
    )
    page = signed_in(clinic.privacy_officer).get(reverse("web:audit_report")).content.decode()
    assert '<span class="badge">1<span class="visually-hidden"> waiting</span></span>' in page
