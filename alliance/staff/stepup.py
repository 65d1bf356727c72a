"""Step-up: the staff member's password again before a signature or another grave act (SEC-08).

One mechanism for every signing workflow (notes, plans, risk assessments, safety plans,
mandated reports) and for break-the-glass: a wrong password is refused and audited as a
high-severity denied change of the record it was meant for.

A wrong password here is a failed sign-in as far as the lockout is concerned (SEC-04): it
counts towards the same django-axes limit as the sign-in page, for the account and for the
address it came from. When the limit is reached the account is locked (audited as a lockout)
and ``StepUpFailed.locked`` tells the page to end the session. While the account is locked,
even the right password is refused.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.db import models, transaction
from django.http import HttpRequest

from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.context import source_address
from alliance.audit.services import audit_record
from alliance.staff.models import User


class StepUpFailed(Exception):
    """The password given to confirm the act was wrong, or the account is locked.

    ``locked``: the account is locked out (by this failure or before it); the session must end.
    """

    def __init__(self, *, locked: bool = False) -> None:
        super().__init__("locked" if locked else "wrong password")
        self.locked = locked


def _lockout_request() -> HttpRequest:
    """A request as django-axes sees one: the address of the request being served."""
    request = HttpRequest()
    request.method = "POST"
    address = source_address.get()
    try:
        ipaddress.ip_address(address)
    except ValueError:  # the command line ("local"): no address, the account still counts
        address = ""
    request.META["REMOTE_ADDR"] = address or None
    return request


def _credentials(actor: User) -> dict[str, str]:
    return {"username": actor.get_username()}


def verify_password(actor: User, password: str) -> None:
    """Return if ``password`` is the actor's and the account is not locked out; else raise.

    A wrong password is reported to django-axes as a failed sign-in; the failure that reaches
    the limit locks the account and is audited as a lockout.
    """
    request = _lockout_request()
    credentials = _credentials(actor)
    if AxesProxyHandler.is_locked(request, credentials):
        raise StepUpFailed(locked=True)
    if actor.check_password(password):
        return
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    if locked:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.LOCKOUT,
                purpose=AuditPurpose.SYSTEM,
                outcome=AuditOutcome.DENIED,
                severity=AuditSeverity.HIGH,
                detail={"refused": "step_up"},
            )
    raise StepUpFailed(locked=locked)


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
    try:
        verify_password(actor, password)
    except StepUpFailed as failed:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                client=client_id,
                target=target,
                outcome=AuditOutcome.DENIED,
                severity=AuditSeverity.HIGH,
                detail={
                    "step": step,
                    "refused": "locked" if failed.locked else "password",
                    **(detail or {}),
                },
            )
        raise
