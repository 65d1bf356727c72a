"""Treatment plans: problems → goals → objectives → interventions, one plan per episode of care.

A plan is a draft until it is activated with the client's agreement (a signature or a verbal
attestation, with its date and a participation statement). From then on the database refuses
any change to the plan's content and tree (``plans.guards``, REL-01); the only way to change an
active plan is to revise it, which copies the tree into a new draft version that supersedes the
old one when it is activated. Old versions stay readable, nothing is deleted (REL-02): a node
removed from a draft is marked removed, and every save of a draft writes a ``PlanSnapshot`` in
the same transaction (REL-03). ``version`` is the draft's optimistic lock (REL-04); ``number``
is the plan's version as clinicians count it (1, 2, 3 …).

Every node carries its plan, so the whole tree of a plan loads in one query per level and the
database guard can tell a node's plan without a join.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.conf import settings
from django.db import models

from alliance.clients.models import Client, Episode
from alliance.core.models import UndeletableModel
from alliance.diagnoses.models import Diagnosis
from alliance.records.labels import PART2_LABELS
from alliance.records.models import DocumentVersion


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Revised (superseded by a newer version)"
    CLOSED = "closed", "Closed"


class AgreementKind(models.TextChoices):
    SIGNATURE = "signature", "The client signed the plan"
    VERBAL = "verbal", "The client agreed verbally (attested by the clinician)"


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    DISCHARGED = "discharged", "Client discharged from the episode"
    CLIENT_DECLINED = "client_declined", "Client declined further treatment"
    TRANSFERRED = "transferred", "Transferred to another service"
    WITHDRAWN = "withdrawn", "Draft withdrawn (never activated)"
    OTHER = "other", "Other (described below)"


class Modality(models.TextChoices):
    CBT = "cbt", "Cognitive behavioral therapy (CBT)"
    DBT = "dbt", "Dialectical behavior therapy (DBT)"
    ACT = "act", "Acceptance and commitment therapy (ACT)"
    EMDR = "emdr", "EMDR"
    IPT = "ipt", "Interpersonal therapy (IPT)"
    MI = "motivational_interviewing", "Motivational interviewing"
    FAMILY = "family_therapy", "Family therapy"
    GROUP = "group_therapy", "Group therapy"
    MEDICATION = "medication_management", "Medication management"
    CASE_MANAGEMENT = "case_management", "Case management"
    PEER_SUPPORT = "peer_support", "Peer support"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"


class Direction(models.TextChoices):
    BELOW = "below", "below"
    ABOVE = "above", "above"


class TreatmentPlan(UndeletableModel):
    """One version of a client's treatment plan for one episode of care."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="treatment_plans")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="treatment_plans")
    number = models.PositiveIntegerField("plan version", default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revision",
        help_text="The version this one revises.",
    )
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock of the draft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    strengths = models.TextField(
        "strengths and preferences", blank=True, help_text="What the client brings to treatment."
    )

    agreement_kind = models.CharField(max_length=10, choices=AgreementKind.choices, blank=True)
    agreed_on = models.DateField("date of the client's agreement", null=True, blank=True)
    agreement_name = models.CharField(
        "client's signature (name as signed)", max_length=200, blank=True
    )
    participation = models.TextField("participation statement", blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_due_on = models.DateField(null=True, blank=True)
    content_hash = models.CharField(
        "SHA-256 of the activated plan", max_length=64, blank=True, editable=False
    )

    superseded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.TextField(blank=True)

    class Meta:
        ordering = ["client_id", "-number", "-id"]
        indexes = [
            models.Index(fields=["client", "status"], name="plan_client_status_idx"),
            models.Index(fields=["status", "review_due_on"], name="plan_review_due_idx"),
        ]
        constraints = [
            # One active plan and one draft per episode, whoever races whom.
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="active"),
                name="plan_one_active_per_episode",
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="draft"),
                name="plan_one_draft_per_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan version {self.number} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE

    @property
    def security_labels(self) -> tuple[str, ...]:
        """SEC-19: a plan is its episode's, so a plan of a Part 2 program's episode carries the
        program's labels (``records.labels``); ``access.part2.episode_q`` hides it likewise."""
        return PART2_LABELS if self.episode.program.is_part2 else ()

    def review_state(self, today: date, warn_days: int) -> str:
        """ "overdue", "due" (within ``warn_days``) or "" for an active plan; "" otherwise."""
        if not self.is_active or self.review_due_on is None:
            return ""
        if self.review_due_on < today:
            return "overdue"
        if (self.review_due_on - today).days <= warn_days:
            return "due"
        return ""


_Node = TypeVar("_Node", bound=models.Model)


class LiveNodeManager(models.Manager[_Node]):
    """Nodes still in the plan: a node removed from a draft is kept, marked, never deleted."""

    def get_queryset(self) -> models.QuerySet[_Node]:
        return super().get_queryset().filter(removed_at__isnull=True)


class PlanNode(UndeletableModel):
    """What every node of the tree has: its plan, its place, its removal mark."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = LiveNodeManager()
    all_rows = models.Manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        base_manager_name = "all_rows"


class Problem(PlanNode):
    """A problem the plan addresses, linked to a diagnosis, in the client's own words too."""

    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.TextField("problem (clinical statement)")
    client_words = models.TextField("in the client's words", blank=True)

    class Meta(PlanNode.Meta):
        indexes = [models.Index(fields=["plan", "position"], name="plan_problem_idx")]

    def __str__(self) -> str:
        return f"problem {self.pk} of plan {self.plan_id}"


class Goal(PlanNode):
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="+")
    client_words = models.TextField("goal in the client's words")
    target = models.TextField("measurable target")

    class Meta(PlanNode.Meta):
        indexes = [models.Index(fields=["plan", "position"], name="plan_goal_idx")]

    def __str__(self) -> str:
        return f"goal {self.pk} of plan {self.plan_id}"


class Objective(PlanNode):
    """What will be measured, the target and its date; optionally bound to an instrument."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    description = models.TextField("what will be measured")
    target = models.CharField("target", max_length=300)
    target_date = models.DateField()
    instrument = models.CharField(
        "measured with", max_length=30, blank=True, help_text="An instrument code, or empty"
    )
    direction = models.CharField(max_length=5, choices=Direction.choices, blank=True)
    target_value = models.FloatField(null=True, blank=True)

    class Meta(PlanNode.Meta):
        indexes = [models.Index(fields=["plan", "position"], name="plan_objective_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(instrument="")
                | (~models.Q(direction="") & models.Q(target_value__isnull=False)),
                name="objective_instrument_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"objective {self.pk} of plan {self.plan_id}"


class Intervention(PlanNode):
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="+")
    modality = models.CharField(max_length=30, choices=Modality.choices)
    description = models.TextField("what will be done", blank=True)
    frequency = models.CharField(max_length=100, help_text="E.g. weekly, 50 minutes")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(PlanNode.Meta):
        indexes = [models.Index(fields=["plan", "position"], name="plan_intervention_idx")]

    def __str__(self) -> str:
        return f"intervention {self.pk} of plan {self.plan_id}"


class PlanSnapshot(DocumentVersion):
    """The whole plan as one save left it (REL-03). Append-only in the database."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="snapshots")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices)  # a plan's own states

    class Meta:
        ordering = ["plan_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="plan_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.version} of plan {self.plan_id}"
