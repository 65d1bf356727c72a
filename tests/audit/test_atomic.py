"""If the audit write fails, the operation it records fails with it (REL-06)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.clients import services as client_services
from alliance.clients.models import Client, Contact
from tests.audit.helpers import client_edit_data
from tests.conftest import sign_in
from tests.personas import Clinic


class AuditWriteFailed(Exception):
    pass


def phi_of(client: Client) -> list[str]:
    born = client.date_of_birth
    return [
        client.legal_first_name,
        client.legal_last_name,
        client.mrn,
        born.isoformat(),
        born.strftime("%m/%d/%Y"),
        born.strftime("%B %-d, %Y"),
        client.phone,
    ]


def assert_no_phi(body: bytes, values: list[str]) -> None:
    text = body.decode()
    for value in values:
        assert value not in text, value


@pytest.fixture
def http(clinic: Clinic) -> HttpClient:
    """The primary clinician, signed in; server errors come back as 500 pages."""
    return sign_in(HttpClient(raise_request_exception=False), clinic.therapist_on_team)


@pytest.fixture
def audit_store_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every audit row fails to save, as if the audit table were unwritable."""

    def refuse(self: AuditEvent, *args: Any, **kwargs: Any) -> None:
        raise AuditWriteFailed("audit store unavailable")

    monkeypatch.setattr(AuditEvent, "save", refuse)


@pytest.fixture
def change_audit_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client service's audit call fails only for writes: the UPDATE has already run."""
    real = client_services.audit_record

    def fail_on_writes(**kwargs: Any) -> AuditEvent:
        if kwargs["action"] in (AuditAction.CHANGE, AuditAction.CREATE):
            raise AuditWriteFailed("audit store unavailable")
        return real(**kwargs)

    monkeypatch.setattr(client_services, "audit_record", fail_on_writes)


def test_client_edit_fails_closed_when_the_audit_store_fails(
    audit_store_broken: None, http: HttpClient, clinic: Clinic
) -> None:
    """REL-06: no audit row, no edit: 500, no PHI in the page, the client row unchanged."""
    client = clinic.client_a
    before = Client.objects.filter(pk=client.pk).values().get()
    events_before = AuditEvent.objects.count()

    response = http.post(
        reverse("web:client_edit", args=[client.pk]),
        client_edit_data(client, legal_first_name="Quillon", city="Lakemont"),
    )

    assert response.status_code == 500
    assert_no_phi(response.content, [*phi_of(client), "Quillon", "Lakemont"])
    assert Client.objects.filter(pk=client.pk).values().get() == before
    assert AuditEvent.objects.count() == events_before


def test_client_update_rolls_back_when_its_change_event_fails(
    change_audit_broken: None, http: HttpClient, clinic: Clinic
) -> None:
    """REL-06: the UPDATE and its audit row commit together or not at all."""
    client = clinic.client_a
    before = Client.objects.filter(pk=client.pk).values().get()

    response = http.post(
        reverse("web:client_edit", args=[client.pk]),
        client_edit_data(client, legal_first_name="Quillon", city="Lakemont"),
    )

    assert response.status_code == 500
    assert_no_phi(response.content, [*phi_of(client), "Quillon", "Lakemont"])
    after = Client.objects.filter(pk=client.pk).values().get()
    assert after == before
    assert after["version"] == client.version
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_contact_create_rolls_back_when_its_audit_event_fails(
    change_audit_broken: None, http: HttpClient, clinic: Clinic
) -> None:
    """REL-06: a new contact is not kept when its creation cannot be audited."""
    response = http.post(
        reverse("web:contact_create", args=[clinic.client_a.pk]),
        {"name": "Ottoline Brisk", "relationship": "emergency", "phone": "555-201-3344"},
    )

    assert response.status_code == 500
    assert_no_phi(response.content, ["Ottoline", "Brisk", *phi_of(clinic.client_a)])
    assert not Contact.objects.filter(client=clinic.client_a).exists()


def test_chart_is_not_shown_when_its_read_cannot_be_audited(
    audit_store_broken: None, http: HttpClient, clinic: Clinic
) -> None:
    """REL-06, SEC-23: an unaudited read is not served: 500 and no PHI."""
    response = http.get(reverse("web:client_chart", args=[clinic.client_a.pk]))

    assert response.status_code == 500
    assert_no_phi(response.content, phi_of(clinic.client_a))


def test_search_results_are_not_shown_when_the_search_cannot_be_audited(
    audit_store_broken: None, http: HttpClient, clinic: Clinic
) -> None:
    """REL-06, SEC-23: search results are withheld when the search cannot be recorded."""
    response = http.post(reverse("web:client_search"), {"q": "Nunez"}, follow=True)

    assert response.status_code == 500
    assert_no_phi(response.content, phi_of(clinic.client_a))


def test_the_edit_works_when_the_audit_store_works(http: HttpClient, clinic: Clinic) -> None:
    """REL-06 (control): the same edit, with auditing working, is saved and audited."""
    client = clinic.client_a

    response = http.post(
        reverse("web:client_edit", args=[client.pk]),
        client_edit_data(client, legal_first_name="Quillon"),
    )

    assert response.status_code == 302
    assert Client.objects.get(pk=client.pk).legal_first_name == "Quillon"
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, client=client).count() == 1
