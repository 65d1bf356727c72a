"""Reads about access: live emergency grants, the privacy officer's review queue."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from alliance.access.models import BreakGlassGrant
from alliance.access.policy import require_capability
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


def live_grants_for(*, actor: User) -> list[BreakGlassGrant]:
    """The actor's emergency grants still running (for the banner on every page)."""
    now = timezone.now()
    return list(
        BreakGlassGrant.objects.filter(actor=actor, granted_at__lte=now, expires_at__gt=now)
        .select_related("client")
        .order_by("expires_at")
    )


def break_glass_queue(*, actor: User) -> QuerySet[BreakGlassGrant]:
    """Emergency accesses waiting for the privacy officer's review, oldest first."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    return (
        BreakGlassGrant.objects.filter(reviewed_at__isnull=True)
        .select_related("actor", "client")
        .order_by("granted_at")
    )


def break_glass_reviewed(*, actor: User, limit: int = 50) -> list[BreakGlassGrant]:
    require_capability(actor, Capability.AUDIT_REVIEW)
    return list(
        BreakGlassGrant.objects.filter(reviewed_at__isnull=False)
        .select_related("actor", "client", "reviewed_by")
        .order_by("-reviewed_at")[:limit]
    )
