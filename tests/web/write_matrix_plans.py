"""Write-matrix rows of treatment plans: the care team drafts (CHART_WRITE) and activates
(NOTE_SIGN, which peer specialists hold with their certification); registry staff never
reach a plan. ``treatment_plan_id`` is the census draft with one problem (``plan_node_id``);
``complete_plan_id`` a draft whose tree is whole (activation checks it) and
``active_plan_id`` an active plan (revising and closing need one).
"""

from __future__ import annotations

from django.utils import timezone

from alliance.plans.models import AgreementKind, CloseReason, TreatmentPlan
from tests.personas import PASSWORD, Clinic
from tests.plans.conftest import PARTICIPATION, activate, complete_draft, open_episode
from tests.web.write_matrix_base import STORED, Target, Write, beyond_care, clinical, empty


def version(target: Target, key: str = "treatment_plan_id") -> int:
    return TreatmentPlan.objects.get(pk=target.id(key)).version


def create(target: Target) -> dict[str, object]:
    return {"episode": target.id("episode_id")}


def strengths(target: Target) -> dict[str, object]:
    return {"strengths": "Plays in a band; close to her sister.", "version": version(target)}


def problem(target: Target) -> dict[str, object]:
    return {"statement": "Sleeps four hours a night", "version": version(target)}


def remove(target: Target) -> dict[str, object]:
    return {"version": version(target)}


def agree(target: Target) -> dict[str, object]:
    return {
        "version": version(target, "complete_plan_id"),
        "kind": AgreementKind.VERBAL,
        "agreed_on": timezone.localdate().isoformat(),
        "participation": PARTICIPATION,
        "password": PASSWORD,
    }


def close(target: Target) -> dict[str, object]:
    return {"reason": CloseReason.GOALS_MET, "note": "", "password": PASSWORD}


CARE_TEAM = clinical(on=STORED, off=404, peer=STORED, registry=403)
OUTSIDE = beyond_care(CARE_TEAM)
ACTIVE = {"treatment_plan_id": "active_plan_id"}

WRITES: dict[str, Write] = {
    "web:plan_create": Write(create, CARE_TEAM, OUTSIDE),
    "web:plan_strengths": Write(strengths, CARE_TEAM, OUTSIDE),
    "web:plan_node_add": Write(problem, CARE_TEAM, OUTSIDE),
    "web:plan_node_edit": Write(problem, CARE_TEAM, OUTSIDE),
    "web:plan_node_remove": Write(remove, CARE_TEAM, OUTSIDE),
    "web:plan_activate": Write(
        agree, CARE_TEAM, OUTSIDE, swap={"treatment_plan_id": "complete_plan_id"}
    ),
    "web:plan_revise": Write(empty, CARE_TEAM, OUTSIDE, swap=ACTIVE),
    "web:plan_close": Write(close, CARE_TEAM, OUTSIDE, swap=ACTIVE),
}

READS = frozenset({"web:plan_list", "web:plan_view", "web:plan_print"})


def write_objects(clinic: Clinic) -> dict[str, int | str]:
    """A complete draft and an active plan of client_a, each on its own episode."""
    author, client = clinic.therapist_on_team, clinic.client_a
    complete = complete_draft(author, client, open_episode(clinic, client))
    active = activate(author, complete_draft(author, client, open_episode(clinic, client)))
    return {"complete_plan_id": complete.pk, "active_plan_id": active.pk}
