"""Mandated reports and duty to warn (SEC-31): start, write the draft, sign, read, addenda.

Every page reaches its report through ``disclosures.selectors`` (``restricted_record_q``): the
author, the author's supervisors and the privacy officer; a 404 for everyone else. The selector
that loads the report audits the read (once, and only if the response shows it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from alliance.clients.selectors import client_record_for
from alliance.disclosures.models import NARRATIVE_FIELDS, MandatedReport
from alliance.disclosures.selectors import report_detail, report_for, report_list_for
from alliance.disclosures.services import (
    missing_for_signing,
    report_addendum_add,
    report_create,
    report_save,
    report_sign,
)
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.capabilities import Capability
from alliance.web.disclosures.forms import (
    ContactFormSet,
    ReportCreateForm,
    ReportForm,
    contact_initial,
)
from alliance.web.documents import AddendumForm
from alliance.web.gate import requires
from alliance.web.signing import attempt_sign, attempt_with_password
from alliance.web.util import actor_of, add_service_errors, typed_at_version


def _view_url(report: MandatedReport) -> str:
    return reverse("web:mandated_report_view", args=[report.pk])


def _edit_url(report: MandatedReport) -> str:
    return reverse("web:mandated_report_edit", args=[report.pk])


@requires(Capability.MANDATED_REPORT)
def create(request: HttpRequest, client_id: int) -> HttpResponse:
    """Start a mandated report or duty-to-warn record for a client in one's care."""
    actor = actor_of(request)
    client = client_record_for(
        actor=actor, client_id=client_id, capability=Capability.MANDATED_REPORT
    )
    form = ReportCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = report_create(actor=actor, client=client, kind=form.cleaned_data["kind"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_edit_url(report))
    return render(
        request,
        "disclosures/create.html",
        {"client": client, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.MANDATED_REPORT, Capability.AUDIT_REVIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports one may see: one's own, one's supervisees', or all (privacy officer)."""
    reports = report_list_for(actor=actor_of(request))
    return render(request, "disclosures/list.html", {"reports": reports})


@requires(Capability.MANDATED_REPORT, Capability.AUDIT_REVIEW)
def view(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report, its contacts, addenda and the accounting rows it wrote (read audited)."""
    actor = actor_of(request)
    report = report_for(actor=actor, report_id=report_id)
    return _view_page(request, report)


def _elements(report: MandatedReport) -> list[tuple[str, str]]:
    """Every element of the report, labelled, in the form's order."""
    informed = {True: "Yes", False: "No", None: ""}[report.client_informed]
    values = {
        **{name: getattr(report, name) for name in NARRATIVE_FIELDS},
        "legal_basis": report.get_legal_basis_display() if report.legal_basis else "",
        "client_informed": informed,
    }
    form = ReportForm()
    return [(str(form.fields[name].label), values[name]) for name in ReportForm.field_order[1:]]


def _view_page(request: HttpRequest, report: MandatedReport, **extra: Any) -> HttpResponse:
    actor = actor_of(request)
    context = {
        "report": report,
        "client": report.client,
        "detail": report_detail(report=report),
        "contacts": list(report.contacts.all()),
        "elements": _elements(report),
        "mine": report.author_id == actor.pk,
        "missing": missing_for_signing(report, list(report.contacts.all()))
        if report.is_draft
        else {},
        **extra,
    }
    return render(request, "disclosures/view.html", context, status=extra.get("status", 200))


def _edit_page(
    request: HttpRequest,
    report: MandatedReport,
    form: ReportForm,
    contacts: Any,
    status: int = 200,
    conflict: MandatedReport | None = None,
) -> HttpResponse:
    context = {
        "report": report,
        "client": report.client,
        "form": form,
        "contacts": contacts,
        "conflict": conflict,
        "elements": _elements(report),
        "differences": [
            (label, theirs, form.data.get(name, ""))
            for name, (label, theirs) in zip(
                ReportForm.field_order[1:], _elements(conflict), strict=True
            )
            if name in NARRATIVE_FIELDS
        ]
        if conflict
        else [],
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "disclosures/edit.html", context, status=status)


@requires(Capability.MANDATED_REPORT)
def edit(request: HttpRequest, draft_report_id: int) -> HttpResponse:
    """The author's draft. "Save and sign" checks every element first, next to its field."""
    actor = actor_of(request)
    report = report_for(actor=actor, report_id=draft_report_id, own=True)
    if not report.is_draft:
        return redirect(_view_url(report))
    if request.method != "POST":
        form = ReportForm(initial=ReportForm.initial_for(report))
        contacts = ContactFormSet(initial=contact_initial(report), prefix="contacts")
        return _edit_page(request, report, form, contacts)
    form = ReportForm(request.POST)
    contacts = ContactFormSet(request.POST, prefix="contacts")
    if not (form.is_valid() and contacts.is_valid()):
        return _edit_page(request, report, form, contacts, status=400)
    try:
        saved = report_save(
            actor=actor,
            report=report,
            values=form.values(),
            contacts=[c.values() for c in contacts.forms],
            version=form.cleaned_data["version"],
        )
    except StaleDraft as stale:
        data = typed_at_version(request, stale.current.version)
        form = ReportForm(data)
        form.is_valid()
        return _edit_page(
            request, stale.current, form, contacts, status=409, conflict=stale.current
        )
    except DocumentLocked:
        return redirect(_view_url(report))
    except ValidationError as error:
        add_service_errors(form, error)
        return _edit_page(request, report, form, contacts, status=400)
    if "sign" in request.POST:
        missing = missing_for_signing(saved, list(saved.contacts.all()))
        if missing:
            # Saved, but not signable yet: show what is missing next to each field (SEC-31).
            data = typed_at_version(request, saved.version)
            form = ReportForm(data)
            form.is_valid()
            add_service_errors(form, ValidationError(missing))
            return _edit_page(request, saved, form, contacts, status=400)
        return redirect("web:mandated_report_sign", draft_report_id=saved.pk)
    return redirect(_edit_url(saved) + "?saved=1")


@requires(Capability.MANDATED_REPORT)
def sign(request: HttpRequest, draft_report_id: int) -> HttpResponse:
    """Sign the report as shown, password again (SEC-08); then it is locked (SEC-31)."""
    actor = actor_of(request)
    report = report_for(actor=actor, report_id=draft_report_id, own=True)
    if not report.is_draft:
        return redirect(_view_url(report))
    attempt = attempt_sign(
        request,
        report,
        lambda **values: report_sign(actor=actor, report=report, **values),
    )
    if attempt.done:
        return redirect(_view_url(attempt.done))
    if attempt.invalid:
        attempt.form.add_error(None, "The report is not complete: see what is missing below.")
        return _view_page(
            request, report, sign_form=attempt.form, status=400, errors=attempt.invalid
        )
    return _view_page(
        request,
        attempt.document,
        sign_form=attempt.form,
        changed=attempt.changed,
        status=attempt.status,
    )


@requires(Capability.MANDATED_REPORT)
def addendum(request: HttpRequest, report_id: int) -> HttpResponse:
    """Add text to a signed report (its author or the author's supervisor), password again."""
    actor = actor_of(request)
    report = report_for(actor=actor, report_id=report_id)
    if not report.is_signed:
        return redirect(_view_url(report))
    form = AddendumForm(request.POST or None)
    if attempt_with_password(
        request,
        form,
        lambda data: report_addendum_add(
            actor=actor, report=report, text=data["text"], password=data["password"]
        ),
    ):
        return redirect(_view_url(report) + "#addenda-h")
    return render(
        request,
        "disclosures/addendum.html",
        {"report": report, "client": report.client, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
