"""Values every page template needs: clinic name, demo and MFA banners, emergency access, and
whether background work has stopped."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from alliance.access.selectors import break_glass_pending_count, live_grants_for
from alliance.operations.health import worker_state
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


# Where the answer is kept on the request: a page that renders several templates asks once.
_BACKGROUND_STOPPED = "_alliance_background_stopped"


def background_work(request: HttpRequest) -> dict[str, Any]:
    """``background_stopped`` for signed-in staff while the worker has been silent longer than
    a cycle (or has not completed one lately): critical alerts are not being escalated, and
    staff are told so (issue 15). One query per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not mfa_satisfied(request):
        return {}
    stopped = getattr(request, _BACKGROUND_STOPPED, None)
    if stopped is None:
        stopped = worker_state().stopped
        setattr(request, _BACKGROUND_STOPPED, stopped)
    return {"background_stopped": stopped}
