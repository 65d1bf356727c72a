"""Values every page template needs: clinic name, demo and MFA banners, emergency access."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from alliance.access.selectors import break_glass_pending_count, live_grants_for
from alliance.staff.capabilities import Capability
from alliance.web.middleware import mfa_satisfied


def alliance_context(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "clinic_name": settings.CLINIC_NAME,
        "demo_mode": settings.DEMO_MODE,
        "mfa_off": not settings.REQUIRE_MFA,
    }
    user = getattr(request, "user", None)
    # Until the second factor is done the person is not signed in: no menu, no client names.
    if (
        user is not None
        and user.is_authenticated
        and hasattr(user, "capabilities")
        and mfa_satisfied(request)
    ):
        context["signed_in"] = True
        caps = user.capabilities()
        # Held in general (menus, pages about no client). What a page shows about one client
        # asks the policy instead: {% client_caps client as client_caps %} (alliance_tags).
        context["caps"] = {c.value: True for c in caps}
        context["live_grants"] = (
            live_grants_for(actor=user) if Capability.BREAK_GLASS in caps else []
        )
        if Capability.AUDIT_REVIEW in caps:
            context["review_pending"] = break_glass_pending_count(actor=user)
    return context
