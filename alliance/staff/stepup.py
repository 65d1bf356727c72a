"""Step-up: the staff member's password again before a signature or another grave act (SEC-08).

One mechanism for every signing workflow (notes, plans, risk assessments, safety plans,
mandated reports): a wrong password is refused and audited as a high-severity denied change of
the record it was meant for.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from alliance.audit.actions import AuditAction, AuditOutcome, AuditSeverity
from alliance.audit.services import audit_record
from alliance.staff.models import User


class StepUpFailed(Exception):
    """The password given to confirm the act was wrong."""


def step_up(
    actor: User,
    password: str,
    *,
    client_id: int,
    target: models.Model,
    step: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Return if ``password`` is the actor's; otherwise audit the refusal and raise."""
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
            detail={"step": step, "refused": "password", **(detail or {})},
        )
    raise StepUpFailed
