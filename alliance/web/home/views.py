"""The home page: each person's starting point for the day."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.assessments.selectors import alerts_for_home, due_measures_by_client
from alliance.clients.selectors import caseload_for
from alliance.notes.worklists import unsigned_notes_for
from alliance.plans.selectors import plan_reviews_due_for
from alliance.safety.review import plan_reviews_due
from alliance.safety.selectors import flags_by_client
from alliance.staff.capabilities import Capability
from alliance.web.assessments.forms import AcknowledgeForm
from alliance.web.crisis.sections import home_follow_ups
from alliance.web.gate import staff
from alliance.web.util import actor_of


@staff
def home(request: HttpRequest) -> HttpResponse:
    """Clinicians see their caseload; others go to the page their work starts from."""
    actor = actor_of(request)
    if actor.has_capability(Capability.CHART_READ):
        rows = caseload_for(actor=actor)
        alerts = [
            (item, AcknowledgeForm(prefix=f"a{item.alert.pk}"))
            for item in alerts_for_home(actor=actor)
        ]
        due = due_measures_by_client(client_ids=[row.client.pk for row in rows])
        today = timezone.localdate()
        table = [(row, due.get(row.client.pk, [])) for row in rows]
        return render(
            request,
            "home/caseload.html",
            {
                "rows": table,
                "alerts": alerts,
                "today": today,
                "unsigned_notes": unsigned_notes_for(actor=actor),
                "follow_ups": home_follow_ups(actor=actor),
                "plan_reviews": plan_reviews_due_for(actor=actor),
                "risk_flags": flags_by_client(actor=actor, client_ids=[r.client.pk for r in rows]),
                "safety_plan_reviews": plan_reviews_due(
                    client_ids=[a.alert.client_id for a, _f in alerts]
                ),
            },
        )
    if actor.has_capability(Capability.CLIENT_SEARCH):
        return redirect("web:client_search")
    if actor.has_capability(Capability.AUDIT_REVIEW):
        return redirect("web:break_glass_queue")
    if actor.has_capability(Capability.STAFF_ADMIN):
        return redirect("web:scope_of_practice")
    return render(request, "home/nothing.html")
