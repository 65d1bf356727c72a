"""42 CFR Part 2 pages: a client's Part 2 consents (record, revoke) and court orders (SEC-20,
SEC-21).

Only staff who may see the client's Part 2 records reach them (the program's personnel, or a
live emergency grant); anyone else gets the 404 of a client that does not exist, so no page
tells them the client is in a Part 2 program (42 CFR 2.13(c)). Reads are audited by the
selectors that load them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.disclosures.part2_consents import (
    part2_consent_record,
    part2_consent_revoke,
    part2_court_order_record,
)
from alliance.disclosures.part2_selectors import (
    part2_client_for,
    part2_consent_for,
    part2_consents_for,
    part2_court_orders_for,
)
from alliance.staff.capabilities import Capability
from alliance.web.disclosures.part2_forms import (
    Part2ConsentForm,
    Part2CourtOrderForm,
    Part2RevokeForm,
)
from alliance.web.gate import requires
from alliance.web.util import actor_of, add_service_errors


@requires(Capability.CHART_WRITE)
def consents(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's Part 2 consents; record one the client signed (every 42 CFR 2.31 element)."""
    actor = actor_of(request)
    opened = part2_client_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    form = Part2ConsentForm(request.POST or None, programs=opened.programs)
    if request.method == "POST" and form.is_valid():
        try:
            part2_consent_record(actor=actor, client_id=opened.client.pk, elements=form.elements())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:part2_consents", client_id=opened.client.pk)
    return render(
        request,
        "disclosures/part2_consents.html",
        {
            "client": opened.client,
            "consents": part2_consents_for(actor=actor, opened=opened),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_WRITE)
def revoke(request: HttpRequest, client_id: int, part2_consent_id: int) -> HttpResponse:
    """Record the client's written revocation of a Part 2 consent (from now on; earlier
    disclosures stand)."""
    actor = actor_of(request)
    opened = part2_client_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    consent = part2_consent_for(actor=actor, opened=opened, consent_id=part2_consent_id)
    form = Part2RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and consent.revoked_at is None:
        try:
            part2_consent_revoke(
                actor=actor,
                client_id=opened.client.pk,
                consent_id=consent.pk,
                revocation=form.cleaned_data["revocation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:part2_consents", client_id=opened.client.pk)
    return render(
        request,
        "disclosures/part2_revoke.html",
        {"client": opened.client, "consent": consent, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Capability.CHART_WRITE)
def court_orders(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's recorded court orders (42 CFR 2.64, 2.65); record a new one."""
    actor = actor_of(request)
    opened = part2_client_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    form = Part2CourtOrderForm(request.POST or None, programs=opened.programs)
    if request.method == "POST" and form.is_valid():
        try:
            part2_court_order_record(actor=actor, client_id=opened.client.pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:part2_court_orders", client_id=opened.client.pk)
    return render(
        request,
        "disclosures/part2_court_orders.html",
        {
            "client": opened.client,
            "orders": part2_court_orders_for(actor=actor, opened=opened),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
