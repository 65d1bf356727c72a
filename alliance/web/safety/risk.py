"""Risk assessments and risk flags: write and sign an assessment (which sets the flags), add
addenda, withdraw; review, clear or raise a flag with a documented reason.

Every page reaches its record through the client (``safety.selectors``: a 404 outside the
access policy, and a draft only for its author).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.clients.selectors import client_record_for
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.safety.flags import risk_flag_add, risk_flag_review
from alliance.safety.models import RiskAssessment
from alliance.safety.risk import (
    SECTIONS,
    risk_addendum_add,
    risk_assessment_create,
    risk_assessment_mark_entered_in_error,
    risk_assessment_save,
    risk_assessment_sign,
)
from alliance.safety.screeners import screeners_snapshot
from alliance.safety.selectors import (
    alert_of_client,
    assessment_detail,
    assessment_for,
    flag_for_review,
    flags_page_for,
)
from alliance.staff.capabilities import Capability
from alliance.web.documents import AddendumForm
from alliance.web.gate import requires
from alliance.web.safety.forms import (
    EnteredInErrorForm,
    FlagAddForm,
    FlagReviewForm,
    RiskAssessmentForm,
)
from alliance.web.signing import attempt_sign, attempt_with_password
from alliance.web.util import actor_of, add_service_errors, typed_at_version


def _view_url(assessment: RiskAssessment) -> str:
    return reverse("web:risk_view", args=[assessment.client_id, assessment.pk])


def _sections(assessment: RiskAssessment) -> list[tuple[str, str]]:
    return [(label, assessment.content.get(key, "")) for key, label, _h in SECTIONS]


def _for_write(
    request: HttpRequest, client_id: int, assessment_id: int, own: bool = False
) -> RiskAssessment:
    """The assessment a page may write to (its read audited by the selector: written when the
    page shows it, not when a POST succeeds and redirects)."""
    return assessment_for(
        actor=actor_of(request),
        client_id=client_id,
        assessment_id=assessment_id,
        capability=Capability.CHART_WRITE,
        own=own,
    )


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


@requires(Capability.CHART_WRITE)
def create(request: HttpRequest, client_id: int) -> HttpResponse:
    """A new assessment, with the screeners shown; from an alert, linked to it."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    source = request.POST if request.method == "POST" else request.GET
    alert = alert_of_client(client=client, alert_id=source.get("alert"))
    form = RiskAssessmentForm(request.POST or None, initial={"version": 0})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = risk_assessment_create(
                actor=actor,
                client=client,
                values=form.content(),
                formulation=form.formulation(),
                alert=alert,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "sign" in request.POST:
                return redirect("web:risk_sign", client_id=client.pk, risk_draft_id=assessment.pk)
            return redirect("web:risk_edit", client_id=client.pk, risk_draft_id=assessment.pk)
    context = {
        "client": client,
        "assessment": None,
        "conflict": None,
        "saved": False,
        "form": form,
        "alert": alert,
        "screeners": screeners_snapshot(client_id=client.pk),
    }
    return render(request, "safety/risk_form.html", context, status=_status(form))


@requires(Capability.CHART_WRITE)
def edit(request: HttpRequest, client_id: int, risk_draft_id: int) -> HttpResponse:
    """The author's draft; a save from a stale version shows what is saved now (REL-04)."""
    actor = actor_of(request)
    posted = request.method == "POST"
    assessment = _for_write(request, client_id, risk_draft_id, own=True)
    if not assessment.is_draft or assessment.in_error:
        return redirect(_view_url(assessment))
    initial = {
        **assessment.content,
        "suicide_risk": assessment.suicide_risk,
        "violence_risk": assessment.violence_risk,
        "review_on": assessment.review_on,
        "version": assessment.version,
    }
    form = RiskAssessmentForm(request.POST or None, initial=initial)
    conflict = None
    if posted and form.is_valid():
        try:
            saved = risk_assessment_save(
                actor=actor,
                assessment=assessment,
                values=form.content(),
                formulation=form.formulation(),
                version=form.cleaned_data["version"] or 0,
            )
        except StaleDraft as stale:
            conflict = assessment = stale.current
            data = typed_at_version(request, stale.current.version)
            form = RiskAssessmentForm(data)
            form.is_valid()
        except DocumentLocked:
            return redirect(_view_url(assessment))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "sign" in request.POST:
                return redirect("web:risk_sign", client_id=saved.client_id, risk_draft_id=saved.pk)
            return redirect(reverse("web:risk_edit", args=[saved.client_id, saved.pk]) + "?saved=1")
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "form": form,
        "alert": assessment.alert,
        "conflict": conflict,
        "conflict_sections": _sections(conflict) if conflict else [],
        "saved": request.GET.get("saved") == "1",
        "screeners": screeners_snapshot(client_id=assessment.client_id),
    }
    status = 409 if conflict else _status(form)
    return render(request, "safety/risk_form.html", context, status=status)


@requires(Capability.RISK_ASSESS)
def sign(request: HttpRequest, client_id: int, risk_draft_id: int) -> HttpResponse:
    """Sign as shown, password again (SEC-08): locks it and sets the risk flags."""
    actor = actor_of(request)
    assessment = _for_write(request, client_id, risk_draft_id, own=True)
    if not assessment.is_draft or assessment.in_error:
        return redirect(_view_url(assessment))
    attempt = attempt_sign(
        request,
        assessment,
        lambda **values: risk_assessment_sign(actor=actor, assessment=assessment, **values),
    )
    if attempt.done:
        return redirect(_view_url(attempt.done))
    if attempt.invalid:
        add_service_errors(attempt.form, attempt.invalid)
    assessment = attempt.document
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "sections": _sections(assessment),
        "detail": assessment_detail(assessment=assessment),
        "form": attempt.form,
        "changed": attempt.changed,
    }
    return render(request, "safety/risk_sign.html", context, status=attempt.status)


@requires(Capability.CHART_READ)
def view(request: HttpRequest, client_id: int, assessment_id: int) -> HttpResponse:
    """A risk assessment with its signature check, screeners and addenda (read audited)."""
    actor = actor_of(request)
    assessment = assessment_for(actor=actor, client_id=client_id, assessment_id=assessment_id)
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "sections": _sections(assessment),
        "detail": assessment_detail(assessment=assessment),
        "mine": assessment.author_id == actor.pk,
    }
    return render(request, "safety/risk_view.html", context)


@requires(Capability.CHART_WRITE)
def addendum(request: HttpRequest, client_id: int, assessment_id: int) -> HttpResponse:
    """Add a signed addendum to a signed assessment (step-up, SEC-08)."""
    actor = actor_of(request)
    assessment = _for_write(request, client_id, assessment_id)
    if not assessment.is_signed or assessment.in_error:
        return redirect(_view_url(assessment))
    form = AddendumForm(request.POST or None)
    if attempt_with_password(
        request,
        form,
        lambda data: risk_addendum_add(
            actor=actor,
            assessment=assessment,
            text=data["text"],
            password=data["password"],
        ),
    ):
        return redirect(_view_url(assessment) + "#addenda-h")
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "form": form,
        "title": "Add an addendum",
        "button": "Sign the addendum",
    }
    return render(request, "safety/risk_action.html", context, status=_status(form))


@requires(Capability.CHART_WRITE)
def entered_in_error(request: HttpRequest, client_id: int, assessment_id: int) -> HttpResponse:
    """The author marks an assessment entered in error, with a reason (never deleted)."""
    actor = actor_of(request)
    assessment = _for_write(request, client_id, assessment_id, own=True)
    if assessment.in_error:
        return redirect(_view_url(assessment))
    form = EnteredInErrorForm(request.POST or None)
    if attempt_with_password(
        request,
        form,
        lambda data: risk_assessment_mark_entered_in_error(
            actor=actor,
            assessment=assessment,
            reason=data["reason"],
            password=data["password"],
        ),
    ):
        return redirect(_view_url(assessment))
    context = {
        "client": assessment.client,
        "assessment": assessment,
        "form": form,
        "title": "Mark entered in error",
        "button": "Mark entered in error",
    }
    return render(request, "safety/risk_action.html", context, status=_status(form))


# ------------------------------------------------------------------------------------ flags


def _flags_page(request: HttpRequest, client_id: int, form: FlagAddForm) -> HttpResponse:
    page = flags_page_for(actor=actor_of(request), client_id=client_id)
    return render(
        request,
        "safety/flags.html",
        {"client": page.client, "page": page, "form": form},
        status=_status(form),
    )


@requires(Capability.CHART_READ)
def flags(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's flags, active and cleared, with their whole history."""
    return _flags_page(request, client_id, FlagAddForm())


@requires(Capability.RISK_ASSESS)
@require_POST
def flag_add(request: HttpRequest, client_id: int) -> HttpResponse:
    """Raise a flag outside an assessment, with the documented reason."""
    actor = actor_of(request)
    form = FlagAddForm(request.POST)
    if form.is_valid():
        client = client_record_for(
            actor=actor, client_id=client_id, capability=Capability.CHART_WRITE
        )
        try:
            risk_flag_add(actor=actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:risk_flags", client_id=client.pk)
    return _flags_page(request, client_id, form)


@requires(Capability.RISK_ASSESS)
def flag_review(request: HttpRequest, client_id: int, flag_id: int) -> HttpResponse:
    """Review one active flag: keep it (level, date) or clear it, with the reason."""
    actor = actor_of(request)
    flag = flag_for_review(actor=actor, client_id=client_id, flag_id=flag_id)
    initial = {"level": flag.level, "decision": "keep"}
    form = FlagReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            risk_flag_review(
                actor=actor,
                flag=flag,
                level=data["level"],
                review_on=data["review_on"],
                clear=data["decision"] == "clear",
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:risk_flags", client_id=flag.client_id)
    return render(
        request,
        "safety/flag_review.html",
        {"client": flag.client, "flag": flag, "form": form},
        status=_status(form),
    )
