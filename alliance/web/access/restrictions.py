"""The privacy officer keeps named staff out of a client's record (SEC-13)."""

from __future__ import annotations

from contextlib import suppress

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alliance.access.selectors import restrictions_of
from alliance.access.services import restriction_add, restriction_lift
from alliance.audit.selectors import audited_client
from alliance.staff.capabilities import Capability
from alliance.web.access.forms import RestrictionForm
from alliance.web.gate import requires
from alliance.web.util import actor_of, add_service_errors


@requires(Capability.AUDIT_REVIEW)
def restrictions(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = audited_client(actor=actor, client_id=client_id)
    if client is None:
        raise Http404
    form = RestrictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            restriction_add(
                actor=actor,
                client=client,
                staff=form.cleaned_data["staff"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:client_restrictions", client_id=client.pk)
    rows = restrictions_of(actor=actor, client_id=client.pk)
    return render(
        request,
        "audit/restrictions.html",
        {
            "client": client,
            "form": form,
            "current": [r for r in rows if r.lifted_at is None],
            "lifted": [r for r in rows if r.lifted_at is not None],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.AUDIT_REVIEW)
@require_POST
def lift(request: HttpRequest, client_id: int, restriction_id: int) -> HttpResponse:
    actor = actor_of(request)
    restriction = next(
        (r for r in restrictions_of(actor=actor, client_id=client_id) if r.pk == restriction_id),
        None,
    )
    if restriction is None:
        raise Http404
    # Already lifted by someone else: the page then simply shows the current state.
    with suppress(ValidationError):
        restriction_lift(actor=actor, restriction=restriction)
    return redirect("web:client_restrictions", client_id=client_id)
