"""The accounting of disclosures (SEC-29), authorizations and releasing a PN (SEC-17).

A disclosure that includes information from a 42 CFR Part 2 program is recorded on the same
page, through the Part 2 rule (``disclosures.part2``, SEC-21); its entry shows the 42 CFR 2.32
notice and the consent's scope that went with it.

Accounting entries are never edited or deleted: the entry's address answers GET and HEAD only
(405 otherwise); a correction is a new entry made on its own page. Every read is audited by
the selector that loads it (once, and only if the response shows it).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from alliance.audit.actions import AuditAction
from alliance.clients.selectors import client_record_for
from alliance.disclosures.accounting import disclosure_correct, disclosure_record
from alliance.disclosures.authorizations import (
    DisclosureRefused,
    authorization_record,
    authorization_revoke,
    psychotherapy_note_disclose,
    valid_psychotherapy_authorizations,
)
from alliance.disclosures.models import Authorization
from alliance.disclosures.part2 import NOTICE_SOURCE, part2_disclosure_record
from alliance.disclosures.part2_selectors import (
    part2_disclosure_choices,
    part2_of_disclosure,
    part2_programs_for,
)
from alliance.disclosures.selectors import (
    Accounting,
    accounting_client,
    accounting_for,
    authorization_for,
    authorizations_for,
    client_by_mrn,
    default_period,
    disclosure_for,
)
from alliance.notes.formats import displayed
from alliance.notes.selectors import NoteNotFound, own_note_for
from alliance.staff.capabilities import Capability
from alliance.web.audit.forms import FindClientForm
from alliance.web.disclosures.forms import (
    AuthorizationForm,
    CorrectionForm,
    DisclosureForm,
    PeriodForm,
    PsychotherapyDiscloseForm,
)
from alliance.web.disclosures.part2_forms import add_part2_fields, part2_request_of
from alliance.web.gate import requires
from alliance.web.pdf import PdfUnavailable, pdf_response, render_pdf
from alliance.web.util import actor_of, add_service_errors

# ------------------------------------------------------------------------ accounting


def _period(request: HttpRequest) -> tuple[PeriodForm, dict[str, Any]]:
    since, until = default_period()
    form = PeriodForm(request.GET or None, initial={"since": since, "until": until})
    chosen_since, chosen_until = form.period() if form.is_bound else (None, None)
    return form, {"since": chosen_since, "until": chosen_until}


@requires(Capability.CHART_READ)
def client_accounting(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's accounting as the clinician may see it (filterable by date)."""
    actor = actor_of(request)
    client = accounting_client(actor=actor, client_id=client_id)
    form, period = _period(request)
    accounting = accounting_for(actor=actor, client=client, **period)
    return render(
        request,
        "disclosures/accounting.html",
        {
            "client": client,
            "accounting": accounting,
            "period_form": form,
            "privacy": False,
            # Links to the Part 2 pages, only for staff who may see the client's Part 2 records.
            "part2": bool(part2_programs_for(actor=actor, client=client)),
        },
    )


@requires(Capability.CHART_WRITE)
def record(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record a disclosure made outside the system (e.g. a release sent by fax). Staff who may
    see the client's Part 2 records also say whether it included any (and under which consent
    or order); nobody else sees that part of the form."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    choices = part2_disclosure_choices(actor=actor, client=client)
    form = DisclosureForm(request.POST or None)
    if choices is not None:
        add_part2_fields(
            form, programs=choices.programs, consents=choices.consents, orders=choices.orders
        )
    if request.method == "POST" and form.is_valid():
        entry = {name: form.cleaned_data[name] for name in DisclosureForm.base_fields}
        part2 = part2_request_of(form) if choices is not None else None
        try:
            if part2 is not None:
                part2_disclosure_record(actor=actor, client_id=client.pk, request=part2, **entry)
            else:
                disclosure_record(actor=actor, client=client, **entry)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:disclosure_client", client_id=client.pk)
    return render(
        request,
        "disclosures/record.html",
        {"client": client, "form": form, "part2": choices is not None},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_READ, Capability.AUDIT_REVIEW)
@require_safe
def entry(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    """One accounting entry and its corrections. Read-only: PUT, PATCH, DELETE, POST → 405."""
    row = disclosure_for(actor=actor_of(request), disclosure_id=disclosure_id)
    return render(
        request,
        "disclosures/entry.html",
        {
            "row": row,
            "client": row.client,
            "corrections": list(row.corrections.all()),
            "part2": part2_of_disclosure(row=row),
            "notice_source": NOTICE_SOURCE,
        },
    )


@requires(Capability.CHART_WRITE, Capability.AUDIT_REVIEW)
def correct(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    """Append a corrected entry; the entry corrected stays, marked (SEC-29)."""
    actor = actor_of(request)
    row = disclosure_for(actor=actor, disclosure_id=disclosure_id, correcting=True)
    initial = {
        "disclosed_at": row.disclosed_at,
        "recipient": row.recipient,
        "description": row.description,
        "purpose": row.purpose,
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = disclosure_correct(actor=actor, disclosure=row, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:disclosure_entry", disclosure_id=new.pk)
    return render(
        request,
        "disclosures/correct.html",
        {"row": row, "client": row.client, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# ------------------------------------------------------------- privacy officer's report


@requires(Capability.AUDIT_REVIEW)
def report_find(request: HttpRequest) -> HttpResponse:
    """Choose the client by MRN (posted: an MRN never goes into a URL)."""
    form = FindClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = client_by_mrn(actor=actor_of(request), mrn=form.cleaned_data["mrn"])
        if client is not None:
            return redirect("web:disclosure_report_client", client_id=client.pk)
        form.add_error("mrn", "No client has that MRN.")
    return render(
        request,
        "disclosures/report_find.html",
        {"find_form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _privacy_accounting(
    request: HttpRequest, client_id: int, action: AuditAction = AuditAction.RECORD_VIEW
) -> tuple[PeriodForm, Accounting]:
    actor = actor_of(request)
    client = accounting_client(actor=actor, client_id=client_id)
    form, period = _period(request)
    return form, accounting_for(actor=actor, client=client, action=action, **period)


@requires(Capability.AUDIT_REVIEW)
def report_client(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's accounting of disclosures, the last six years by default (SEC-29)."""
    form, accounting = _privacy_accounting(request, client_id)
    query = request.GET.urlencode()
    return render(
        request,
        "disclosures/accounting.html",
        {
            "client": accounting.client,
            "accounting": accounting,
            "period_form": form,
            "privacy": True,
            "pdf_url": reverse("web:disclosure_report_pdf", args=[client_id])
            + (f"?{query}" if query else ""),
        },
    )


@requires(Capability.AUDIT_REVIEW)
def report_pdf(request: HttpRequest, client_id: int) -> HttpResponse:
    """The same report as a PDF to print or send to the client (audited as an export)."""
    _form, accounting = _privacy_accounting(request, client_id, AuditAction.EXPORT)
    try:
        pdf = render_pdf("disclosures/accounting_pdf.html", {"accounting": accounting})
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain")
    return pdf_response(pdf, filename=f"accounting-of-disclosures-{accounting.client.pk}.pdf")


# ------------------------------------------------------------------- authorizations


def _authorizations_page(
    request: HttpRequest, client: Any, form: AuthorizationForm, status: int = 200
) -> HttpResponse:
    rows = authorizations_for(actor=actor_of(request), client=client)
    return render(
        request,
        "disclosures/authorizations.html",
        {"client": client, "authorizations": rows, "form": form},
        status=status,
    )


@requires(Capability.CHART_WRITE)
def authorizations(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's authorizations; record a new one (PN-only or general, never both)."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    form = AuthorizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authorization_record(actor=actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:authorizations", client_id=client.pk)
    status = 400 if form.is_bound and form.errors else 200
    return _authorizations_page(request, client, form, status)


@requires(Capability.CHART_WRITE)
@require_POST
def revoke(request: HttpRequest, client_id: int, authorization_id: int) -> HttpResponse:
    """The client revoked an authorization (from now on; earlier disclosures stand)."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    authorization = authorization_for(client=client, authorization_id=authorization_id)
    with suppress(ValidationError):  # revoked already: the page shows it
        authorization_revoke(actor=actor, authorization=authorization)
    return redirect("web:authorizations", client_id=client.pk)


# ------------------------------------------------------------ psychotherapy notes


@requires(Capability.CHART_WRITE)
def psychotherapy_disclose(request: HttpRequest, client_id: int, pn_id: int) -> HttpResponse:
    """The author releases their signed psychotherapy note (SEC-17): with the client's
    PN-only authorization, or an exception code and reason. Allowed, the answer is the PDF."""
    actor = actor_of(request)
    posted = request.method == "POST"
    note = own_note_for(actor=actor, client_id=client_id, note_id=pn_id)
    if not note.is_psychotherapy:
        raise NoteNotFound
    valid: list[Authorization] = valid_psychotherapy_authorizations(client=note.client)
    form = PsychotherapyDiscloseForm(request.POST or None, authorizations=valid)
    if posted and form.is_valid():
        try:
            release = psychotherapy_note_disclose(
                actor=actor,
                note=note,
                recipient=form.cleaned_data["recipient"],
                authorization=form.chosen(),
                exception=form.cleaned_data["exception"] or None,
                reason_text=form.cleaned_data["reason_text"],
            )
        except DisclosureRefused as refused:
            add_service_errors(form, refused)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context = {
                "note": note,
                "client": note.client,
                "sections": displayed(note.template, note.content),
                "disclosure": release.disclosure,
                "part2": release.part2,
                "notice_source": NOTICE_SOURCE,
            }
            try:
                pdf = render_pdf("disclosures/psychotherapy_pdf.html", context)
            except PdfUnavailable as error:
                return HttpResponse(str(error), status=503, content_type="text/plain")
            return pdf_response(pdf, filename=f"psychotherapy-note-{note.pk}.pdf")
    return render(
        request,
        "disclosures/psychotherapy_disclose.html",
        {"note": note, "client": note.client, "form": form, "authorizations": valid},
        status=400 if form.is_bound and form.errors else 200,
    )
