"""Enrolment links for the second factor (SEC-02; issue 14 class 6).

With ``ALLIANCE_REQUIRE_MFA`` on, the password alone never enrols an authenticator: whoever had
learnt a new colleague's password could otherwise bind their own phone at the first sign-in and
hold both factors from then on. A staff administrator issues a single-use link for one account;
enrolment needs the link *and* that account's password, and spends the link. Only the token's
SHA-256 hash is stored. A link expires after ``MFA_ENROLMENT_LINK_HOURS``; issuing a new one
revokes the open one.

Issuing, confirming the password at the link, enrolling and every refusal are audited. Showing
a usable link's page writes nothing (a mail scanner's GET or a chat preview's HEAD spends
nothing); an unknown token is not an invitation and is not recorded.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.staff.capabilities import Capability
from alliance.staff.models import MfaEnrolmentInvite, TotpDevice, User
from alliance.staff.stepup import StepUpFailed, verify_password

VIA_LINK = "mfa enrolment link"
LINK_ACTOR = "mfa-enrolment-link"  # who opened a refused link: not known until the password
NO_LINK = "no enrolment link"


class InviteUnusable(Exception):
    """The link cannot enrol anyone; ``reason`` is one of ``REASONS`` ("unknown": no such link)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


REASONS = ("unknown", "used", "revoked", "expired", "inactive", "enrolled", NO_LINK)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_confirmed_device(staff: User) -> bool:
    return TotpDevice.objects.filter(user=staff, confirmed=True).exists()


# ------------------------------------------------------------------------------ reads


@dataclass(frozen=True)
class EnrolmentRow:
    staff: User
    enrolled: bool
    open_invite: MfaEnrolmentInvite | None  # issued, unused, not revoked (may have expired)


def mfa_enrolment_overview() -> list[EnrolmentRow]:
    """Active staff accounts, whether each has an authenticator, and its open link if any."""
    open_invites = MfaEnrolmentInvite.objects.filter(
        used_at__isnull=True, revoked_at__isnull=True
    ).select_related("issued_by")
    staff = (
        User.objects.filter(is_active=True)
        .annotate(enrolled=Exists(TotpDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(Prefetch("mfa_invites", queryset=open_invites, to_attr="open_invites"))
        .order_by("last_name", "first_name", "username")
    )
    return [
        EnrolmentRow(user, bool(user.enrolled), next(iter(user.open_invites), None))
        for user in staff
    ]


def staff_for_invite(staff_id: int) -> User | None:
    """The active account a link may be issued for, or None."""
    return User.objects.filter(pk=staff_id, is_active=True).first()


# ------------------------------------------------------------------------------ writes


def mfa_invite_issue(
    *, actor: User | None, staff: User, now: datetime | None = None
) -> tuple[MfaEnrolmentInvite, str]:
    """Issue a link for ``staff``'s first authenticator; return it and its token (shown once).

    ``actor`` holds STAFF_ADMIN, or is None when run from the command line (the first
    administrator has nobody to ask). Any link still open for ``staff`` is revoked.
    """
    if actor is not None and not actor.has_capability(Capability.STAFF_ADMIN):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.STAFF_CHANGE,
                target=staff,
                purpose=AuditPurpose.SYSTEM,
                outcome=AuditOutcome.DENIED,
                severity=AuditSeverity.HIGH,
                detail={"change": "mfa enrolment link issued", "refused": "capability"},
            )
        raise PermissionDenied
    if not settings.REQUIRE_MFA:
        raise ValidationError(
            "Two-factor sign-in is switched off (ALLIANCE_REQUIRE_MFA=0): there is nothing to "
            "enroll."
        )
    if not staff.is_active:
        raise ValidationError("This account is deactivated.")
    if has_confirmed_device(staff):
        raise ValidationError(
            f"{staff.display_name} already has an authenticator. If it is lost, reset it under "
            "Configuration (TOTP devices) first, then issue a link."
        )
    moment = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        open_ids = list(
            MfaEnrolmentInvite.objects.select_for_update()
            .filter(staff=staff, used_at__isnull=True, revoked_at__isnull=True)
            .values_list("pk", flat=True)
        )
        MfaEnrolmentInvite.objects.filter(pk__in=open_ids).update(
            revoked_at=moment, updated_at=moment
        )
        invite = MfaEnrolmentInvite.objects.create(
            staff=staff,
            token_hash=token_hash(token),
            issued_by=actor,
            expires_at=moment + timedelta(hours=settings.MFA_ENROLMENT_LINK_HOURS),
        )
        audit_record(
            actor=actor,
            actor_username="" if actor else "command-line",
            action=AuditAction.STAFF_CHANGE,
            target=invite,
            purpose=AuditPurpose.SYSTEM,
            severity=AuditSeverity.HIGH,
            detail={
                "change": "mfa enrolment link issued",
                "staff_id": staff.pk,
                "expires_at": invite.expires_at.isoformat(),
                "revoked_links": open_ids,
            },
        )
    return invite, token


def _refusal(invite: MfaEnrolmentInvite, moment: datetime) -> str | None:
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at <= moment:
        return "expired"
    if not invite.staff.is_active:
        return "inactive"
    if has_confirmed_device(invite.staff):
        return "enrolled"
    return None


def mfa_enrolment_refuse(
    *, actor: User | None, reason: str, invite: MfaEnrolmentInvite | None = None
) -> InviteUnusable:
    """Audit a refused enrolment and return the exception to raise."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            actor_username="" if actor else LINK_ACTOR,
            action=AuditAction.MFA_ENROLLED,
            target=invite,
            purpose=AuditPurpose.SYSTEM,
            outcome=AuditOutcome.DENIED,
            severity=AuditSeverity.HIGH,
            detail={"refused": reason, **({"staff_id": invite.staff_id} if invite else {})},
        )
    return InviteUnusable(reason)


def mfa_invite_open(*, token: str, now: datetime | None = None) -> MfaEnrolmentInvite:
    """The invitation ``token`` names, if it can still enrol; else raise ``InviteUnusable``.

    A usable link writes nothing (safe for GET and HEAD); a used, revoked or expired one is
    refused and audited.
    """
    invite = (
        MfaEnrolmentInvite.objects.filter(token_hash=token_hash(token))
        .select_related("staff")
        .first()
    )
    if invite is None:
        raise InviteUnusable("unknown")
    reason = _refusal(invite, now or timezone.now())
    if reason is not None:
        raise mfa_enrolment_refuse(actor=None, reason=reason, invite=invite)
    return invite


def mfa_invite_confirm(*, invite: MfaEnrolmentInvite, password: str) -> None:
    """Return if ``password`` is the invited account's: the link and the password together,
    audited as a sign-in. A wrong one counts towards the sign-in lockout and raises
    ``StepUpFailed`` (``locked`` when the account is, or now is, locked: SEC-04).
    """
    staff = invite.staff
    try:
        verify_password(staff, password)
    except StepUpFailed as failed:
        with transaction.atomic():
            audit_record(
                actor=staff,
                action=AuditAction.LOGIN_FAILED,
                target=invite,
                purpose=AuditPurpose.SYSTEM,
                outcome=AuditOutcome.DENIED,
                detail={"via": VIA_LINK, "refused": "locked" if failed.locked else "password"},
            )
        raise
    with transaction.atomic():
        audit_record(
            actor=staff,
            action=AuditAction.LOGIN,
            target=invite,
            purpose=AuditPurpose.SYSTEM,
            detail={"via": VIA_LINK},
        )


def mfa_enrolment_invite(
    *, staff: User, invite_id: object, now: datetime | None = None
) -> MfaEnrolmentInvite | None:
    """The invitation that lets ``staff`` enrol in this session: the one opened here with the
    link and the password (``invite_id``), while it can still enrol.

    With ``REQUIRE_MFA``, enrolling without one (a password alone) is refused and audited:
    ``InviteUnusable``. Without ``REQUIRE_MFA``, None.
    """
    invite = None
    if isinstance(invite_id, int):
        invite = (
            MfaEnrolmentInvite.objects.filter(pk=invite_id, staff=staff)
            .select_related("staff")
            .first()
        )
    reason = NO_LINK if invite is None else _refusal(invite, now or timezone.now())
    if reason is None:
        return invite
    if settings.REQUIRE_MFA:
        raise mfa_enrolment_refuse(actor=staff, reason=reason, invite=invite)
    return None


def mfa_device_enrol(
    *,
    actor: User,
    device: TotpDevice,
    invite: MfaEnrolmentInvite | None,
    now: datetime | None = None,
) -> None:
    """Confirm ``device`` (its first code was right) and spend ``invite``.

    With ``REQUIRE_MFA`` the invitation is required and must still be open: a link is spent
    once, by the person it was issued for. Otherwise raise ``InviteUnusable`` (audited).
    """
    moment = now or timezone.now()
    required = settings.REQUIRE_MFA
    with transaction.atomic():
        if invite is None:
            spent = not required
        else:
            spent = bool(
                MfaEnrolmentInvite.objects.filter(
                    pk=invite.pk,
                    staff=actor,
                    used_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=moment,
                ).update(used_at=moment, updated_at=moment)
            )
        if spent:
            TotpDevice.objects.filter(pk=device.pk, user=actor).update(
                confirmed=True, confirmed_at=moment
            )
            audit_record(
                actor=actor,
                action=AuditAction.MFA_ENROLLED,
                target=device,
                purpose=AuditPurpose.SYSTEM,
                severity=AuditSeverity.HIGH,
                detail={"invite_id": invite.pk if invite else None},
            )
    if not spent:
        if invite is not None:
            invite.refresh_from_db()
        reason = NO_LINK if invite is None else (_refusal(invite, moment) or "used")
        raise mfa_enrolment_refuse(actor=actor, reason=reason, invite=invite)
