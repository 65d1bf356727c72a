"""Client registry pages: search, register, chart, edit, contacts, episodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from alliance.access import part2
from alliance.access.policy import allowed
from alliance.assessments import selectors as assessments
from alliance.assessments.selectors import measures_for, open_alerts_for_client, score_history
from alliance.clients.selectors import (
    SearchResult,
    client_chart,
    client_record_for,
    client_search,
    contact_of,
    episode_of,
)
from alliance.clients.services import (
    DuplicateSuspected,
    StaleEdit,
    client_create,
    client_update,
    contact_save,
    episode_save,
)
from alliance.core.presence import Presence, part_counts
from alliance.crisis import selectors as crisis
from alliance.crisis.selectors import crisis_for_chart
from alliance.diagnoses import selectors as diagnoses
from alliance.diagnoses.selectors import problems_for_chart
from alliance.disclosures import selectors as disclosures
from alliance.disclosures.selectors import report_list_for
from alliance.notes import timeline as notes
from alliance.notes.timeline import timeline_for_chart
from alliance.plans import selectors as plans
from alliance.plans.selectors import chart_plan_for
from alliance.safety import selectors as safety
from alliance.safety.models import RiskFlag
from alliance.safety.selectors import flags_by_client, safety_for_chart
from alliance.staff.capabilities import Capability
from alliance.web.assessments.forms import AcknowledgeForm
from alliance.web.clients.forms import (
    ClientCreateForm,
    ClientEditForm,
    ContactForm,
    EpisodeForm,
    SearchForm,
)
from alliance.web.gate import requires
from alliance.web.search_tokens import search_recall, search_remember
from alliance.web.util import actor_of, add_service_errors, typed_at_version


@requires(Capability.CLIENT_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    """Search by POST, then show the results at ``?s=<token>`` (POST-redirect-GET).

    What was typed is kept in the session under an opaque token, so that Back and reload show
    the results again and no name, MRN or date of birth ever sits in a URL (SEC-33). Each
    showing of the results is a search, audited by ``client_search``.
    """
    if request.method == "POST":
        form = SearchForm(request.POST)
        if not form.is_valid():
            return _search_page(request, form, status=400)
        token = search_remember(request.session, form.cleaned_data["q"])
        results = f"{reverse('web:client_search')}?{urlencode({'s': token})}"
        return HttpResponseRedirect(results, status=303)
    shown = request.GET.get("s")
    if not shown:
        return _search_page(request, SearchForm())
    query = search_recall(request.session, shown)
    if query is None:  # forgotten, from another session, or from before a sign-out
        return _search_page(request, SearchForm(), expired=True)
    actor = actor_of(request)
    result = client_search(actor=actor, query=query)
    flags = flags_by_client(actor=actor, client_ids=[c.pk for c in result.clients])
    return _search_page(request, SearchForm(initial={"q": query}), result=result, flags=flags)


def _search_page(
    request: HttpRequest,
    form: SearchForm,
    *,
    result: SearchResult | None = None,
    flags: dict[int, list[RiskFlag]] | None = None,
    expired: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "result": result, "risk_flags": flags or {}, "expired": expired}
    return render(request, "clients/search.html", context, status=status)


@requires(Capability.CLIENT_REGISTER)
def create(request: HttpRequest) -> HttpResponse:
    form = ClientCreateForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "confirm_not_duplicate"}
        try:
            client = client_create(
                actor=actor_of(request),
                values=values,
                confirmed_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
            )
        except DuplicateSuspected as dup:
            matches = dup.matches
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:client_chart", client_id=client.pk)
    return render(request, "clients/create.html", {"form": form, "matches": matches})


# Every part of the record the chart's sections read (each app names its own); one statement
# counts their rows. A part left out is not skipped, only read without asking first.
CHART_PARTS = (
    *assessments.CHART_PARTS,
    *diagnoses.CHART_PARTS,
    *plans.CHART_PARTS,
    *notes.CHART_PARTS,
    *crisis.CHART_PARTS,
    *disclosures.CHART_PARTS,
    *safety.CHART_PARTS,
)


@requires(Capability.CHART_READ, Capability.DEMOGRAPHICS_READ)
def chart(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = actor_of(request)
    data = client_chart(actor=actor, client_id=client_id)
    context: dict[str, object] = {
        "chart": data,
        "client": data.client,
        "alerts": [],
        "safety": None,
    }
    if data.clinical:
        client = data.client
        # Sections of an empty part skip their query: most records have no crisis, no report.
        present = Presence(part_counts(CHART_PARTS, client.pk))
        measures = measures_for(client=client, presence=present)
        context["measures"] = measures
        context["problems"] = problems_for_chart(client=client, presence=present)
        context["treatment_plan"] = chart_plan_for(
            client=client, presence=present, history=score_history(measures)
        )
        context["notes_timeline"] = timeline_for_chart(
            actor=actor, client=client, page=request.GET.get("notes_page"), presence=present
        )
        context["alerts"] = [
            (alert, AcknowledgeForm(prefix=f"a{alert.pk}"))
            for alert in open_alerts_for_client(client=client, presence=present)
        ]
        context["can_write"] = actor.has_capability(Capability.CHART_WRITE)
        context["crisis"] = crisis_for_chart(client=client, presence=present)
        context["mandated_reports"] = report_list_for(actor=actor, client=client, presence=present)
        context["safety"] = safety_for_chart(actor=actor, client=client, presence=present)
    return render(request, "clients/chart.html", context)


@requires(Capability.DEMOGRAPHICS_WRITE)
def edit(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(
        actor=actor, client_id=client_id, capability=Capability.DEMOGRAPHICS_WRITE
    )
    form = ClientEditForm(
        request.POST or None,
        instance=None if request.POST else client,
        initial={"version": client.version},
    )
    saved = _save_versioned(
        request,
        form,
        lambda values, version: client_update(
            actor=actor, client=client, values=values, version=version
        ),
        lambda data: ClientEditForm(data),
    )
    if saved.done:
        return redirect("web:client_chart", client_id=client.pk)
    return render(
        request,
        "clients/edit.html",
        {"form": saved.form, "client": client, "conflict": saved.conflict},
        status=409 if saved.conflict else 200,
    )


def _shown(field: forms.Field, value: Any) -> str:
    """A value as the conflict page shows it: choice labels, dates, yes/no, names of rows."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    choices = dict(getattr(field, "choices", None) or ())
    if not isinstance(value, Model) and value in choices:
        return str(choices[value])
    return str(value)


def _differences(saved: Model, form: forms.ModelForm) -> list[tuple[str, str, str]]:
    """(label, saved meanwhile, typed) for each field where the two differ (REL-04)."""
    rows = []
    for name in form._meta.fields or ():
        field = form.fields[name]
        theirs = _shown(field, getattr(saved, name))
        yours = _shown(field, form.cleaned_data.get(name))
        if theirs != yours:
            rows.append((str(field.label or name), theirs, yours))
    return rows


@dataclass
class _Saved:
    """What became of a posted registry form: saved, or the form to show again (with the row
    saved meanwhile and the differences, for a stale version)."""

    done: bool
    form: Any
    conflict: Any = None
    differences: list[tuple[str, str, str]] | None = None


def _save_versioned(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any], Any], object],  # (values, version the form carried)
    again: Callable[[QueryDict], Any],
) -> _Saved:
    """Save a valid posted form at the version it was loaded at. A stale version (REL-04)
    shows the saved row beside what was typed, in ``again(data)`` at the version now saved;
    a service's refusal lands next to its fields."""
    if request.method != "POST" or not form.is_valid():
        return _Saved(False, form)
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        save(values, form.cleaned_data.get("version"))
    except StaleEdit as stale:
        shown = again(typed_at_version(request, stale.current.version))
        shown.is_valid()
        return _Saved(False, shown, stale.current, _differences(stale.current, form))
    except ValidationError as error:
        add_service_errors(form, error)
        return _Saved(False, form)
    return _Saved(True, form)


@requires(Capability.DEMOGRAPHICS_WRITE)
def contact(request: HttpRequest, client_id: int, contact_id: int | None = None) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(
        actor=actor, client_id=client_id, capability=Capability.DEMOGRAPHICS_WRITE
    )
    existing = None
    if contact_id is not None:
        existing = contact_of(client=client, contact_id=contact_id)
        if existing is None:
            raise Http404
    form = ContactForm(
        request.POST or None,
        instance=None if request.POST else existing,
        initial={"version": existing.version} if existing else None,
        editing=existing is not None,
    )
    saved = _save_versioned(
        request,
        form,
        lambda values, version: contact_save(
            actor=actor, client=client, values=values, contact=existing, version=version
        ),
        lambda data: ContactForm(data, editing=True),
    )
    if saved.done:
        return redirect("web:client_chart", client_id=client.pk)
    context = {
        "form": saved.form,
        "client": client,
        "contact": existing,
        "conflict": saved.conflict,
        "differences": saved.differences,
    }
    return render(request, "clients/contact.html", context, status=409 if saved.conflict else 200)


@requires(Capability.EPISODE_EDIT)
def episode(request: HttpRequest, client_id: int, episode_id: int | None = None) -> HttpResponse:
    actor = actor_of(request)
    client = client_record_for(actor=actor, client_id=client_id, capability=Capability.EPISODE_EDIT)
    existing = None
    if episode_id is not None:
        existing = episode_of(client=client, episode_id=episode_id)
        if existing is None:
            raise Http404
    current_program = existing.program if existing else None
    limits: dict[str, Any] = {
        "current_program": current_program,
        "offered": part2.programs_offered_q(actor),
        "clinical": Capability.CHART_WRITE in allowed(actor=actor, client=client),
    }
    form = EpisodeForm(
        request.POST or None,
        instance=None if request.POST else existing,
        initial={"version": existing.version} if existing else None,
        editing=existing is not None,
        **limits,
    )
    saved = _save_versioned(
        request,
        form,
        lambda values, version: episode_save(
            actor=actor, client=client, values=values, episode=existing, version=version
        ),
        lambda data: EpisodeForm(data, editing=True, **limits),
    )
    if saved.done:
        return redirect("web:client_chart", client_id=client.pk)
    context = {
        "form": saved.form,
        "client": client,
        "episode": existing,
        "conflict": saved.conflict,
        "differences": saved.differences,
    }
    return render(request, "clients/episode.html", context, status=409 if saved.conflict else 200)
