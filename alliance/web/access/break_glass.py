"""Break the glass: emergency access to a chart outside one's care teams (SEC-22)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.access.services import BreakGlassRefused, break_glass_start
from alliance.staff.capabilities import Capability
from alliance.staff.stepup import StepUpFailed
from alliance.web.access.forms import BreakGlassForm
from alliance.web.gate import requires
from alliance.web.signing import WRONG_PASSWORD, step_up_refused
from alliance.web.util import actor_of


@requires(Capability.BREAK_GLASS)
def break_glass(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_start(
                actor=actor_of(request),
                mrn=form.cleaned_data["mrn"],
                reason_code=form.cleaned_data["reason_code"],
                reason_text=form.cleaned_data["reason_text"],
                password=form.cleaned_data["password"],
            )
        except BreakGlassRefused as refused:
            form.add_error(refused.field, refused.message)
        except StepUpFailed as failed:
            step_up_refused(request, failed)  # locked: the session ends here
            form.add_error("password", WRONG_PASSWORD)
        else:
            return redirect("web:client_chart", client_id=grant.client_id)
    return render(request, "access/break_glass.html", {"form": form})
