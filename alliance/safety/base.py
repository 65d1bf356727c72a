"""What every safety service shares: exceptions and access checks (step-up: ``staff.stepup``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from alliance.access.policy import client_for
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

MINIMUM_REASON_LENGTH = 10


class SafetyRecordNotFound(Http404):
    """No such record, or not one this actor may see or change: deliberately the same answer."""


class StaleDraft(Exception):
    """Someone saved the draft since this editor loaded it; ``current`` is what is saved now."""

    def __init__(self, current: Any) -> None:
        super().__init__("the draft was saved by someone else meanwhile")
        self.current = current


class DocumentLocked(Exception):
    """The document is no longer a draft (signed or entered in error)."""


def client_with(actor: User, client: Client | int, capability: Capability) -> Client:
    """The client if ``actor`` may use ``capability`` on it (ClientNotFound, a 404, else)."""
    client_id = client if isinstance(client, int) else client.pk
    return client_for(actor=actor, client_id=client_id, capability=capability)
