"""Treatment plans: the plan with live progress, draft editing, activation, revision, closing,
version history and the printable PDF.

Every page reaches its plan through the client (``plans.selectors.plan_for``: a 404 outside
the access policy). Draft forms carry the plan version they were loaded at; a save from a stale
version gets the conflict page, with what is saved now beside what was typed (REL-04).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.clients.selectors import client_record_for
from alliance.plans.models import TreatmentPlan
from alliance.plans.selectors import (
    plan_for,
    plan_page,
    plan_printed,
    plans_for_client,
)
from alliance.plans.services import (
    plan_activate,
    plan_close,
    plan_create,
    plan_revise,
)
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.capabilities import Capability
from alliance.staff.stepup import StepUpFailed
from alliance.web.gate import requires
from alliance.web.pdf import PdfUnavailable, pdf_response, render_pdf
from alliance.web.plans.forms import (
    ActivateForm,
    CloseForm,
    PlanCreateForm,
    StrengthsForm,
    VersionForm,
)
from alliance.web.plans.pages import form_status, plan_for_change, plan_url
from alliance.web.signing import WRONG_PASSWORD, attempt_with_password, step_up_refused
from alliance.web.util import actor_of, add_service_errors, typed_at_version


@requires(Capability.CHART_READ)
def plan_list(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every plan of the client and its versions (old versions stay readable)."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_READ)
    found = plans_for_client(actor=actor, client=client)
    return render(
        request,
        "plans/list.html",
        {"client": client, "plans": found.plans, "open_episodes": found.open_episodes},
    )


@requires(Capability.CHART_WRITE)
def plan_new(request: HttpRequest, client_id: int) -> HttpResponse:
    """Start a draft plan for one of the client's open episodes of care."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    episodes = plans_for_client(actor=actor, client=client).open_episodes
    form = PlanCreateForm(episodes, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(
                actor=actor, client=client, episode_id=int(form.cleaned_data["episode"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(plan_url(plan))
    return render(
        request,
        "plans/new.html",
        {"client": client, "form": form, "episodes": episodes},
        status=form_status(form),
    )


def _page_context(plan: TreatmentPlan) -> dict[str, Any]:
    page = plan_page(plan=plan)
    return {"plan": plan, "client": plan.client, "page": page, "tree": page.tree}


@requires(Capability.CHART_READ)
def plan_view(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """The whole plan with each objective's live progress (read audited)."""
    plan = plan_for(actor=actor_of(request), client_id=client_id, plan_id=treatment_plan_id)
    context = _page_context(plan)
    if plan.is_draft:
        context["strengths_form"] = StrengthsForm(
            initial={"strengths": plan.strengths, "version": plan.version}
        )
        context["version_form"] = VersionForm(initial={"version": plan.version})
    return render(request, "plans/view.html", context)


@requires(Capability.NOTE_SIGN)
def activate(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """Record the client's agreement and activate the draft (password again, SEC-08)."""
    actor, posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    if not plan.is_draft:
        return redirect(plan_url(plan))
    form = ActivateForm(request.POST or None, initial={"version": plan.version})
    changed = False
    if posted and form.is_valid():
        try:
            active = plan_activate(
                actor=actor,
                plan=plan,
                version=form.cleaned_data["version"],
                agreement=form.agreement(),
                password=form.cleaned_data["password"],
            )
        except StepUpFailed as failed:
            step_up_refused(request, failed)
            form.add_error("password", WRONG_PASSWORD)
        except StaleDraft as stale:
            plan, changed = stale.current, True
            plan.client = stale.current.client
            form = ActivateForm(typed_at_version(request, plan.version))
            form.is_valid()
            form.add_error(None, "The draft was changed since you opened this page: read it again.")
        except DocumentLocked:
            return redirect(plan_url(plan))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(plan_url(active))
    context = {**_page_context(plan), "form": form, "changed": changed}
    return render(
        request, "plans/activate.html", context, status=409 if changed else form_status(form)
    )


@requires(Capability.CHART_WRITE)
def revise(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """Start a new draft version from the active plan (the active one stays until then)."""
    actor, posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    error_message = ""
    if posted:
        try:
            draft = plan_revise(actor=actor, plan=plan)
        except ValidationError as error:
            error_message = " ".join(error.messages)
        else:
            return redirect(plan_url(draft))
    return render(
        request,
        "plans/revise.html",
        {"plan": plan, "client": plan.client, "error": error_message},
        status=400 if error_message else 200,
    )


@requires(Capability.CHART_WRITE)
def close(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """Close the active plan, or withdraw a draft, with a reason."""
    actor, _posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    form = CloseForm(request.POST or None)
    if attempt_with_password(
        request,
        form,
        lambda data: plan_close(
            actor=actor,
            plan=plan,
            reason=data["reason"],
            note=data["note"],
            password=data["password"],
        ),
    ):
        return redirect(plan_url(plan))
    return render(
        request,
        "plans/close.html",
        {"plan": plan, "client": plan.client, "form": form},
        status=form_status(form),
    )


@requires(Capability.CHART_READ)
def print_pdf(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """The plan as a PDF to hand to the client; the print is audited as an export (SEC-23)."""
    actor = actor_of(request)
    plan = plan_for(actor=actor, client_id=client_id, plan_id=treatment_plan_id)
    context = _page_context(plan)
    try:
        pdf = render_pdf("plans/print.html", context, request=request, stylesheet="plans/print.css")
    except PdfUnavailable as error:
        return render(
            request, "plans/print_unavailable.html", {**context, "error": error}, status=503
        )
    plan_printed(actor=actor, plan=plan)
    return pdf_response(pdf, filename=f"treatment-plan-{plan.pk}-v{plan.number}.pdf")
