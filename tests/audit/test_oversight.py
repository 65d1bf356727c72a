"""The privacy officer's oversight follows the access policy (``clients_overseen_by``).

Oversight reaches every client's audit trail, accounting and restrictions, except where a deny
applies: a privacy officer who is also a client does not review the access to their own
record (SEC-13), on the client's report, in the whole report, or on the restrictions page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.access.models import AccessRestriction, RestrictionReason
from alliance.access.selectors import restrictions_of
from alliance.audit.models import AuditEvent
from alliance.audit.selectors import AuditFilters, audit_report, audited_client
from alliance.clients.models import Client
from alliance.staff.models import User
from tests.personas import Clinic

SignIn = Callable[[User], HttpClient]


@pytest.fixture
def officer(clinic: Clinic, signed_in: SignIn) -> User:
    """The privacy officer is client_b; the therapist opened client_a's chart, the front desk
    client_b's."""
    Client.objects.filter(pk=clinic.client_b.pk).update(staff_account=clinic.privacy_officer)
    AccessRestriction.objects.create(
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        reason=RestrictionReason.RELATIVE,
        created_by=clinic.it_admin,
    )
    chart = reverse("web:client_chart", args=[clinic.client_a.pk])
    assert signed_in(clinic.therapist_on_team).get(chart).status_code == 200
    chart = reverse("web:client_chart", args=[clinic.client_b.pk])
    assert signed_in(clinic.front_desk).get(chart).status_code == 200
    return User.objects.get(pk=clinic.privacy_officer.pk)


@pytest.mark.parametrize("page", ["client_access_report", "client_restrictions"])
def test_own_record_pages_are_refused_and_audited(
    page: str, clinic: Clinic, officer: User, signed_in: SignIn
) -> None:
    """SEC-13, SEC-23: 404 as for no such client, and the refusal is an audit row."""
    http = signed_in(officer)
    assert http.get(reverse(f"web:{page}", args=[clinic.client_b.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        actor=officer, client=clinic.client_b, outcome="denied"
    ).exists()
    assert http.get(reverse(f"web:{page}", args=[clinic.client_a.pk])).status_code == 200


def test_own_record_cannot_be_found_by_mrn(clinic: Clinic, officer: User) -> None:
    assert audited_client(actor=officer, mrn=clinic.client_b.mrn) is None
    assert audited_client(actor=officer, mrn=clinic.client_a.mrn) == clinic.client_a


def test_restrictions_of_own_record_are_not_listed_or_lifted(
    clinic: Clinic, officer: User, signed_in: SignIn
) -> None:
    restriction = AccessRestriction.objects.get()
    assert restrictions_of(actor=officer, client_id=clinic.client_b.pk) == []
    lift = reverse("web:restriction_lift", args=[clinic.client_b.pk, restriction.pk])
    assert signed_in(officer).post(lift).status_code == 404
    restriction.refresh_from_db()
    assert restriction.lifted_at is None


def test_whole_report_leaves_out_events_about_own_record(clinic: Clinic, officer: User) -> None:
    """The rows of the report agree with the pages: nothing about one's own record."""
    charts = AuditFilters(action="chart_view")
    shown = {e.client_id for e in audit_report(actor=officer, filters=charts).object_list}
    assert clinic.client_a.pk in shown
    assert clinic.client_b.pk not in shown
    assert AuditEvent.objects.filter(client=clinic.client_b).exists()
    Client.objects.filter(pk=clinic.client_b.pk).update(staff_account=None)
    fresh = User.objects.get(pk=officer.pk)
    everything = audit_report(actor=fresh, filters=charts).object_list
    assert clinic.client_b.pk in {e.client_id for e in everything}
