"""Clearing a wrong 42 CFR Part 2 label from a record (SEC-19): a privileged, audited act."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.access.part2_labels import (
    KINDS,
    LabelledRecordNotFound,
    LabelRemovalRefused,
    label_remove,
    labelled_record,
    may_remove_label,
)
from alliance.audit.reads import read_record
from alliance.clients.selectors import client_record_for
from alliance.records.labels import PART2_LABELS
from alliance.staff.capabilities import Capability
from alliance.web.access.forms import LabelRemovalForm
from alliance.web.gate import requires
from alliance.web.signing import attempt_with_password
from alliance.web.util import actor_of


@requires(Capability.CHART_WRITE)
def label_remove_page(
    request: HttpRequest, client_id: int, label_kind: str, labelled_id: int
) -> HttpResponse:
    kind, record_id = label_kind, labelled_id
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)
    record = labelled_record(actor=actor, client=client, kind=kind, record_id=record_id)
    if not may_remove_label(actor=actor, client=client, kind=kind, record=record):
        # Seen, but not theirs to clear: the same answer as a record that is not there.
        raise LabelledRecordNotFound
    read_record(actor=actor, client=client, target=record)
    form = LabelRemovalForm(request.POST or None)
    try:
        done = attempt_with_password(
            request,
            form,
            lambda data: label_remove(
                actor=actor,
                client=client,
                kind=kind,
                record=record,
                reason=data["reason"],
                password=data["password"],
            ),
        )
    except LabelRemovalRefused:
        raise LabelledRecordNotFound from None
    if done:
        return redirect("web:client_chart", client_id=client.pk)
    context = {
        "client": client,
        "record": record,
        "kind": KINDS[kind].model,
        "labels": PART2_LABELS,
        "form": form,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "access/part2_label_remove.html", context, status=status)
