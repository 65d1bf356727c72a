"""What every safety service shares: exceptions, access checks and the signing step-up."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.http import Http404

from alliance.access.policy import client_for
from alliance.audit.actions import AuditAction, AuditOutcome, AuditSeverity
from alliance.audit.services import audit_record
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


class StepUpFailed(Exception):
    """The password given to confirm a signature was wrong (SEC-08)."""


def client_with(actor: User, client: Client | int, capability: Capability) -> Client:
    """The client if ``actor`` may use ``capability`` on it (ClientNotFound, a 404, else)."""
    client_id = client if isinstance(client, int) else client.pk
    return client_for(actor=actor, client_id=client_id, capability=capability)


def step_up(actor: User, password: str, *, client_id: int, target: models.Model, step: str) -> None:
    """The actor's password again before a signature (SEC-08); a wrong one is audited."""
    if actor.check_password(password):
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client_id,
            target=target,
            outcome=AuditOutcome.DENIED,
            severity=AuditSeverity.HIGH,
            detail={"step": step, "refused": "password"},
        )
    raise StepUpFailed
