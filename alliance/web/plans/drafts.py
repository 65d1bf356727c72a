"""Editing a draft treatment plan: its strengths and preferences, and the nodes of its tree
(add, change, remove problems, goals, objectives, interventions).

Every form carries the plan version it was loaded at; a save from a stale version gets the
conflict page, with what is saved now beside what was typed (REL-04).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.plans.nodes import KINDS, kind_of, node_add, node_change, node_in, node_remove
from alliance.plans.selectors import draft_choices_for, plan_page
from alliance.plans.services import plan_save
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.capabilities import Capability
from alliance.web.gate import requires
from alliance.web.plans.forms import StrengthsForm, VersionForm, node_form, node_values
from alliance.web.plans.pages import form_status, plan_for_change, plan_url
from alliance.web.util import add_service_errors, typed_at_version


@requires(Capability.CHART_WRITE)
def plan_strengths(request: HttpRequest, client_id: int, treatment_plan_id: int) -> HttpResponse:
    """Save the draft's strengths and preferences."""
    actor, posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    if not plan.is_draft:
        return redirect(plan_url(plan))
    form = StrengthsForm(
        request.POST or None, initial={"strengths": plan.strengths, "version": plan.version}
    )
    conflict = None
    if posted and form.is_valid():
        try:
            plan_save(
                actor=actor,
                plan=plan,
                strengths=form.cleaned_data["strengths"],
                version=form.cleaned_data["version"],
            )
        except StaleDraft as stale:
            conflict = stale.current
            form = StrengthsForm(typed_at_version(request, conflict.version))
            form.is_valid()
        except DocumentLocked:
            return redirect(plan_url(plan))
        else:
            return redirect(plan_url(plan))
    context = {"plan": plan, "client": plan.client, "form": form, "conflict": conflict}
    if conflict is not None:
        context["differences"] = [("Strengths", conflict.strengths, request.POST["strengths"])]
    return render(request, "plans/strengths.html", context, status=form_status(form, conflict))


def _differences(kind_name: str, saved: Any, form: Any) -> list[tuple[str, str, str]]:
    """(label, saved now, typed) for each field of a node that differs (conflict page)."""
    rows = []
    for name in KINDS[kind_name].fields:
        theirs = getattr(saved, name, "") if saved is not None else ""
        yours = form.data.get(name, "")
        label = str(form.fields[name].label or name)
        if hasattr(theirs, "pk"):
            theirs = str(theirs)
            field = form.fields[name]
            yours = next((str(o) for o in field.queryset if str(o.pk) == yours), yours)
        if str(theirs or "") != str(yours or ""):
            rows.append((label, str(theirs or ""), str(yours or "")))
    return rows


@requires(Capability.CHART_WRITE)
def node(
    request: HttpRequest,
    client_id: int,
    treatment_plan_id: int,
    node_kind: str,
    plan_node_id: int | None = None,
) -> HttpResponse:
    """Add (``?parent=``) or change a problem, goal, objective or intervention of a draft."""
    actor, posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    kind = kind_of(node_kind)
    if not plan.is_draft:
        return redirect(plan_url(plan))
    existing = node_in(plan, kind, plan_node_id) if plan_node_id is not None else None
    source = request.POST if posted else request.GET
    parent_id = source.get("parent", "")
    parent = None
    if existing is None and kind.parent:
        parent = node_in(plan, KINDS[kind.parent], parent_id)
    choices = draft_choices_for(client=plan.client)
    initial: dict[str, Any] = {"version": plan.version}
    if existing is not None:
        initial.update({name: getattr(existing, name) for name in kind.fields})
    form = node_form(
        kind,
        diagnoses=choices.diagnoses,
        team=choices.team,
        data=request.POST if posted else None,
        initial=initial,
    )
    conflict = None
    if posted and form.is_valid():
        try:
            if existing is None:
                saved = node_add(
                    actor=actor,
                    plan=plan,
                    kind=kind.name,
                    parent_id=parent_id,
                    values=node_values(form),
                    version=form.cleaned_data["version"],
                )
            else:
                saved = node_change(
                    actor=actor,
                    plan=plan,
                    kind=kind.name,
                    node_id=existing.pk,
                    values=node_values(form),
                    version=form.cleaned_data["version"],
                )
        except StaleDraft as stale:
            conflict = stale.current
            if existing is not None:
                existing = node_in(conflict, kind, existing.pk)
            form = node_form(
                kind,
                diagnoses=choices.diagnoses,
                team=choices.team,
                data=typed_at_version(request, conflict.version),
            )
            form.is_valid()
        except DocumentLocked:
            return redirect(plan_url(plan))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(plan_url(plan, f"{kind.name}-{saved.pk}"))
    context: dict[str, Any] = {
        "plan": plan,
        "client": plan.client,
        "form": form,
        "kind": kind,
        "existing": existing,
        "parent": parent,
        "parent_id": parent_id,
        "conflict": conflict,
    }
    if conflict is not None:
        context["differences"] = _differences(kind.name, existing, form)
        context["tree"] = plan_page(plan=conflict).tree
    return render(request, "plans/node.html", context, status=form_status(form, conflict))


@requires(Capability.CHART_WRITE)
def node_delete(
    request: HttpRequest, client_id: int, treatment_plan_id: int, node_kind: str, plan_node_id: int
) -> HttpResponse:
    """Remove a node (and what is under it) from a draft; it is kept, marked removed."""
    actor, posted, plan = plan_for_change(request, client_id, treatment_plan_id)
    kind = kind_of(node_kind)
    if not plan.is_draft:
        return redirect(plan_url(plan))
    existing = node_in(plan, kind, plan_node_id)
    form = VersionForm(request.POST or None, initial={"version": plan.version})
    stale = False
    if posted and form.is_valid():
        try:
            node_remove(
                actor=actor,
                plan=plan,
                kind=kind.name,
                node_id=existing.pk,
                version=form.cleaned_data["version"],
            )
        except StaleDraft as error:
            stale, plan = True, error.current
            form = VersionForm(initial={"version": plan.version})
        except DocumentLocked:
            return redirect(plan_url(plan))
        else:
            return redirect(plan_url(plan))
    return render(
        request,
        "plans/remove.html",
        {
            "plan": plan,
            "client": plan.client,
            "form": form,
            "kind": kind,
            "node": existing,
            "stale": stale,
        },
        status=409 if stale else form_status(form),
    )
