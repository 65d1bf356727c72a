"""The accounting page and its rows follow one rule (``access.policy.accounting_clients``).

A privacy officer who is also a client could open the accounting of their own record, and saw
no rows there although disclosures existed: the page asked one rule (every client) and its
rows another (every client but one's own). Now both ask the policy: one's own record is
refused like every other look at it, and elsewhere the page shows the rows that exist.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.access.policy import ClientNotFound
from alliance.audit.models import AuditEvent
from alliance.clients.models import Client
from alliance.disclosures.accounting import disclosure_write
from alliance.disclosures.models import DisclosureSource
from alliance.disclosures.selectors import accounting_client, accounting_for, client_by_mrn
from alliance.staff.models import User
from tests.personas import Clinic

SignIn = Callable[[User], HttpClient]


def disclose(clinic: Clinic, client: Client, recipient: str) -> None:
    disclosure_write(
        actor=clinic.therapist_on_team,
        client_id=client.pk,
        disclosed_at=timezone.now(),
        recipient=recipient,
        description="Treatment summary",
        purpose="Client's authorization",
        source_type=DisclosureSource.RECORDED,
    )


@pytest.fixture
def officer_is_client_b(clinic: Clinic) -> User:
    """The privacy officer is also a client (client_b); both clients have disclosures."""
    Client.objects.filter(pk=clinic.client_b.pk).update(staff_account=clinic.privacy_officer)
    disclose(clinic, clinic.client_a, "Primary care physician")
    disclose(clinic, clinic.client_b, "Insurer")
    disclose(clinic, clinic.client_b, "Attorney")
    return User.objects.get(pk=clinic.privacy_officer.pk)


@pytest.mark.parametrize("page", ["disclosure_report_client", "disclosure_report_pdf"])
def test_privacy_officer_cannot_open_the_accounting_of_their_own_record(
    page: str, clinic: Clinic, officer_is_client_b: User, signed_in: SignIn
) -> None:
    """SEC-13, SEC-29: one's own accounting is refused (404) and the refusal is audited."""
    http = signed_in(officer_is_client_b)
    response = http.get(reverse(f"web:{page}", args=[clinic.client_b.pk]))
    assert response.status_code == 404
    assert b"Insurer" not in response.content
    refused = AuditEvent.objects.filter(
        actor=officer_is_client_b, client=clinic.client_b, outcome="denied"
    )
    assert refused.count() == 1
    assert not AuditEvent.objects.filter(
        actor=officer_is_client_b, client=clinic.client_b, outcome="success"
    ).exists()


def test_privacy_officer_cannot_find_their_own_record_by_mrn(
    clinic: Clinic, officer_is_client_b: User, signed_in: SignIn
) -> None:
    """SEC-13: the MRN search answers as for an MRN nobody has."""
    assert client_by_mrn(actor=officer_is_client_b, mrn=clinic.client_b.mrn) is None
    response = signed_in(officer_is_client_b).post(
        reverse("web:disclosure_report"), {"mrn": clinic.client_b.mrn}
    )
    assert response.status_code == 400 and b"No client has that MRN" in response.content


def test_page_and_rows_agree_for_another_client(
    clinic: Clinic, officer_is_client_b: User, signed_in: SignIn
) -> None:
    """SEC-29: for a client the privacy officer oversees, the page shows the rows that exist."""
    with pytest.raises(ClientNotFound):
        accounting_client(actor=officer_is_client_b, client_id=clinic.client_b.pk)
    client = accounting_client(actor=officer_is_client_b, client_id=clinic.client_a.pk)
    rows = accounting_for(actor=officer_is_client_b, client=client).rows
    assert [r.recipient for r in rows] == ["Primary care physician"]
    page = signed_in(officer_is_client_b).get(
        reverse("web:disclosure_report_client", args=[clinic.client_a.pk])
    )
    assert page.status_code == 200
    assert [r.recipient for r in page.context["accounting"].rows] == ["Primary care physician"]
    assert b"Primary care physician" in page.content


def test_a_clinician_refused_an_accounting_is_audited(clinic: Clinic, signed_in: SignIn) -> None:
    """SEC-23: a look at the accounting of a client outside one's care is a refused read."""
    disclose(clinic, clinic.client_a, "Primary care physician")
    http = signed_in(clinic.therapist_off_team)
    response = http.get(reverse("web:disclosure_client", args=[clinic.client_a.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor=clinic.therapist_off_team, client=clinic.client_a, outcome="denied"
    ).exists()
