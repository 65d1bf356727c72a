"""Access-matrix rows and census objects of the treatment plan pages (merged by the matrix test).

``treatment_plan_id`` is a draft plan of client_a with one problem (``plan_node_id``). Plans are
the care team's: reading needs CHART_READ, drafting CHART_WRITE, activating NOTE_SIGN (peer
specialists hold it with their certification); registry staff never see them.
"""

from __future__ import annotations

from django.utils import timezone

from alliance.clients.models import Episode
from alliance.plans.nodes import node_add
from alliance.plans.services import plan_create
from tests.personas import Clinic
from tests.web.matrix_notes import clinical

CARE_TEAM = clinical(on=200, off=404, peer=200, registry=403)

EXPECTED: dict[str, dict[str, object]] = {
    name: CARE_TEAM
    for name in (
        "web:plan_list",
        "web:plan_create",
        "web:plan_view",
        "web:plan_strengths",
        "web:plan_node_add",
        "web:plan_node_edit",
        "web:plan_node_remove",
        "web:plan_activate",
        "web:plan_revise",
        "web:plan_close",
        "web:plan_print",
    )
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters: a draft plan of client_a and its one problem."""
    author = clinic.therapist_on_team
    episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )
    plan = plan_create(actor=author, client=clinic.client_a, episode_id=episode.pk)
    problem = node_add(
        actor=author,
        plan=plan,
        kind="problem",
        parent_id="",
        values={"statement": "Low mood and withdrawal from friends"},
        version=plan.version,
    )
    return {"treatment_plan_id": plan.pk, "node_kind": "problem", "plan_node_id": problem.pk}
