"""The problem list: diagnoses and Z-code factors, their history, and supervisors' co-signing.

Every client page opens the client through ``client_record_for`` (the access policy, audited);
a diagnosis is then looked up under that client only, so another client's diagnosis id in the
URL is a 404 and changes nothing (SEC-11). Searching the code set is a POST: it works without
JavaScript and keeps no clinical words in URLs. Nothing here deletes: other methods get 405
(REL-02).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance.clients.models import Client
from alliance.clients.selectors import client_record_for
from alliance.diagnoses.icd10 import Code
from alliance.diagnoses.models import Diagnosis
from alliance.diagnoses.selectors import (
    cosign_queue_for,
    diagnosis_for,
    icd10_search,
    problem_list_for,
)
from alliance.diagnoses.services import (
    CosignRefused,
    StaleDiagnosis,
    diagnosis_add,
    diagnosis_change_status,
    diagnosis_cosign,
    diagnosis_return,
)
from alliance.staff.capabilities import Capability
from alliance.web.diagnoses.forms import (
    CodeSearchForm,
    CosignForm,
    DiagnosisAddForm,
    DiagnosisChangeForm,
    ReturnForm,
)
from alliance.web.gate import requires
from alliance.web.util import actor_of, add_service_errors, typed_at_version

ADD_FIELDS = ("code", "code_typed", "status", "onset", "is_primary", "note")


def _diagnosis_or_404(client: Client, diagnosis_id: int) -> Diagnosis:
    diagnosis = diagnosis_for(client=client, diagnosis_id=diagnosis_id)
    if diagnosis is None:
        raise Http404
    return diagnosis


@requires(Capability.CHART_READ)
@require_GET
def problem_list(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every diagnosis and factor of the client, current first, each with its history."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.CHART_READ)
    return render(
        request,
        "diagnoses/list.html",
        {"client": client, "problems": problem_list_for(client=client)},
    )


def _results_for(text: str) -> list[Code]:
    return icd10_search(text) if len(text.strip()) >= 2 else []


@requires(Capability.DIAGNOSE)
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, client_id: int) -> HttpResponse:
    """Search the code set (POST ``action=search``), pick a result, record the diagnosis."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.DIAGNOSE)
    results: list[Code] = []
    status = 200
    if request.method != "POST":
        search_form = CodeSearchForm()
        form = DiagnosisAddForm()
    elif request.POST.get("action") == "search":
        search_form = CodeSearchForm(request.POST)
        if search_form.is_valid():
            results = _results_for(search_form.cleaned_data["q"])
            if not results:
                search_form.add_error(
                    "q", "No billable code matches these words: try fewer or other words."
                )
        if search_form.errors:
            status = 400
        # The diagnosis fields keep what was typed, without errors: they were not submitted.
        initial: dict[str, Any] = {name: request.POST.get(name) for name in ADD_FIELDS}
        initial["is_primary"] = bool(request.POST.get("is_primary"))
        form = DiagnosisAddForm(initial=initial, results=results)
    else:
        text = request.POST.get("q", "")
        search_form = CodeSearchForm(initial={"q": text})
        results = _results_for(text)
        form = DiagnosisAddForm(request.POST, results=results)
        if form.is_valid():
            code = form.chosen_code()
            if not code:
                form.add_error("code", "Pick a code from the search results, or type one.")
            else:
                try:
                    diagnosis_add(
                        actor=actor,
                        client=client,
                        code=code,
                        status=form.cleaned_data["status"],
                        onset=form.cleaned_data["onset"],
                        is_primary=form.cleaned_data["is_primary"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    if form.cleaned_data["code_typed"] and hasattr(error, "error_dict"):
                        error.error_dict["code_typed"] = error.error_dict.pop("code", [])
                        if not error.error_dict["code_typed"]:
                            del error.error_dict["code_typed"]
                    add_service_errors(form, error)
                else:
                    return redirect("web:problem_list", client_id=client.pk)
        status = 400
    return render(
        request,
        "diagnoses/add.html",
        {"client": client, "search_form": search_form, "form": form, "results": results},
        status=status,
    )


@requires(Capability.DIAGNOSE)
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, client_id: int, diagnosis_id: int) -> HttpResponse:
    """Change a diagnosis's status or primary flag, with a reason (a new version)."""
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.DIAGNOSE)
    diagnosis = _diagnosis_or_404(client, diagnosis_id)
    initial = {
        "status": diagnosis.status,
        "is_primary": diagnosis.is_primary,
        "version": diagnosis.version,
    }
    form = DiagnosisChangeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis_change_status(
                actor=actor,
                diagnosis=diagnosis,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                is_primary=form.cleaned_data["is_primary"],
            )
        except StaleDiagnosis as stale:
            conflict = diagnosis = stale.current
            # Keep what was typed, at the version now saved: saving again is a deliberate
            # choice after reading the other person's change (REL-04).
            data = typed_at_version(request, conflict.version)
            form = DiagnosisChangeForm(data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:problem_list", client_id=client.pk)
    status = 200
    if conflict is not None:
        status = 409
    elif form.is_bound:
        status = 400
    if form.is_bound:
        diagnosis = _diagnosis_or_404(client, diagnosis.pk)  # as saved now, with its history
    return render(
        request,
        "diagnoses/change.html",
        {"client": client, "diagnosis": diagnosis, "form": form, "conflict": conflict},
        status=status,
    )


def _queue_page(
    request: HttpRequest,
    forms: dict[int, tuple[CosignForm, ReturnForm]] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = cosign_queue_for(actor=actor_of(request))
    given = forms or {}
    items = [
        (
            d,
            *given.get(
                d.pk,
                (
                    CosignForm(initial={"version": d.version}, prefix=f"c{d.pk}"),
                    ReturnForm(initial={"version": d.version}, prefix=f"r{d.pk}"),
                ),
            ),
        )
        for d in rows
    ]
    return render(
        request,
        "diagnoses/cosign_queue.html",
        {"items": items, "message": message},
        status=status,
    )


@requires(Capability.DIAGNOSE)
@require_GET
def cosign_queue(request: HttpRequest) -> HttpResponse:
    """Diagnoses by the signed-in supervisor's supervisees that wait for co-signature."""
    return _queue_page(request)


def _review(
    request: HttpRequest, client_id: int, diagnosis_id: int, *, cosign: bool
) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.DIAGNOSE)
    diagnosis = _diagnosis_or_404(client, diagnosis_id)
    form: CosignForm | ReturnForm
    if cosign:
        form = CosignForm(request.POST, prefix=f"c{diagnosis.pk}")
    else:
        form = ReturnForm(request.POST, prefix=f"r{diagnosis.pk}")
    if form.is_valid():
        try:
            if isinstance(form, CosignForm):
                diagnosis_cosign(
                    actor=actor,
                    diagnosis=diagnosis,
                    version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                )
            else:
                diagnosis_return(
                    actor=actor,
                    diagnosis=diagnosis,
                    version=form.cleaned_data["version"],
                    comment=form.cleaned_data["comment"],
                )
        except CosignRefused as refused:
            if refused.reason == "not_supervisor":
                raise Http404 from None
            return _queue_page(
                request,
                message=f"{diagnosis.icd10_code} no longer waits for co-signature.",
                status=409,
            )
        except StaleDiagnosis:
            return _queue_page(
                request,
                message=f"{diagnosis.icd10_code} changed since you opened this list: "
                "review it again below.",
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:diagnosis_cosign_queue")
    pair: tuple[CosignForm, ReturnForm]
    if isinstance(form, CosignForm):
        pair = (form, ReturnForm(initial={"version": diagnosis.version}, prefix=f"r{diagnosis.pk}"))
    else:
        pair = (CosignForm(initial={"version": diagnosis.version}, prefix=f"c{diagnosis.pk}"), form)
    return _queue_page(request, forms={diagnosis.pk: pair}, status=400)


@requires(Capability.DIAGNOSE)
@require_POST
def cosign(request: HttpRequest, client_id: int, diagnosis_id: int) -> HttpResponse:
    return _review(request, client_id, diagnosis_id, cosign=True)


@requires(Capability.DIAGNOSE)
@require_POST
def send_back(request: HttpRequest, client_id: int, diagnosis_id: int) -> HttpResponse:
    """Return a diagnosis to its author with comments."""
    return _review(request, client_id, diagnosis_id, cosign=False)
