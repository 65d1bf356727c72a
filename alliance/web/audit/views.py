"""The privacy officer's pages: emergency-access review queue and the audit report (SEC-27)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.access.selectors import break_glass_queue, grant_for_review
from alliance.access.services import break_glass_review
from alliance.audit.selectors import (
    SORTABLE,
    AuditFilters,
    audit_report,
    audited_client,
    sort_key,
)
from alliance.clients.models import Client
from alliance.disclosures.part2_selectors import emergency_disclosures_attach
from alliance.staff.capabilities import Capability
from alliance.web.access.forms import ReviewForm
from alliance.web.audit.forms import AuditFilterForm, FindClientForm
from alliance.web.gate import requires
from alliance.web.util import actor_of, add_service_errors


@requires(Capability.AUDIT_REVIEW)
def queue(request: HttpRequest) -> HttpResponse:
    shown = break_glass_queue(actor=actor_of(request))
    emergency_disclosures_attach(grants=[*shown.pending, *shown.reviewed])  # 42 CFR 2.51 marks
    return render(
        request,
        "audit/queue.html",
        {"pending": shown.pending, "reviewed": shown.reviewed, "form": ReviewForm()},
    )


@requires(Capability.AUDIT_REVIEW)
@require_POST
def review(request: HttpRequest, grant_id: int) -> HttpResponse:
    actor = actor_of(request)
    grant = grant_for_review(actor=actor, grant_id=grant_id)
    if grant is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            break_glass_review(actor=actor, grant=grant, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:break_glass_queue")
    shown = break_glass_queue(actor=actor)
    emergency_disclosures_attach(grants=[*shown.pending, *shown.reviewed])
    return render(
        request,
        "audit/queue.html",
        {
            "pending": shown.pending,
            "reviewed": shown.reviewed,
            "form": ReviewForm(),
            "failed_form": form,
            "failed_id": grant.pk,
        },
        status=400,
    )


def _report(request: HttpRequest, client: Client | None) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters(client_id=client.pk if client else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters.staff_id = data["staff"].pk if data["staff"] else None
        filters.action = data["action"] or ""
        filters.date_from, filters.date_to = data["date_from"], data["date_to"]
        filters.sort = data["sort"] or filters.sort
        filters.page = data["page"] or 1
    page = audit_report(actor=actor_of(request), filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    current = sort_key(filters.sort)
    columns = []
    for name in SORTABLE:
        query["sort"] = name if current != name else f"-{name}"
        columns.append((name, query.urlencode(), current.lstrip("-") == name))
    query["sort"] = current
    return render(
        request,
        "audit/audit_report.html",
        {
            "form": form,
            "page": page,
            "client": client,
            "columns": columns,
            "page_query": query.urlencode(),
            "find_form": FindClientForm(),
            "errors_only": form.is_bound and not form.is_valid(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@requires(Capability.AUDIT_REVIEW)
def audit_report_view(request: HttpRequest) -> HttpResponse:
    return _report(request, None)


@requires(Capability.AUDIT_REVIEW)
def client_access_report(request: HttpRequest, client_id: int) -> HttpResponse:
    """Who opened this client's record, and when."""
    client = audited_client(actor=actor_of(request), client_id=client_id)
    if client is None:
        raise Http404
    return _report(request, client)


@requires(Capability.AUDIT_REVIEW)
@require_POST
def find_client(request: HttpRequest) -> HttpResponse:
    """Look a client up by MRN (posted, never in a URL) and open their access report."""
    form = FindClientForm(request.POST)
    if form.is_valid():
        client = audited_client(actor=actor_of(request), mrn=form.cleaned_data["mrn"])
        if client is not None:
            return redirect(reverse("web:client_access_report", args=[client.pk]))
        form.add_error("mrn", "No client has that MRN.")
    page = audit_report(actor=actor_of(request), filters=AuditFilters())
    return render(
        request,
        "audit/audit_report.html",
        {
            "form": AuditFilterForm(),
            "page": page,
            "client": None,
            "columns": [],
            "page_query": "",
            "find_form": form,
        },
        status=400,
    )
