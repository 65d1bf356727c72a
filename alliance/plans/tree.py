"""A plan's whole tree, loaded in a fixed number of queries, and its canonical form.

``load_tree`` runs one query per level (problems with their diagnoses, goals, objectives,
interventions with the responsible staff member) and one for the scores of every bound
objective, whatever the size of the plan. ``canonical`` is the plan as data: what a snapshot
stores and what the SHA-256 of an activated plan covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from alliance.plans.models import Goal, Intervention, Objective, Problem, TreatmentPlan
from alliance.plans.progress import ObjectiveProgress, ScoreHistory, progress_for
from alliance.records.canonical import canonical_day, canonical_time
from alliance.records.canonical import digest as canonical_digest


@dataclass
class ObjectiveNode:
    objective: Objective
    interventions: list[Intervention] = field(default_factory=list)
    progress: ObjectiveProgress | None = None


@dataclass
class GoalNode:
    goal: Goal
    objectives: list[ObjectiveNode] = field(default_factory=list)


@dataclass
class ProblemNode:
    problem: Problem
    goals: list[GoalNode] = field(default_factory=list)


@dataclass
class PlanTree:
    plan: TreatmentPlan
    problems: list[ProblemNode]

    def objectives(self) -> list[ObjectiveNode]:
        return [o for p in self.problems for g in p.goals for o in g.objectives]

    def counts(self) -> dict[str, int]:
        goals = [g for p in self.problems for g in p.goals]
        objectives = self.objectives()
        return {
            "problems": len(self.problems),
            "goals": len(goals),
            "objectives": len(objectives),
            "interventions": sum(len(o.interventions) for o in objectives),
        }

    def gaps(self) -> list[str]:
        """What activation still needs: every level filled under every node."""
        found = []
        if not self.problems:
            found.append("Add at least one problem.")
        for number, p in enumerate(self.problems, 1):
            if not p.goals:
                found.append(f"Problem {number} has no goal.")
            for g in p.goals:
                if not g.objectives:
                    found.append(f"A goal of problem {number} has no objective.")
                for o in g.objectives:
                    if not o.interventions:
                        found.append(f"An objective of problem {number} has no intervention.")
        return found


def episode_start(plan: TreatmentPlan) -> date:
    episode = plan.episode
    return episode.admission_date or episode.referral_date


def load_tree(plan: TreatmentPlan, *, with_progress: bool = True) -> PlanTree:
    """The plan's live nodes in order, each objective with its live progress."""
    problems = list(Problem.objects.filter(plan=plan).select_related("diagnosis"))
    goals = list(Goal.objects.filter(plan=plan))
    objectives = list(Objective.objects.filter(plan=plan))
    interventions = list(Intervention.objects.filter(plan=plan).select_related("responsible"))
    progress: dict[int, ObjectiveProgress] = {}
    if with_progress and objectives:
        progress = progress_for(
            client_id=plan.client_id, objectives=objectives, since=episode_start(plan)
        )
    by_objective: dict[int, ObjectiveNode] = {
        o.pk: ObjectiveNode(o, progress=progress.get(o.pk)) for o in objectives
    }
    for i in interventions:
        if i.objective_id in by_objective:
            by_objective[i.objective_id].interventions.append(i)
    by_goal: dict[int, GoalNode] = {g.pk: GoalNode(g) for g in goals}
    for node in by_objective.values():
        if node.objective.goal_id in by_goal:
            by_goal[node.objective.goal_id].objectives.append(node)
    by_problem: dict[int, ProblemNode] = {p.pk: ProblemNode(p) for p in problems}
    for goal_node in by_goal.values():
        if goal_node.goal.problem_id in by_problem:
            by_problem[goal_node.goal.problem_id].goals.append(goal_node)
    return PlanTree(plan, list(by_problem.values()))


# What the chart shows of an objective: its words, target and binding (no timestamps).
OBJECTIVE_SUMMARY = (
    "id",
    "plan_id",
    "goal_id",
    "position",
    "description",
    "target",
    "target_date",
    "instrument",
    "direction",
    "target_value",
)


class ObjectiveSummary(NamedTuple):
    """An objective as the chart shows it (``OBJECTIVE_SUMMARY``): a plain row, not a model
    instance; a plan of a hundred objectives spent a third of its section building those."""

    pk: int
    plan_id: int
    goal_id: int
    position: int
    description: str
    target: str
    target_date: date
    instrument: str
    direction: str
    target_value: float | None


@dataclass(frozen=True)
class ChartObjective:
    objective: ObjectiveSummary
    progress: ObjectiveProgress | None


def _objective_rows(plan_id: int) -> list[tuple[Any, ...]]:
    return list(
        Objective.objects.filter(plan_id=plan_id)
        .order_by("goal__problem__position", "goal__position", "position", "id")
        .values_list(*OBJECTIVE_SUMMARY)
    )


def load_objectives(
    plan: TreatmentPlan, history: ScoreHistory | None = None
) -> list[ChartObjective]:
    """Only the plan's objectives with live progress, in plan order: two queries (one with
    the client's score ``history``), for the chart, which shows the objectives of the active
    plan and not the rest of its tree."""
    objectives = [ObjectiveSummary(*row) for row in _objective_rows(plan.pk)]
    progress = progress_for(
        client_id=plan.client_id,
        objectives=objectives,
        since=episode_start(plan),
        history=history,
    )
    return [ChartObjective(o, progress.get(o.pk)) for o in objectives]


def copy_tree(tree: PlanTree, draft: TreatmentPlan) -> None:
    """Copy ``tree``'s live nodes, in order, into the new draft ``draft`` (a revision)."""
    for p in tree.problems:
        problem = Problem.objects.create(
            plan=draft,
            position=p.problem.position,
            diagnosis=p.problem.diagnosis,
            statement=p.problem.statement,
            client_words=p.problem.client_words,
        )
        for g in p.goals:
            goal = Goal.objects.create(
                plan=draft,
                problem=problem,
                position=g.goal.position,
                client_words=g.goal.client_words,
                target=g.goal.target,
            )
            for o in g.objectives:
                source = o.objective
                objective = Objective.objects.create(
                    plan=draft,
                    goal=goal,
                    position=source.position,
                    description=source.description,
                    target=source.target,
                    target_date=source.target_date,
                    instrument=source.instrument,
                    direction=source.direction,
                    target_value=source.target_value,
                )
                Intervention.objects.bulk_create(
                    Intervention(
                        plan=draft,
                        objective=objective,
                        position=i.position,
                        modality=i.modality,
                        description=i.description,
                        frequency=i.frequency,
                        responsible_id=i.responsible_id,
                    )
                    for i in o.interventions
                )


def canonical(tree: PlanTree) -> dict[str, Any]:
    """The plan as plain data (ids, texts, dates): snapshots and the signature use it."""
    plan = tree.plan
    return {
        "plan": plan.pk,
        "client": plan.client_id,
        "episode": plan.episode_id,
        "number": plan.number,
        "supersedes": plan.supersedes_id,
        "strengths": plan.strengths,
        "agreement": {
            "kind": plan.agreement_kind,
            "on": canonical_day(plan.agreed_on),
            "name": plan.agreement_name,
            "participation": plan.participation,
        },
        "activated_by": plan.activated_by_id,
        "activated_at": canonical_time(plan.activated_at),
        "review_due_on": canonical_day(plan.review_due_on),
        "problems": [
            {
                "id": p.problem.pk,
                "diagnosis": p.problem.diagnosis_id,
                "statement": p.problem.statement,
                "client_words": p.problem.client_words,
                "goals": [
                    {
                        "id": g.goal.pk,
                        "client_words": g.goal.client_words,
                        "target": g.goal.target,
                        "objectives": [
                            {
                                "id": o.objective.pk,
                                "description": o.objective.description,
                                "target": o.objective.target,
                                "target_date": canonical_day(o.objective.target_date),
                                "instrument": o.objective.instrument,
                                "direction": o.objective.direction,
                                "target_value": o.objective.target_value,
                                "interventions": [
                                    {
                                        "id": i.pk,
                                        "modality": i.modality,
                                        "description": i.description,
                                        "frequency": i.frequency,
                                        "responsible": i.responsible_id,
                                    }
                                    for i in o.interventions
                                ],
                            }
                            for o in g.objectives
                        ],
                    }
                    for g in p.goals
                ],
            }
            for p in tree.problems
        ],
    }


def digest(tree: PlanTree) -> str:
    """SHA-256 of the canonical plan (``records.canonical``)."""
    return canonical_digest(canonical(tree))


def signature_valid(tree: PlanTree) -> bool:
    """False when an activated plan no longer matches what was agreed (tampering)."""
    return not tree.plan.content_hash or tree.plan.content_hash == digest(tree)
