"""The client's read-only link to their safety plan: single use per device, expiring, revocable.

Only SHA-256 hashes are stored: of the token in the link, and of a second secret that the browser
receives in an HttpOnly cookie when the client binds it. Opening the link binds nothing: a chat
app's link preview or a mail scanner fetches links too (issue 14 class 3). The link is bound only
when the client confirms their date of birth and presses the button (a POST); after
``MAX_FAILED_CHECKS`` wrong answers the link stops working. The bound browser may open the link
again until it expires; any other device is refused (a forwarded or shoulder-surfed link shows
nothing). Every open, confirmation and refusal is audited; showing the confirmation page writes
nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alliance.access.delegation import DELEGATION_ENDED, delegation_alive, delegation_purpose
from alliance.audit.actions import AuditAction, AuditOutcome
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.safety.base import SafetyRecordNotFound, client_with
from alliance.safety.models import DocumentStatus, SafetyPlan, SafetyPlanLink, SafetyPlanVersion
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

LINK_ACTOR = "client-safety-plan-link"
# What making, revoking and (for its creator, issue 14 class 2) keeping a link alive needs.
LINK_CAPABILITY = Capability.SAFETY_PLAN_EDIT
MAX_FAILED_CHECKS = 5


class LinkUnusable(Exception):
    """Unknown, expired, revoked, its creator's access ended, or the plan has no signed
    version: one answer for all."""


class LinkOtherDevice(Exception):
    """The link was already opened on another device."""


class LinkNotConfirmed(Exception):
    """No device is bound yet: the client must confirm their date of birth first."""


class LinkLocked(Exception):
    """Too many wrong dates of birth: the link no longer works."""


class WrongAnswer(Exception):
    """The date of birth does not match; ``remaining`` tries are left."""

    def __init__(self, remaining: int) -> None:
        super().__init__(remaining)
        self.remaining = remaining


@dataclass(frozen=True)
class PlanOpened:
    link: SafetyPlanLink
    version: SafetyPlanVersion
    new_device_secret: str  # set when this open bound the link to the browser


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _current_signed(plan: SafetyPlan) -> SafetyPlanVersion | None:
    """The latest signed version: what a link shows (a newer signed version supersedes it)."""
    return (
        SafetyPlanVersion.objects.filter(plan=plan, status=DocumentStatus.SIGNED)
        .order_by("-number")
        .first()
    )


def plan_link_create(*, actor: User, client: Client) -> tuple[SafetyPlanLink, str]:
    """A new link to the client's signed plan; returns the link and its token (shown once).

    Audited with the purpose of the actor's access: ``BTG`` when they hold the client under a
    break-the-glass grant. The link lasts no longer than that access (``_usable``).
    """
    client = client_with(actor, client, LINK_CAPABILITY)
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
            purpose=delegation_purpose(creator=actor, client=client),
            detail={"expires_at": link.expires_at.isoformat()},
        )
    return link, token


def plan_link_revoke(*, actor: User, client: Client, link_id: int) -> SafetyPlanLink:
    client = client_with(actor, client, LINK_CAPABILITY)
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


def _usable(token: str, moment: datetime) -> tuple[SafetyPlanLink, SafetyPlanVersion]:
    link = (
        SafetyPlanLink.objects.filter(token_hash=secret_hash(token))
        .select_related("plan__client", "created_by")
        .first()
    )
    if link is None:
        raise LinkUnusable
    if link.revoked_at is not None or link.expires_at <= moment:
        _audit_open(link, AuditOutcome.DENIED, {"refused": "revoked or expired"})
        raise LinkUnusable
    if not delegation_alive(
        creator=link.created_by, client=link.plan.client, capability=LINK_CAPABILITY
    ):
        _audit_open(link, AuditOutcome.DENIED, {"refused": DELEGATION_ENDED})
        raise LinkUnusable
    version = _current_signed(link.plan)
    if version is None:
        raise LinkUnusable
    return link, version


def _same_device(link: SafetyPlanLink, device_secret: str) -> bool:
    return bool(device_secret) and hmac.compare_digest(secret_hash(device_secret), link.device_hash)


def _open_bound(link: SafetyPlanLink, version: SafetyPlanVersion, device_secret: str) -> PlanOpened:
    if not _same_device(link, device_secret):
        _audit_open(link, AuditOutcome.DENIED, {"refused": "other device"})
        raise LinkOtherDevice
    _audit_open(link, AuditOutcome.SUCCESS, {"plan_version": version.number, "first_open": False})
    return PlanOpened(link, version, "")


def plan_link_open(*, token: str, device_secret: str, now: datetime | None = None) -> PlanOpened:
    """Open the plan from the browser holding ``device_secret`` (may be ""). Never binds.

    Safe for any GET or HEAD: an unbound link raises ``LinkNotConfirmed`` and writes nothing.
    """
    link, version = _usable(token, now or timezone.now())
    if not link.device_hash:
        if link.failed_checks >= MAX_FAILED_CHECKS:
            raise LinkLocked
        raise LinkNotConfirmed
    return _open_bound(link, version, device_secret)


def plan_link_confirm(
    *, token: str, date_of_birth: date, device_secret: str, now: datetime | None = None
) -> PlanOpened:
    """The client's deliberate first open: bind this browser if ``date_of_birth`` is theirs.

    A wrong answer is counted and audited; after ``MAX_FAILED_CHECKS`` of them the link is locked.
    """
    moment = now or timezone.now()
    link, version = _usable(token, moment)
    if link.device_hash:
        return _open_bound(link, version, device_secret)
    if link.failed_checks >= MAX_FAILED_CHECKS:
        _audit_open(link, AuditOutcome.DENIED, {"refused": "too many wrong answers"})
        raise LinkLocked
    if date_of_birth != link.plan.client.date_of_birth:
        with transaction.atomic():
            counted = SafetyPlanLink.objects.filter(
                pk=link.pk, device_hash="", failed_checks__lt=MAX_FAILED_CHECKS
            ).update(failed_checks=F("failed_checks") + 1, updated_at=moment)
            link.refresh_from_db()
            _audit_open(
                link,
                AuditOutcome.DENIED,
                {"refused": "wrong date of birth", "failed_checks": link.failed_checks},
            )
        if link.device_hash:  # bound meanwhile by the right answer from another browser
            raise LinkOtherDevice
        if not counted or link.failed_checks >= MAX_FAILED_CHECKS:
            raise LinkLocked
        raise WrongAnswer(MAX_FAILED_CHECKS - link.failed_checks)
    new_secret = secrets.token_urlsafe(32)
    # Bind atomically: of two confirmations at once, only one browser gets the link.
    bound = SafetyPlanLink.objects.filter(
        pk=link.pk, device_hash="", failed_checks__lt=MAX_FAILED_CHECKS
    ).update(device_hash=secret_hash(new_secret), bound_at=moment, updated_at=moment)
    if bound != 1:
        link.refresh_from_db()
        if not link.device_hash:
            raise LinkLocked
        return _open_bound(link, version, device_secret)
    _audit_open(link, AuditOutcome.SUCCESS, {"plan_version": version.number, "first_open": True})
    return PlanOpened(link, version, new_secret)
