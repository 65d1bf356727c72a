"""What the plan pages share (the plan views and the draft views): the plan's address, the
status of a form, the values typed at the version now saved, and the plan a page writes to.
Helpers, not views: no view module imports another."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from alliance.plans.models import TreatmentPlan
from alliance.plans.selectors import plan_for
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.web.util import actor_of


def plan_url(plan: TreatmentPlan, anchor: str = "") -> str:
    url = reverse("web:plan_view", args=[plan.client_id, plan.pk])
    return f"{url}#{anchor}" if anchor else url


def form_status(form: Any, conflict: object = None) -> int:
    if conflict is not None:
        return 409
    return 400 if form.is_bound and form.errors else 200


def plan_for_change(
    request: HttpRequest, client_id: int, plan_id: int
) -> tuple[User, bool, TreatmentPlan]:
    """The actor, whether this is a POST, and the plan to write to (404 outside the policy;
    its read audited by the selector, written only if the page is shown)."""
    actor = actor_of(request)
    posted = request.method == "POST"
    plan = plan_for(
        actor=actor,
        client_id=client_id,
        plan_id=plan_id,
        capability=Capability.CHART_WRITE,
    )
    return actor, posted, plan
