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
from django.urls import reverse

from alliance.clients.selectors import client_record_for
from alliance.notes.models import Note
from alliance.plans.addressed import addressed_in
from alliance.plans.models import TreatmentPlan
from alliance.plans.selectors import (
    active_objectives_for,
    addressed_with_progress,
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
from alliance.staff.models import User
from alliance.staff.stepup import StepUpFailed
from alliance.web.access import requires
from alliance.web.forms.plans import (
    ActivateForm,
    AddressedForm,
    CloseForm,
    PlanCreateForm,
    StrengthsForm,
    VersionForm,
)
from alliance.web.pdf import PdfUnavailable, pdf_response, render_pdf
from alliance.web.views.signing import WRONG_PASSWORD
from alliance.web.views.util import actor_of, add_service_errors


def plan_url(plan: TreatmentPlan, anchor: str = "") -> str:
    url = reverse("web:plan_view", args=[plan.client_id, plan.pk])
    return f"{url}#{anchor}" if anchor else url


def form_status(form: Any, conflict: object = None) -> int:
    if conflict is not None:
        return 409
    return 400 if form.is_bound and form.errors else 200


def with_version(request: HttpRequest, version: int) -> Any:
    """What was typed, at the version now saved: saving again is a deliberate choice."""
    data = request.POST.copy()
    data["version"] = str(version)
    return data


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


@requires(Capability.CHART_READ)
def plan_list(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every plan of the client and its versions (old versions stay readable)."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_READ)
    found = plans_for_client(actor=actor, client=client)
    return render(
        request,
        "web/plans/list.html",
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
        "web/plans/new.html",
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
    return render(request, "web/plans/view.html", context)


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
        except StepUpFailed:
            form.add_error("password", WRONG_PASSWORD)
        except StaleDraft as stale:
            plan, changed = stale.current, True
            plan.client = stale.current.client
            form = ActivateForm(with_version(request, plan.version))
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
        request, "web/plans/activate.html", context, status=409 if changed else form_status(form)
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
        "web/plans/revise.html",
        {"plan": plan, "client": plan.client, "error": error_message},
        status=400 if error_message else 200,
    )


@requires(Capability.CHART_WRITE)
def close(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """Close the active plan, or withdraw a draft, with a reason."""
    actor, posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    form = CloseForm(request.POST or None)
    if posted and form.is_valid():
        try:
            plan_close(
                actor=actor,
                plan=plan,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                password=form.cleaned_data["password"],
            )
        except StepUpFailed:
            form.add_error("password", WRONG_PASSWORD)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(plan_url(plan))
    return render(
        request,
        "web/plans/close.html",
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
        pdf = render_pdf(
            "web/plans/print.html", context, request=request, stylesheet="web/plans/print.css"
        )
    except PdfUnavailable as error:
        return render(
            request, "web/plans/print_unavailable.html", {**context, "error": error}, status=503
        )
    plan_printed(actor=actor, plan=plan)
    return pdf_response(pdf, filename=f"treatment-plan-{plan.pk}-v{plan.number}.pdf")


# ------------------------------------------------- progress notes (used by web.views.notes)


def note_objectives_form(note: Note, data: Any = None) -> AddressedForm | None:
    """The draft's "objectives addressed" fields; None for psychotherapy notes (SEC-18)."""
    if note.is_psychotherapy:
        return None
    objectives = active_objectives_for(client=note.client)
    initial = AddressedForm.initial_from(addressed_in(note.content))
    return AddressedForm(objectives, data, initial=initial)


def note_objectives_context(note: Note) -> dict[str, Any]:
    """What the note page shows of the plan: the objectives addressed, with live progress."""
    if note.is_psychotherapy:
        return {}
    return {"addressed": addressed_with_progress(client=note.client, content=note.content)}
