"""What every safety service shares: the not-found answer and the access check (lifecycle
errors: ``records.errors``; step-up: ``staff.stepup``)."""

from __future__ import annotations

from django.http import Http404

from alliance.access.policy import client_for
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


class SafetyRecordNotFound(Http404):
    """No such record, or not one this actor may see or change: deliberately the same answer."""


def client_with(actor: User, client: Client | int, capability: Capability) -> Client:
    """The client if ``actor`` may use ``capability`` on it (ClientNotFound, a 404, else)."""
    client_id = client if isinstance(client, int) else client.pk
    return client_for(actor=actor, client_id=client_id, capability=capability)
