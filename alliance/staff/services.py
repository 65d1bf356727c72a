"""Writes to staff accounts. Privilege changes are audited (SEC-23, SEC-24)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from alliance.audit.actions import AuditAction, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.staff.disciplines import Discipline
from alliance.staff.models import User, validate_personal_username


def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    discipline: str,
    email: str = "",
    credentials: str = "",
    admin_site: bool = False,
) -> User:
    """Create one person's account. ``actor`` is None when run from the command line."""
    username = username.strip().lower()
    validate_personal_username(username)
    if discipline not in Discipline.values:
        raise ValidationError({"discipline": [f"Unknown discipline {discipline!r}."]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["That username is taken."]})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        discipline=discipline,
        email=email,
        credentials=credentials,
        is_staff=admin_site,
    )
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        staff_change_record(actor=actor, target=user, change="created", fields=["discipline"])
    return user


def staff_change_record(
    *, actor: User | None, target: Any, change: str, fields: list[str] | None = None
) -> None:
    """Audit a change to staff, licences, supervision or MFA devices (a privilege change)."""
    audit_record(
        actor=actor,
        actor_username="" if actor else "command-line",
        action=AuditAction.STAFF_CHANGE,
        target=target,
        purpose=AuditPurpose.SYSTEM,
        severity=AuditSeverity.HIGH,
        detail={"change": change, "fields": sorted(fields or [])},
    )
