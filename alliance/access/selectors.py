"""Reads about access: live emergency grants, the privacy officer's review queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alliance.access.models import AccessRestriction, BreakGlassGrant, CareTeamMember
from alliance.access.policy import (
    clients_visible_to,
    live_grant_client_ids,
    overseen_client_or_none,
    require_capability,
)
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


def live_grants_for(*, actor: User) -> list[BreakGlassGrant]:
    """The actor's emergency grants still running (for the banner on every page).

    Only grants whose chart the actor may still open: a restriction added after the grant
    beats it (SEC-13), and the banner must not keep showing that client's name.
    """
    now = timezone.now()
    if not live_grant_client_ids(actor=actor, now=now):
        return []  # the usual case, usually already known to this request's policy checks
    live = list(
        BreakGlassGrant.objects.filter(actor=actor, granted_at__lte=now, expires_at__gt=now)
        .select_related("client")
        .order_by("expires_at")
    )
    if not live:
        return []
    visible = set(
        clients_visible_to(actor=actor, capability=Capability.CHART_READ)
        .filter(pk__in=[g.client_id for g in live])
        .values_list("pk", flat=True)
    )
    return [g for g in live if g.client_id in visible]


@dataclass(frozen=True)
class BreakGlassQueue:
    """The privacy officer's review page: grants waiting for review and recent findings."""

    pending: list[BreakGlassGrant]
    reviewed: list[BreakGlassGrant]


def break_glass_queue(*, actor: User, reviewed_limit: int = 50) -> BreakGlassQueue:
    """Emergency accesses waiting for review (oldest first) and the latest reviewed ones.

    The page shows client names, MRNs and the emergency narrative, so opening it is audited
    with the grants and clients it showed (SEC-23).
    """
    require_capability(actor, Capability.AUDIT_REVIEW)
    pending = list(
        BreakGlassGrant.objects.filter(reviewed_at__isnull=True)
        .select_related("actor", "client")
        .order_by("granted_at")
    )
    reviewed = list(
        BreakGlassGrant.objects.filter(reviewed_at__isnull=False)
        .select_related("actor", "client", "reviewed_by")
        .order_by("-reviewed_at")[:reviewed_limit]
    )
    shown = pending + reviewed
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_REPORT_VIEW,
        purpose=AuditPurpose.OVERSIGHT,
        detail={
            "report": "break_glass_queue",
            "grant_ids": [g.pk for g in shown],
            "client_ids": sorted({g.client_id for g in shown}),
        },
    )
    return BreakGlassQueue(pending, reviewed)


def grant_for_review(*, actor: User, grant_id: int) -> BreakGlassGrant | None:
    """One emergency access, for the privacy officer's review."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    return BreakGlassGrant.objects.filter(pk=grant_id).select_related("actor", "client").first()


def restrictions_of(*, actor: User, client_id: int) -> list[AccessRestriction]:
    """Every restriction on a client's record, current first: for the privacy officer, and
    none on a client they do not oversee (``access.policy.clients_overseen_by``)."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    if overseen_client_or_none(actor=actor, client_id=client_id) is None:
        return []
    rows = list(
        AccessRestriction.objects.filter(client_id=client_id)
        .select_related("staff", "created_by")
        .order_by(F("lifted_at").desc(nulls_first=True), "-created_at")
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_VIEW,
            client=client_id,
            object_type="access.AccessRestriction",
            purpose=AuditPurpose.OVERSIGHT,
            detail={"restriction_ids": [r.pk for r in rows]},
        )
    return rows


def break_glass_pending_count(*, actor: User) -> int:
    """How many emergency accesses wait for review (shown in the privacy officer's menu)."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    return BreakGlassGrant.objects.filter(reviewed_at__isnull=True).count()


def care_team_of(*, client: Client) -> list[CareTeamMember]:
    """Every place on the care team of a client already opened through the policy, newest
    first (the care-team page shows current and past members)."""
    return list(
        CareTeamMember.objects.filter(client=client).select_related("staff").order_by("-start_on")
    )


def care_team_member_of(*, client: Client, member_id: int) -> CareTeamMember | None:
    """One place on that client's care team, or None: never another client's (SEC-11)."""
    return CareTeamMember.objects.filter(pk=member_id, client=client).first()
