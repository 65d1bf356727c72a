"""The home page: each person's starting point for the day."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.clients.selectors import caseload_for
from alliance.staff.capabilities import Capability
from alliance.web.access import staff
from alliance.web.views.util import actor_of


@staff
def home(request: HttpRequest) -> HttpResponse:
    """Clinicians see their caseload; others go to the page their work starts from."""
    actor = actor_of(request)
    if actor.has_capability(Capability.CHART_READ):
        rows = caseload_for(actor=actor)
        return render(request, "web/home/caseload.html", {"rows": rows})
    if actor.has_capability(Capability.CLIENT_SEARCH):
        return redirect("web:client_search")
    if actor.has_capability(Capability.AUDIT_REVIEW):
        return redirect("web:break_glass_queue")
    if actor.has_capability(Capability.STAFF_ADMIN):
        return redirect("web:scope_of_practice")
    return render(request, "web/home/nothing.html")
