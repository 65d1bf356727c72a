"""Measures: give a questionnaire in session, send it for self-completion, acknowledge alerts.

The self-completion page is public (no login): it is reached only through a single-use token,
shows the clinic's name and the questionnaire and nothing else about the client.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance import instruments
from alliance.assessments.schedules import schedule_create, schedule_end
from alliance.assessments.selectors import alert_for, not_improving_for, schedules_for
from alliance.assessments.services import (
    AnswersInvalid,
    LinkUnusable,
    administration_record,
    alert_acknowledge,
    link_create,
    link_open,
    link_submit,
)
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.reads import read_record
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.clients.selectors import client_record_for
from alliance.organisation.models import Organisation
from alliance.safety.selectors import flags_by_client
from alliance.staff.capabilities import Capability
from alliance.web.assessments.forms import (
    AcknowledgeForm,
    QuestionnaireForm,
    ScheduleForm,
    SendLinkForm,
    field_name,
)
from alliance.web.gate import public, requires
from alliance.web.safety.crisis import crisis_links
from alliance.web.util import actor_of, add_service_errors


def _instrument_or_404(code: str) -> instruments.Instrument:
    try:
        return instruments.get(code)
    except instruments.UnknownInstrument:
        raise Http404 from None


def _show_error(form: QuestionnaireForm, invalid: AnswersInvalid) -> None:
    name = field_name(invalid.error.item) if invalid.error.item else None
    form.add_error(name if name in form.fields else None, invalid.error.message)


def _choose_page(
    request: HttpRequest,
    client: Client,
    send_form: SendLinkForm | None = None,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessments/choose.html",
        {
            "client": client,
            "catalogue": instruments.catalogue(),
            "send_form": send_form or SendLinkForm(),
            "schedule_form": schedule_form or ScheduleForm(prefix="schedule"),
            "schedules": schedules_for(client=client),
        },
        status=status,
    )


@requires(Capability.CHART_WRITE)
def choose(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    return _choose_page(request, client)


@requires(Capability.CHART_WRITE)
@require_POST
def schedule_add(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    form = ScheduleForm(request.POST, prefix="schedule")
    if form.is_valid():
        try:
            schedule_create(
                actor=actor,
                client=client,
                instrument=form.cleaned_data["instrument"],
                every_days=form.cleaned_data["every_days"],
                first_due_on=form.cleaned_data["first_due_on"],
                send_by_email=form.cleaned_data["send_by_email"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:measure_choose", client_id=client.pk)
    return _choose_page(request, client, schedule_form=form, status=400)


@requires(Capability.CHART_WRITE)
@require_POST
def schedule_stop(request: HttpRequest, client_id: int, schedule_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    schedule = next((s for s in schedules_for(client=client) if s.pk == schedule_id), None)
    if schedule is None:
        raise Http404
    schedule_end(actor=actor, schedule=schedule)
    return redirect("web:measure_choose", client_id=client.pk)


@requires(Capability.CHART_READ)
def not_improving(request: HttpRequest) -> HttpResponse:
    """Clients not improving on their measures, most at risk first."""
    weeks = settings.NOT_IMPROVING_WEEKS
    actor = actor_of(request)
    rows = not_improving_for(actor=actor, weeks=weeks)
    flags = flags_by_client(actor=actor, client_ids=[r.client.pk for r in rows])
    return render(
        request,
        "assessments/not_improving.html",
        {"rows": rows, "weeks": weeks, "risk_flags": flags},
    )


@requires(Capability.CHART_WRITE)
def give(request: HttpRequest, client_id: int, code: str) -> HttpResponse:
    """The clinician enters the client's answers in session."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    instrument = _instrument_or_404(code)
    form = QuestionnaireForm(instrument, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            administration_record(
                actor=actor, client=client, instrument=code, answers=form.answers()
            )
        except AnswersInvalid as invalid:
            _show_error(form, invalid)
        else:
            return redirect(reverse("web:client_chart", args=[client.pk]) + "#measures-h")
    return render(
        request,
        "assessments/give.html",
        {"client": client, "instrument": instrument, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_WRITE)
@require_POST
def send(request: HttpRequest, client_id: int) -> HttpResponse:
    """Create a single-use link; in kiosk mode hand this device to the client."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    form = SendLinkForm(request.POST)
    if not form.is_valid():
        return _choose_page(request, client, send_form=form, status=400)
    kiosk = form.cleaned_data["kiosk"]
    link, token = link_create(
        actor=actor, client=client, instrument=form.cleaned_data["instrument"], kiosk=kiosk
    )
    path = reverse("web:questionnaire", args=[token])
    if kiosk:
        with transaction.atomic():
            audit_record(actor=actor, action=AuditAction.LOGOUT, purpose=AuditPurpose.SYSTEM)
        logout(request)
        return redirect(path)
    return render(
        request,
        "assessments/link.html",
        {"client": client, "link": link, "url": request.build_absolute_uri(path)},
    )


def _crisis_resources() -> dict[str, str]:
    clinic_phone = settings.CLINIC_CRISIS_PHONE or (
        Organisation.objects.exclude(after_hours_phone="")
        .values_list("after_hours_phone", flat=True)
        .first()
        or ""
    )
    return {
        "crisis_line": settings.CRISIS_LINE,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "clinic_phone": clinic_phone,
    }


def _unusable(request: HttpRequest) -> HttpResponse:
    """A link that cannot be used: say so, with the crisis numbers a phone can dial, as every
    refusal page a client sees does (issue 14 class 3)."""
    context = {"contacts": crisis_links()}
    return render(request, "assessments/public/unusable.html", context, status=404)


@public
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The client's own questionnaire, from a link or on a kiosk tablet."""
    try:
        link = link_open(token=token)
    except LinkUnusable:
        return _unusable(request)
    instrument = _instrument_or_404(link.instrument)
    form = QuestionnaireForm(instrument, request.POST or None)
    context = {"instrument": instrument, "form": form, "kiosk": link.kiosk}
    if request.method == "POST" and form.is_valid():
        try:
            recorded = link_submit(token=token, answers=form.answers())
        except LinkUnusable:
            return _unusable(request)
        except AnswersInvalid as invalid:
            _show_error(form, invalid)
            if invalid.alert is not None:
                context["crisis"] = _crisis_resources()
        else:
            done = {"kiosk": link.kiosk}
            if recorded.alert is not None:
                done["crisis"] = _crisis_resources()  # type: ignore[assignment]
            return render(request, "assessments/public/done.html", done)
    return render(
        request,
        "assessments/public/form.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_WRITE)
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor = actor_of(request)
    alert = alert_for(actor=actor, alert_id=alert_id)
    if alert is None:
        raise Http404
    # The refused form shows the alert and the client's name: a read (kept by audit.reads,
    # written only if this page is shown, not when the acknowledgement saves and redirects).
    read_record(actor=actor, client=alert.client, target=alert, detail={"view": "alert"})
    form = AcknowledgeForm(request.POST, prefix=f"a{alert.pk}")
    if form.is_valid():
        try:
            alert_acknowledge(
                actor=actor,
                alert=alert,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.POST.get("then") == "risk_assessment":
                return redirect(
                    reverse("web:risk_create", args=[alert.client_id]) + f"?alert={alert.pk}"
                )
            if request.POST.get("return_to") == "chart":
                return redirect("web:client_chart", client_id=alert.client_id)
            return redirect("web:home")
    return render(
        request,
        "assessments/acknowledge.html",
        {"alert": alert, "form": form},
        status=400,
    )
