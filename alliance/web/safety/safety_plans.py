"""Safety plans: the plan page, editing the draft version, signing with the client's agreement,
the one-page PDF, and the client's read-only link (public, bound to the browser where the client
confirms their date of birth: opening it never binds it, issue 14 class 3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from alliance.audit.actions import AuditAction
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.safety.links import (
    LinkLocked,
    LinkNotConfirmed,
    LinkOtherDevice,
    LinkUnusable,
    PlanOpened,
    WrongAnswer,
    plan_link_confirm,
    plan_link_create,
    plan_link_open,
    plan_link_revoke,
)
from alliance.safety.models import SafetyPlanVersion
from alliance.safety.plans import MEANS, STEPS, crisis_contacts, safety_plan_save, safety_plan_sign
from alliance.safety.selectors import plan_page_for, plan_version_for
from alliance.staff.capabilities import Capability
from alliance.staff.stepup import StepUpFailed
from alliance.web.gate import public, requires
from alliance.web.pdf import PdfUnavailable, pdf_response, render_pdf
from alliance.web.safety.crisis import crisis_links
from alliance.web.safety.forms import PlanLinkConfirmForm, PlanSignForm, SafetyPlanForm
from alliance.web.signing import WRONG_PASSWORD, step_up_refused
from alliance.web.util import actor_of, add_service_errors, typed_at_version

DEVICE_COOKIE = "alliance_plan_device"


def plan_display(version: SafetyPlanVersion) -> dict[str, Any]:
    """What a page or the PDF shows of a version: numbered steps, the means, the contacts."""
    content = version.content
    contacts = content.get("crisis_contacts") or [
        {"label": c.label, "number": c.number} for c in crisis_contacts()
    ]
    steps = [
        {"number": n, "heading": heading, "items": content.get(key) or []}
        for n, (key, heading, _q) in enumerate(STEPS, start=1)
    ]
    means = [
        {"label": label, **((content.get("means") or {}).get(key) or {})} for key, label in MEANS
    ]
    return {
        "steps": steps,
        "contacts": contacts,
        "means": [m for m in means if m.get("plan") or m.get("who")],
        "reasons": content.get("reasons_for_living") or [],
    }


def _plan_url(client_id: int) -> str:
    return reverse("web:safety_plan", args=[client_id])


@requires(Capability.CHART_READ)
def plan(request: HttpRequest, client_id: int) -> HttpResponse:
    """The current signed plan, the draft being written, every version and the client links."""
    page = plan_page_for(actor=actor_of(request), client_id=client_id)
    context = {
        "client": page.client,
        "page": page,
        "display": plan_display(page.current) if page.current else None,
        "link_error": "",
    }
    return render(request, "safety/plan.html", context)


@requires(Capability.SAFETY_PLAN_EDIT)
def edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """Write the draft version with the client; the first save of a signed plan starts the next
    version from the current one. A stale save shows what is saved now (REL-04)."""
    actor = actor_of(request)
    posted = request.method == "POST"
    page = plan_page_for(
        actor=actor,
        client_id=client_id,
        capability=Capability.SAFETY_PLAN_EDIT,
    )
    draft, base = page.draft, page.draft or page.current
    initial = SafetyPlanForm.initial_from(
        base.content if base else {}, draft.revision if draft else 0
    )
    form = SafetyPlanForm(request.POST or None, initial=initial)
    conflict = None
    if posted and form.is_valid():
        try:
            saved = safety_plan_save(
                actor=actor,
                client=page.client,
                values=form.values(),
                draft=draft,
                revision=form.cleaned_data["revision"],
            )
        except StaleDraft as stale:
            conflict = stale.current
            data = typed_at_version(request, conflict.revision if conflict else 0, field="revision")
            form = SafetyPlanForm(data)
            form.is_valid()
        except DocumentLocked:
            return redirect(_plan_url(page.client.pk))
        else:
            if "sign" in request.POST:
                return redirect(
                    "web:safety_plan_sign", client_id=page.client.pk, plan_draft_id=saved.pk
                )
            return redirect(reverse("web:safety_plan_edit", args=[page.client.pk]) + "?saved=1")
    context = {
        "client": page.client,
        "page": page,
        "form": form,
        "contacts": crisis_contacts(),
        "conflict": conflict,
        "conflict_display": plan_display(conflict) if conflict else None,
        "saved": request.GET.get("saved") == "1",
    }
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    return render(request, "safety/plan_edit.html", context, status=status)


@requires(Capability.NOTE_SIGN)
def sign(request: HttpRequest, client_id: int, plan_draft_id: int) -> HttpResponse:
    """Read the draft version with the client, record their agreement and sign (SEC-08)."""
    actor = actor_of(request)
    posted = request.method == "POST"
    version = plan_version_for(
        actor=actor,
        client_id=client_id,
        version_id=plan_draft_id,
        capability=Capability.SAFETY_PLAN_EDIT,
    )
    client = version.plan.client
    if not version.is_draft:
        return redirect(_plan_url(client.pk))
    form = PlanSignForm(request.POST or None, initial={"revision": version.revision})
    changed = False
    if posted and form.is_valid():
        try:
            safety_plan_sign(
                actor=actor,
                version=version,
                revision=form.cleaned_data["revision"],
                password=form.cleaned_data["password"],
                agreement=form.cleaned_data["agreement"],
                agreement_note=form.cleaned_data["agreement_note"],
            )
        except StepUpFailed as failed:
            step_up_refused(request, failed)
            form.add_error("password", WRONG_PASSWORD)
        except StaleDraft as stale:
            version, changed = stale.current, True
            if not version.is_draft:
                return redirect(_plan_url(client.pk))
            form = PlanSignForm(initial={"revision": version.revision})
        except (DocumentLocked, ValidationError) as error:
            if isinstance(error, DocumentLocked):
                return redirect(_plan_url(client.pk))
            add_service_errors(form, error)
        else:
            return redirect(_plan_url(client.pk))
    context = {
        "client": client,
        "version": version,
        "display": plan_display(version),
        "form": form,
        "changed": changed,
    }
    status = 409 if changed else 400 if form.is_bound and form.errors else 200
    return render(request, "safety/plan_sign.html", context, status=status)


@requires(Capability.CHART_READ)
def version(request: HttpRequest, client_id: int, version_id: int) -> HttpResponse:
    """One version of the plan, old ones included (read audited)."""
    found = plan_version_for(actor=actor_of(request), client_id=client_id, version_id=version_id)
    context = {"client": found.plan.client, "version": found, "display": plan_display(found)}
    return render(request, "safety/plan_version.html", context)


@requires(Capability.CHART_READ)
def pdf(request: HttpRequest, client_id: int, version_id: int) -> HttpResponse:
    """The signed version as a one-page PDF in large type, to hand to the client (audited)."""
    found = plan_version_for(
        actor=actor_of(request),
        client_id=client_id,
        version_id=version_id,
        action=AuditAction.EXPORT,
        signed_only=True,
    )
    context = {
        "client": found.plan.client,
        "version": found,
        "display": plan_display(found),
        "clinic_name": settings.CLINIC_NAME,
    }
    try:
        document = render_pdf(
            "safety/plan_pdf.html",
            context,
            request=request,
            stylesheet="safety/plan_print.css",
        )
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain")
    return pdf_response(document, filename=f"safety-plan-{found.pk}.pdf")


@requires(Capability.SAFETY_PLAN_EDIT)
@require_POST
def link_create(request: HttpRequest, client_id: int) -> HttpResponse:
    """A read-only link for the client's phone; the address is shown once, on the plan page."""
    actor = actor_of(request)
    page = plan_page_for(actor=actor, client_id=client_id, capability=Capability.SAFETY_PLAN_EDIT)
    try:
        _link, token = plan_link_create(actor=actor, client=page.client)
    except ValidationError as error:
        return render(
            request,
            "safety/plan.html",
            {
                "client": page.client,
                "page": page,
                "link_error": error.messages[0],
                "display": plan_display(page.current) if page.current else None,
            },
            status=400,
        )
    url = request.build_absolute_uri(reverse("web:safety_plan_public", args=[token]))
    return render(request, "safety/plan_link.html", {"client": page.client, "url": url})


@requires(Capability.SAFETY_PLAN_EDIT)
@require_POST
def link_revoke(request: HttpRequest, client_id: int, link_id: int) -> HttpResponse:
    actor = actor_of(request)
    page = plan_page_for(actor=actor, client_id=client_id, capability=Capability.SAFETY_PLAN_EDIT)
    plan_link_revoke(actor=actor, client=page.client, link_id=link_id)
    return redirect(_plan_url(page.client.pk) + "#links-h")


@public
@require_http_methods(["GET", "HEAD", "POST"])
def public_plan(request: HttpRequest, plan_token: str) -> HttpResponse:
    """The client's own plan, read-only: the clinic's name and the plan, nothing else.

    GET and HEAD never bind the link (link previews and mail scanners send them): an unbound
    link shows the date-of-birth question, and only its POST binds this browser.
    """
    crisis = {"contacts": crisis_links()}
    device_secret = request.COOKIES.get(DEVICE_COOKIE, "")
    form = PlanLinkConfirmForm(request.POST if request.method == "POST" else None)
    try:
        if form.is_valid():
            opened = plan_link_confirm(
                token=plan_token,
                date_of_birth=form.cleaned_data["date_of_birth"],
                device_secret=device_secret,
            )
        else:
            opened = plan_link_open(token=plan_token, device_secret=device_secret)
    except LinkNotConfirmed:
        status = 400 if form.is_bound else 200
        return render(
            request, "safety/public/confirm.html", {**crisis, "form": form}, status=status
        )
    except WrongAnswer as wrong:
        form.add_error(
            "date_of_birth",
            f"That is not the date of birth we have for you. Tries left: {wrong.remaining}.",
        )
        return render(request, "safety/public/confirm.html", {**crisis, "form": form}, status=400)
    except LinkLocked:
        return render(request, "safety/public/locked.html", crisis, status=403)
    except LinkUnusable:
        return render(request, "safety/public/unusable.html", crisis, status=404)
    except LinkOtherDevice:
        return render(request, "safety/public/other_device.html", crisis, status=403)
    return _plan_response(request, opened)


def _plan_response(request: HttpRequest, opened: PlanOpened) -> HttpResponse:
    if request.method == "POST":  # bound: show the plan by GET, so a reload never re-posts
        response: HttpResponse = redirect(request.path)
        response.status_code = 303
    else:
        response = render(
            request,
            "safety/public/plan.html",
            {"version": opened.version, "display": plan_display(opened.version)},
        )
    if opened.new_device_secret:
        response.set_cookie(
            DEVICE_COOKIE,
            opened.new_device_secret,
            expires=opened.link.expires_at,
            path=request.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response
