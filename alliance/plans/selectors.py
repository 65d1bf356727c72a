"""Reads of treatment plans (STYLE habit 3): actor first, through the access policy, audited.

A plan is reached through its client (``policy.client_for``: a 404 outside the care
relationship, identical to a plan that does not exist). ``chart_plan_for`` and
``note_plan_progress`` serve pages the caller has already opened and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from alliance.access import part2
from alliance.access.models import CareTeamMember
from alliance.access.policy import ClientNotFound, client_for, clients_visible_to, relationship
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.reads import read_record
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client, Episode
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.diagnoses.models import CURRENT_STATUSES, Diagnosis
from alliance.plans.addressed import Rating, addressed_in
from alliance.plans.models import Objective, PlanStatus, TreatmentPlan
from alliance.plans.progress import ObjectiveProgress, ScoreHistory, progress_for
from alliance.plans.tree import (
    ChartObjective,
    PlanTree,
    load_objectives,
    load_tree,
    signature_valid,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

REVIEW_WARNING_DAYS = 14


class PlanNotFound(Http404):
    """No such plan, or not one this actor may see: deliberately the same answer."""


def plan_viewed(
    *, actor: User, plan: TreatmentPlan, detail: dict[str, object] | None = None
) -> None:
    """Record that ``actor`` read ``plan`` (once per request, ``audit.reads``)."""
    link = relationship(actor=actor, client=plan.client)
    read_record(
        actor=actor,
        client=plan.client,
        target=plan,
        purpose=AuditPurpose(link.purpose),
        detail={"status": plan.status, "number": plan.number, **(detail or {})},
    )


def plan_printed(*, actor: User, plan: TreatmentPlan) -> None:
    """A PDF of the plan left the system: audited as an export (SEC-23)."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        client=plan.client,
        target=plan,
        purpose=AuditPurpose(relationship(actor=actor, client=plan.client).purpose),
        detail={"format": "pdf", "number": plan.number, "status": plan.status},
    )


def plan_for(
    *,
    actor: User,
    client_id: object,
    plan_id: object,
    capability: Capability = Capability.CHART_READ,
) -> TreatmentPlan:
    """One plan of the client, its read audited, if ``actor`` may use ``capability`` on the
    client; else 404 (audited as a denied attempt)."""
    try:
        client_pk, plan_pk = int(str(client_id)), int(str(plan_id))
        client = client_for(actor=actor, client_id=client_pk, capability=capability)
    except (ValueError, ClientNotFound):
        audit_refused(
            actor=actor, client_id=client_id, object_type="plans.TreatmentPlan", object_id=plan_id
        )
        raise PlanNotFound from None
    plan = (
        TreatmentPlan.objects.filter(pk=plan_pk, client=client)
        .filter(part2.episode_q(part2.programs_open_to(actor, client), "episode__"))
        .select_related("episode__program", "created_by", "activated_by", "closed_by")
        .first()
    )
    if plan is None:
        audit_refused(
            actor=actor, client_id=client_pk, object_type="plans.TreatmentPlan", object_id=plan_id
        )
        raise PlanNotFound
    plan.client = client
    plan_viewed(actor=actor, plan=plan)
    return plan


@dataclass(frozen=True)
class PlanPage:
    tree: PlanTree
    signature_ok: bool
    versions: list[TreatmentPlan]
    review_state: str


def plan_page(*, plan: TreatmentPlan) -> PlanPage:
    """The plan's tree with live progress, its signature check and its other versions."""
    tree = load_tree(plan)
    versions = list(
        TreatmentPlan.objects.filter(episode_id=plan.episode_id).order_by("-number", "-id")
    )
    return PlanPage(
        tree=tree,
        signature_ok=signature_valid(tree),
        versions=versions,
        review_state=plan.review_state(timezone.localdate(), REVIEW_WARNING_DAYS),
    )


@dataclass(frozen=True)
class ClientPlans:
    plans: list[TreatmentPlan]
    open_episodes: list[Episode]


def plans_for_client(*, actor: User, client: Client) -> ClientPlans:
    """Every plan of the client, newest first, with the episodes a new plan could be for.
    The caller opened the client through the policy (and audited it)."""
    client = client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_READ)
    plans = list(
        TreatmentPlan.objects.filter(client=client)
        .filter(part2.episode_q(part2.programs_open_to(actor, client), "episode__"))
        .select_related("episode__program", "created_by", "activated_by")
        .order_by("-created_at", "-id")
    )
    episodes = list(
        Episode.objects.filter(client=client, discharge_date__isnull=True)
        .filter(part2.episode_q(part2.programs_open_to(actor, client)))
        .select_related("program")
    )
    return ClientPlans(plans, episodes)


@dataclass(frozen=True)
class ActivePlan:
    plan: TreatmentPlan
    objectives: list[ChartObjective]
    review_state: str


@dataclass(frozen=True)
class ChartPlan:
    """The chart's Treatment plan section: the active plan(s) with progress, and drafts."""

    active: list[ActivePlan]
    drafts: list[TreatmentPlan]


# The chart asks whether the record has any before reading them (``core.presence``).
CURRENT_PLANS = Part(
    "plans.current",
    lambda client_id: TreatmentPlan.objects.filter(
        client_id=client_id, status__in=[PlanStatus.ACTIVE, PlanStatus.DRAFT]
    ),
    "SELECT COUNT(*) FROM plans_treatmentplan WHERE client_id = %s"
    " AND status IN ('active', 'draft')",
)
CHART_PARTS = (CURRENT_PLANS,)


def _current_plans(client_id: int) -> list[TreatmentPlan]:
    return list(
        TreatmentPlan.objects.filter(
            part2.viewer_episode_q(client_id),
            client_id=client_id,
            status__in=[PlanStatus.ACTIVE, PlanStatus.DRAFT],
        )
        .select_related("episode__program")
        .order_by("episode_id", "-number")
    )


def chart_plan_for(
    *, client: Client, presence: Presence = UNKNOWN, history: ScoreHistory | None = None
) -> ChartPlan:
    """For a chart the caller has opened (and audited): the active plans' objectives with live
    progress. One query for the plans, two per active plan (objectives, scores), whatever the
    number of objectives."""
    if not presence.may_have(CURRENT_PLANS):
        return ChartPlan(active=[], drafts=[])
    plans = _current_plans(client.pk)
    today = timezone.localdate()
    return ChartPlan(
        active=[
            ActivePlan(p, load_objectives(p, history), p.review_state(today, REVIEW_WARNING_DAYS))
            for p in plans
            if p.is_active
        ],
        drafts=[p for p in plans if p.is_draft],
    )


@dataclass(frozen=True)
class ReviewDue:
    plan: TreatmentPlan
    overdue: bool
    days: int


def plan_reviews_due_for(*, actor: User) -> list[ReviewDue]:
    """Active plans of clients on the actor's care teams whose review is due within two weeks
    or overdue, most urgent first. Audited with the ids of the clients listed (SEC-23)."""
    today = timezone.localdate()
    team = CareTeamMember.objects.filter(CareTeamMember.active_q(today), staff=actor).values(
        "client_id"
    )
    plans = list(
        TreatmentPlan.objects.filter(
            status=PlanStatus.ACTIVE,
            review_due_on__lte=today + timedelta(days=REVIEW_WARNING_DAYS),
            client__in=clients_visible_to(actor=actor, capability=Capability.CHART_READ),
            client_id__in=team,
        )
        .filter(part2.episode_q(part2.member_program_ids(actor), "episode__"))
        .select_related("client", "episode__program")
        .order_by("review_due_on", "id")
    )
    rows = []
    for plan in plans:
        assert plan.review_due_on is not None
        rows.append(ReviewDue(plan, plan.review_due_on < today, (plan.review_due_on - today).days))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            detail={"view": "plan_reviews", "client_ids": sorted({r.plan.client_id for r in rows})},
        )
    return rows


@dataclass(frozen=True)
class NoteObjective:
    """An objective a progress note can address, with its live progress."""

    objective: Objective
    plan: TreatmentPlan
    progress: ObjectiveProgress


def active_objectives_for(*, client: Client) -> list[NoteObjective]:
    """Objectives of the client's active plan(s), in plan order, with live progress (for a
    note page the caller has opened through the policy). Two queries plus one for scores."""
    plans = {
        p.pk: p
        for p in TreatmentPlan.objects.filter(
            part2.viewer_episode_q(client), client=client, status=PlanStatus.ACTIVE
        ).select_related("episode")
    }
    if not plans:
        return []
    objectives = list(
        Objective.objects.filter(plan_id__in=list(plans))
        .select_related("goal")
        .order_by("plan_id", "goal__position", "position", "id")
    )
    since = min(p.episode.admission_date or p.episode.referral_date for p in plans.values())
    progress = progress_for(client_id=client.pk, objectives=objectives, since=since)
    return [NoteObjective(o, plans[o.plan_id], progress[o.pk]) for o in objectives]


def progress_of(*, client: Client, objective_ids: list[int]) -> dict[int, ObjectiveProgress]:
    """Live progress of the given objectives of ``client`` (those a note addressed), whatever
    version of the plan they belong to now. One query for the objectives, one for scores."""
    objectives = list(
        Objective.all_rows.filter(pk__in=objective_ids, plan__client=client).select_related(
            "plan__episode"
        )
    )
    if not objectives:
        return {}
    since = min(o.plan.episode.admission_date or o.plan.episode.referral_date for o in objectives)
    return progress_for(client_id=client.pk, objectives=objectives, since=since)


@dataclass(frozen=True)
class DraftChoices:
    """What the draft forms offer: the client's current diagnoses and care team."""

    diagnoses: list[Diagnosis]
    team: list[User]


def draft_choices_for(*, client: Client) -> DraftChoices:
    today = timezone.localdate()
    diagnoses = list(
        Diagnosis.objects.filter(
            part2.visible_q(client), client=client, status__in=CURRENT_STATUSES
        ).order_by("-is_primary", "icd10_code")
    )
    team = list(
        User.objects.filter(
            care_team_roles__in=CareTeamMember.objects.filter(
                CareTeamMember.active_q(today), client=client
            ),
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    return DraftChoices(diagnoses, team)


@dataclass(frozen=True)
class AddressedObjective:
    """One objective a note addressed: what the note says, and where it stands today."""

    entry: dict[str, object]
    rating_label: str
    progress: ObjectiveProgress | None


def addressed_with_progress(
    *, client: Client, content: dict[str, object]
) -> list[AddressedObjective]:
    """The objectives a note addressed (as saved in it), each with its live progress now."""
    entries = addressed_in(content)
    ids = [int(str(e["objective"])) for e in entries if "objective" in e]
    progress = progress_of(client=client, objective_ids=ids) if ids else {}
    labels = dict(Rating.choices)
    return [
        AddressedObjective(
            e,
            str(labels.get(str(e.get("rating")), e.get("rating"))),
            progress.get(int(str(e.get("objective", 0)))),
        )
        for e in entries
    ]
