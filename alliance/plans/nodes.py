"""Editing a draft plan's tree: add, change and remove problems, goals, objectives, interventions.

Each edit names the draft version it was made on: the draft's version is claimed first in the
transaction (``services.bump``), so of two editors on version n the second gets ``StaleDraft``
and writes nothing (REL-04). A removed node (and everything under it) is marked removed, never
deleted (REL-02); the snapshot written by every edit keeps what the draft said (REL-03).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from alliance import instruments
from alliance.access import part2
from alliance.access.policy import clients_visible_to
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.diagnoses.models import Diagnosis
from alliance.plans.models import (
    Direction,
    Goal,
    Intervention,
    Modality,
    Objective,
    PlanNode,
    Problem,
    TreatmentPlan,
)
from alliance.plans.progress import instrument_name
from alliance.plans.selectors import PlanNotFound
from alliance.plans.services import bump, snapshot, writable
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


@dataclass(frozen=True)
class Kind:
    """One level of the tree: its model, its parent level, the fields a form edits."""

    name: str
    label: str
    model: type[PlanNode]
    parent: str  # the parent level's name, "" for problems
    fields: tuple[str, ...]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("problem", "problem", Problem, "", ("statement", "client_words", "diagnosis")),
        Kind("goal", "goal", Goal, "problem", ("client_words", "target")),
        Kind(
            "objective",
            "objective",
            Objective,
            "goal",
            ("description", "target", "target_date", "instrument", "direction", "target_value"),
        ),
        Kind(
            "intervention",
            "intervention",
            Intervention,
            "objective",
            ("modality", "description", "frequency", "responsible"),
        ),
    )
}
CHILD = {"problem": "goal", "goal": "objective", "objective": "intervention"}


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise PlanNotFound from None


def measurable_instruments() -> list[tuple[str, str]]:
    """Instruments with a total an objective can be measured against: (code, name)."""
    return [(i.code, i.name) for i in instruments.catalogue() if i.total_range is not None]


def node_in(plan: TreatmentPlan, kind: Kind, node_id: object) -> PlanNode:
    """A live node of this plan (never another plan's, SEC-11), else ``PlanNotFound``."""
    try:
        pk = int(str(node_id))
    except ValueError:
        raise PlanNotFound from None
    node = kind.model.objects.filter(pk=pk, plan=plan).first()
    if node is None:
        raise PlanNotFound
    assert isinstance(node, PlanNode)
    return node


def _required(values: dict[str, Any], name: str, errors: dict[str, list[str]], msg: str) -> str:
    text = str(values.get(name) or "").strip()
    if not text:
        errors[name] = [msg]
    return text


def clean_values(
    *, actor: User, plan: TreatmentPlan, kind: Kind, values: dict[str, Any]
) -> dict[str, Any]:
    """The node's field values, validated; ``ValidationError`` keyed by field otherwise."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if kind.name == "problem":
        clean["statement"] = _required(values, "statement", errors, "Describe the problem.")
        clean["client_words"] = str(values.get("client_words") or "").strip()
        diagnosis = values.get("diagnosis")
        clean["diagnosis"] = None
        if diagnosis:
            found = (
                Diagnosis.objects.filter(part2.visible_q(plan.client_id))
                .filter(pk=getattr(diagnosis, "pk", diagnosis))
                .first()
            )
            if found is None or found.client_id != plan.client_id:
                errors["diagnosis"] = ["Choose one of the client's diagnoses."]
            clean["diagnosis"] = found
    elif kind.name == "goal":
        clean["client_words"] = _required(
            values, "client_words", errors, "Write the goal as the client says it."
        )
        clean["target"] = _required(values, "target", errors, "Say how you will know it is met.")
    elif kind.name == "objective":
        clean.update(_objective_values(values, errors))
    else:
        clean.update(_intervention_values(actor, plan, values, errors))
    if errors:
        raise ValidationError(errors)
    return clean


def _objective_values(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "description": _required(values, "description", errors, "Say what will be measured."),
        "target": str(values.get("target") or "").strip(),
        "instrument": str(values.get("instrument") or ""),
        "direction": str(values.get("direction") or ""),
        "target_value": values.get("target_value"),
        "target_date": values.get("target_date"),
    }
    if not isinstance(clean["target_date"], date):
        errors["target_date"] = ["Give the date the target should be reached by."]
    elif clean["target_date"] < timezone.localdate():
        errors["target_date"] = ["The target date cannot be in the past."]
    code = clean["instrument"]
    if not code:
        clean["direction"], clean["target_value"] = "", None
        if not clean["target"]:
            errors["target"] = ["Give the target (or choose a measure and a score)."]
        return clean
    if code not in dict(measurable_instruments()):
        errors["instrument"] = ["Choose a measure from the list."]
        return clean
    instrument = instruments.get(code)
    if clean["direction"] not in Direction.values:
        errors["direction"] = ["Choose whether the score should go below or above the target."]
    value = clean["target_value"]
    low, high = instrument.total_range or (0, 0)
    if value is None:
        errors["target_value"] = [f"Give the target score ({low:g} to {high:g})."]
    elif not low <= float(value) <= high:
        errors["target_value"] = [f"{instrument.name} scores run from {low:g} to {high:g}."]
    else:
        clean["target_value"] = float(value)
    if not clean["target"]:
        short = instrument_name(code)
        clean["target"] = f"{short} {clean['direction']} {clean['target_value']:g}"
    return clean


def _intervention_values(
    actor: User, plan: TreatmentPlan, values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "modality": str(values.get("modality") or ""),
        "description": str(values.get("description") or "").strip(),
        "frequency": _required(values, "frequency", errors, "Say how often (e.g. weekly)."),
        "responsible": None,
    }
    if clean["modality"] not in Modality.values:
        errors["modality"] = ["Choose a modality from the list."]
    responsible = values.get("responsible")
    pk = getattr(responsible, "pk", responsible)
    staff = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    # The responsible person must be someone who may write in this client's chart.
    if (
        staff is None
        or not clients_visible_to(actor=staff, capability=Capability.CHART_WRITE)
        .filter(pk=plan.client_id)
        .exists()
    ):
        errors["responsible"] = ["Choose a member of the client's care team."]
    clean["responsible"] = staff
    return clean


def _parent(plan: TreatmentPlan, kind: Kind, parent_id: object) -> PlanNode | None:
    if not kind.parent:
        return None
    return node_in(plan, KINDS[kind.parent], parent_id)


def _audit(actor: User, plan: TreatmentPlan, node: PlanNode, what: str, fields: list[str]) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if what == "added" else AuditAction.CHANGE,
        client=plan.client_id,
        target=node,
        detail={"plan": plan.pk, what: True, "fields": fields, "version": plan.version},
    )


def node_add(
    *,
    actor: User,
    plan: TreatmentPlan,
    kind: str,
    parent_id: object,
    values: dict[str, Any],
    version: int,
) -> PlanNode:
    """Add a node under ``parent_id`` (nothing for a problem) to the draft at ``version``."""
    writable(actor, plan)
    level = kind_of(kind)
    parent = _parent(plan, level, parent_id)
    clean = clean_values(actor=actor, plan=plan, kind=level, values=values)
    now = timezone.now()
    with transaction.atomic():
        current = bump(plan, version, now)
        siblings: models.QuerySet[Any] = level.model.all_rows.filter(plan=plan)
        position = (siblings.aggregate(top=Max("position"))["top"] or 0) + 1
        if parent is not None:
            clean[level.parent] = parent
        node = level.model.objects.create(plan=current, position=position, **clean)
        snapshot(current, actor, now)
        _audit(actor, current, node, "added", sorted(clean))
    assert isinstance(node, PlanNode)
    return node


def node_change(
    *,
    actor: User,
    plan: TreatmentPlan,
    kind: str,
    node_id: object,
    values: dict[str, Any],
    version: int,
) -> PlanNode:
    """Change a node of the draft at ``version`` (``StaleDraft`` if it moved on since)."""
    writable(actor, plan)
    level = kind_of(kind)
    node = node_in(plan, level, node_id)
    clean = clean_values(actor=actor, plan=plan, kind=level, values=values)
    changed = sorted(k for k, v in clean.items() if getattr(node, k) != v)
    now = timezone.now()
    with transaction.atomic():
        current = bump(plan, version, now)
        for name, value in clean.items():
            setattr(node, name, value)
        node.save()
        snapshot(current, actor, now)
        _audit(actor, current, node, "changed", changed)
    return node


def node_remove(
    *, actor: User, plan: TreatmentPlan, kind: str, node_id: object, version: int
) -> None:
    """Mark a node of the draft and everything under it removed (kept, never deleted)."""
    writable(actor, plan)
    level = kind_of(kind)
    node = node_in(plan, level, node_id)
    now = timezone.now()
    with transaction.atomic():
        current = bump(plan, version, now)
        ids = [node.pk]
        name = level.name
        level.model.objects.filter(pk=node.pk).update(removed_at=now, updated_at=now)
        while name in CHILD:
            child = KINDS[CHILD[name]]
            below = child.model.objects.filter(plan=plan, **{f"{name}_id__in": ids})
            ids = list(below.values_list("pk", flat=True))
            below.update(removed_at=now, updated_at=now)
            name = child.name
        snapshot(current, actor, now)
        _audit(actor, current, node, "removed", [])
