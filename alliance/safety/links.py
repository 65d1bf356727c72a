"""The client's read-only link to their safety plan: single use per device, expiring, revocable.

Only SHA-256 hashes are stored: of the token in the link, and of a second secret that the first
browser to open it receives in an HttpOnly cookie. That browser may open the link again until it
expires; any other device is refused (a forwarded or shoulder-surfed link shows nothing). Every
open, allowed or refused, is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.audit.actions import AuditAction, AuditOutcome
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.safety.base import SafetyRecordNotFound, client_with
from alliance.safety.models import DocumentStatus, SafetyPlan, SafetyPlanLink, SafetyPlanVersion
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

LINK_ACTOR = "client-safety-plan-link"


class LinkUnusable(Exception):
    """Unknown, expired, revoked, or the plan has no signed version: one answer for all."""


class LinkOtherDevice(Exception):
    """The link was already opened on another device."""


@dataclass(frozen=True)
class PlanOpened:
    link: SafetyPlanLink
    version: SafetyPlanVersion
    new_device_secret: str  # set when this open bound the link to the browser


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _current_signed(plan: SafetyPlan) -> SafetyPlanVersion | None:
    return (
        SafetyPlanVersion.objects.filter(plan=plan, status=DocumentStatus.SIGNED)
        .order_by("-number")
        .first()
    )


def plan_link_create(*, actor: User, client: Client) -> tuple[SafetyPlanLink, str]:
    """A new link to the client's signed plan; returns the link and its token (shown once)."""
    client = client_with(actor, client, Capability.SAFETY_PLAN_EDIT)
    plan = SafetyPlan.objects.filter(client=client).first()
    if plan is None or _current_signed(plan) is None:
        raise ValidationError("Sign the safety plan before sending the client a link to it.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = SafetyPlanLink.objects.create(
            plan=plan,
            token_hash=secret_hash(token),
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.SAFETY_PLAN_LINK_DAYS),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=link,
            detail={"expires_at": link.expires_at.isoformat()},
        )
    return link, token


def plan_link_revoke(*, actor: User, client: Client, link_id: int) -> SafetyPlanLink:
    client = client_with(actor, client, Capability.SAFETY_PLAN_EDIT)
    link = SafetyPlanLink.objects.filter(pk=link_id, plan__client=client).first()
    if link is None:
        raise SafetyRecordNotFound
    now = timezone.now()
    with transaction.atomic():
        SafetyPlanLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, updated_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client,
            target=link,
            detail={"revoked": True},
        )
    link.refresh_from_db()
    return link


def _audit_open(link: SafetyPlanLink, outcome: AuditOutcome, detail: dict[str, object]) -> None:
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_username=LINK_ACTOR,
            action=AuditAction.RECORD_VIEW,
            client=link.plan.client_id,
            target=link,
            outcome=outcome,
            detail=detail,
        )


def plan_link_open(*, token: str, device_secret: str, now: datetime | None = None) -> PlanOpened:
    """Open the plan through its link from the browser holding ``device_secret`` (may be "")."""
    moment = now or timezone.now()
    link = (
        SafetyPlanLink.objects.filter(token_hash=secret_hash(token)).select_related("plan").first()
    )
    if link is None:
        raise LinkUnusable
    if link.revoked_at is not None or link.expires_at <= moment:
        _audit_open(link, AuditOutcome.DENIED, {"refused": "revoked or expired"})
        raise LinkUnusable
    version = _current_signed(link.plan)
    if version is None:
        raise LinkUnusable
    new_secret = ""
    if not link.device_hash:
        new_secret = secrets.token_urlsafe(32)
        # Bind atomically: of two first opens at once, only one browser gets the link.
        bound = SafetyPlanLink.objects.filter(pk=link.pk, device_hash="").update(
            device_hash=secret_hash(new_secret), bound_at=moment, updated_at=moment
        )
        if bound != 1:
            new_secret = ""
            link.refresh_from_db()
    if not new_secret and (
        not device_secret or not hmac.compare_digest(secret_hash(device_secret), link.device_hash)
    ):
        _audit_open(link, AuditOutcome.DENIED, {"refused": "other device"})
        raise LinkOtherDevice
    _audit_open(
        link, AuditOutcome.SUCCESS, {"plan_version": version.number, "first_open": bool(new_secret)}
    )
    return PlanOpened(link, version, new_secret)
