"""Reads of risk assessments, flags and safety plans (STYLE habit 3): actor first, through the
access policy, each read of a record audited; lists in a fixed number of queries.

A record is reached through its client (``policy.client_for``: a 404 outside the care
relationship, audited as a denied attempt). Drafts of risk assessments are their author's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from alliance.access.policy import ClientNotFound, client_for, clients_visible_to, relationship
from alliance.assessments.models import CriticalAlert
from alliance.audit.actions import AuditAction, AuditPurpose, AuditSeverity
from alliance.audit.reads import read_record
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.safety.base import SafetyRecordNotFound
from alliance.safety.models import (
    DocumentStatus,
    RiskAssessment,
    RiskAssessmentAddendum,
    RiskFlag,
    RiskFlagEvent,
    SafetyPlan,
    SafetyPlanLink,
    SafetyPlanVersion,
)
from alliance.safety.review import REVIEW_EVENT_PARTS, PlanReview, plan_reviews_due
from alliance.safety.screeners import screeners_snapshot
from alliance.safety.signing import (
    addendum_signature_valid,
    assessment_signature_valid,
    plan_version_signature_valid,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

RECENT_ASSESSMENTS = 5


def _client(
    actor: User, client_id: object, capability: Capability, kind: str, oid: object
) -> Client:
    try:
        return client_for(actor=actor, client_id=str(client_id), capability=capability)
    except ClientNotFound:
        audit_refused(actor=actor, client_id=client_id, object_type=kind, object_id=oid)
        raise SafetyRecordNotFound from None


def _viewed(actor: User, client: Client, target: object, detail: dict[str, object]) -> None:
    """Record the read (once per request, ``audit.reads``); a broken signature is high."""
    link = relationship(actor=actor, client=client)
    intact = detail.get("signature") != "mismatch"
    read_record(
        actor=actor,
        client=client,
        target=target,  # type: ignore[arg-type]
        purpose=AuditPurpose(link.purpose),
        severity=AuditSeverity.NORMAL if intact else AuditSeverity.HIGH,
        detail=detail,
    )


# ------------------------------------------------------------------------------------ flags


def flags_by_client(*, actor: User, client_ids: Collection[int]) -> dict[int, list[RiskFlag]]:
    """Active flags of the listed clients the actor may read the chart of, in one query
    (plus the policy's own memoised lookups) whatever the number of clients."""
    ids = list(client_ids)
    if not ids or not actor.has_capability(Capability.CHART_READ):
        return {}  # the front desk sees no clinical flag
    visible = clients_visible_to(actor=actor, capability=Capability.CHART_READ)
    grouped: dict[int, list[RiskFlag]] = {}
    for flag in RiskFlag.objects.filter(client_id__in=ids, active=True, client__in=visible):
        grouped.setdefault(flag.client_id, []).append(flag)
    return grouped


@dataclass(frozen=True)
class FlagsPage:
    client: Client
    flags: list[RiskFlag]
    events: list[RiskFlagEvent]

    @property
    def active(self) -> list[RiskFlag]:
        return [f for f in self.flags if f.active]


def flags_page_for(*, actor: User, client_id: object) -> FlagsPage:
    """Every flag of the client, active or cleared, with its whole history (audited)."""
    client = _client(actor, client_id, Capability.CHART_READ, "safety.RiskFlag", "all")
    flags = list(RiskFlag.objects.filter(client=client))
    events = list(
        RiskFlagEvent.objects.filter(flag__client=client)
        .select_related("flag", "actor", "assessment")
        .order_by("-at", "-id")
    )
    _viewed(actor, client, client, {"view": "risk_flags", "flags": [f.pk for f in flags]})
    return FlagsPage(client, flags, events)


def flag_for_review(*, actor: User, client_id: object, flag_id: object) -> RiskFlag:
    """An active flag of the client to review, its read audited (the review page shows the
    flag; a review that is saved records the write instead)."""
    client = _client(actor, client_id, Capability.CHART_WRITE, "safety.RiskFlag", flag_id)
    flag = RiskFlag.objects.filter(pk=_int(flag_id), client=client, active=True).first()
    if flag is None:
        audit_refused(
            actor=actor, client_id=client.pk, object_type="safety.RiskFlag", object_id=flag_id
        )
        raise SafetyRecordNotFound
    flag.client = client
    _viewed(actor, client, flag, {"view": "risk_flag_review", "kind": flag.kind})
    return flag


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


# ------------------------------------------------------------------------------ assessments


def assessment_for(
    *,
    actor: User,
    client_id: object,
    assessment_id: object,
    capability: Capability = Capability.CHART_READ,
    own: bool = False,
) -> RiskAssessment:
    """One assessment, its read audited; a draft only for its author. ``own``: only the
    author's (to edit, sign or withdraw)."""
    kind = "safety.RiskAssessment"
    client = _client(actor, client_id, capability, kind, assessment_id)
    query = Q(status=DocumentStatus.SIGNED) | Q(author=actor)
    if own:
        query = Q(author=actor)
    assessment = (
        RiskAssessment.objects.filter(query, pk=_int(assessment_id), client=client)
        .select_related("author", "signed_by", "entered_in_error_by", "alert")
        .first()
    )
    if assessment is None:
        audit_refused(actor=actor, client_id=client.pk, object_type=kind, object_id=assessment_id)
        raise SafetyRecordNotFound
    assessment.client = client
    assessment_viewed(actor=actor, assessment=assessment)
    return assessment


def assessment_viewed(*, actor: User, assessment: RiskAssessment) -> None:
    intact = not assessment.is_signed or assessment_signature_valid(assessment)
    detail: dict[str, object] = {"status": assessment.status}
    if not intact:
        detail["signature"] = "mismatch"
    _viewed(actor, assessment.client, assessment, detail)


@dataclass(frozen=True)
class AssessmentDetail:
    signature_ok: bool
    addenda: list[tuple[RiskAssessmentAddendum, bool]]
    screeners: list[dict[str, object]]


def assessment_detail(*, assessment: RiskAssessment) -> AssessmentDetail:
    """Signature checks, addenda, and the screeners: the signed snapshot, or live for a draft."""
    addenda = [
        (a, addendum_signature_valid(a, assessment))
        for a in assessment.addenda.select_related("author").order_by("written_at", "id")
    ]
    return AssessmentDetail(
        signature_ok=not assessment.is_signed or assessment_signature_valid(assessment),
        addenda=addenda,
        screeners=assessment.screeners
        if assessment.is_signed
        else screeners_snapshot(client_id=assessment.client_id),
    )


def alert_of_client(*, client: Client, alert_id: object) -> CriticalAlert | None:
    """One of ``client``'s alerts (the caller has opened the client) to link an assessment to."""
    if not alert_id:
        return None
    return CriticalAlert.objects.filter(pk=_int(alert_id), client=client).first()


# ---------------------------------------------------------------------------------- plans


@dataclass
class PlanPage:
    client: Client
    plan: SafetyPlan | None
    versions: list[SafetyPlanVersion] = field(default_factory=list)
    links: list[SafetyPlanLink] = field(default_factory=list)
    review: PlanReview | None = None

    @property
    def current(self) -> SafetyPlanVersion | None:
        return next((v for v in self.versions if v.is_signed), None)

    @property
    def draft(self) -> SafetyPlanVersion | None:
        return next((v for v in self.versions if v.is_draft), None)

    @property
    def signature_ok(self) -> bool:
        current = self.current
        return current is None or plan_version_signature_valid(current, self.client.pk)


def _plan_page(
    client: Client, *, with_links: bool = True, presence: Presence = UNKNOWN
) -> PlanPage:
    plan = None
    if presence.may_have(SAFETY_PLAN):
        plan = SafetyPlan.objects.filter(client=client).first()
    review = None
    # A review is prompted by an event (``review.REVIEW_EVENT_SOURCES``): none, no prompt.
    if any(presence.may_have(part) for part in REVIEW_EVENT_PARTS):
        review = plan_reviews_due(client_ids=[client.pk]).get(client.pk)
    page = PlanPage(client, plan, review=review)
    if plan is not None:
        page.versions = list(
            plan.versions.select_related("signed_by", "written_by").order_by("-number")
        )
        if with_links:
            page.links = list(plan.links.select_related("created_by").order_by("-created_at"))
    return page


def plan_page_for(
    *,
    actor: User,
    client_id: object,
    capability: Capability = Capability.CHART_READ,
) -> PlanPage:
    """The client's safety plan (its read audited): versions newest first, links, and
    whether review is due."""
    client = _client(actor, client_id, capability, "safety.SafetyPlan", "current")
    page = _plan_page(client)
    current = page.current
    _viewed(
        actor,
        client,
        current or client,
        {
            "view": "safety_plan",
            "plan_version": current.number if current else None,
            **({} if page.signature_ok else {"signature": "mismatch"}),
        },
    )
    return page


def plan_version_for(
    *,
    actor: User,
    client_id: object,
    version_id: object,
    capability: Capability = Capability.CHART_READ,
    action: AuditAction = AuditAction.RECORD_VIEW,
    signed_only: bool = False,
) -> SafetyPlanVersion:
    """One version of the client's plan (any, signed or draft: the plan is the team's), or
    only a signed one (``signed_only``: what may be printed and handed to the client). Its
    read is audited; ``action=EXPORT`` (printing) is recorded at once as an export."""
    kind = "safety.SafetyPlanVersion"
    client = _client(actor, client_id, capability, kind, version_id)
    versions = SafetyPlanVersion.objects.filter(pk=_int(version_id), plan__client=client)
    if signed_only:
        versions = versions.filter(status=DocumentStatus.SIGNED)
    version = versions.select_related("plan", "signed_by", "written_by").first()
    if version is None:
        audit_refused(actor=actor, client_id=client.pk, object_type=kind, object_id=version_id)
        raise SafetyRecordNotFound
    version.plan.client = client
    ok = not version.is_signed or plan_version_signature_valid(version, client.pk)
    detail = {"plan_version": version.number, **({} if ok else {"signature": "mismatch"})}
    if action == AuditAction.RECORD_VIEW:
        _viewed(actor, client, version, detail)
        return version
    audit_record(
        actor=actor,
        action=action,
        client=client,
        target=version,
        purpose=AuditPurpose(relationship(actor=actor, client=client).purpose),
        severity=AuditSeverity.NORMAL if ok else AuditSeverity.HIGH,
        detail=detail,
    )
    return version


# ----------------------------------------------------------------------------------- chart


@dataclass
class SafetyChart:
    """The chart's "Safety" section: flags, the plan and its review prompt, assessments."""

    flags: list[RiskFlag]
    plan: PlanPage
    assessments: list[RiskAssessment]
    today: object = None


# The parts of a record the chart asks about before reading them (``core.presence``).
ASSESSMENTS = Part(
    "safety.assessments",
    lambda client_id: RiskAssessment.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM safety_riskassessment WHERE client_id = %s",
)
FLAGS = Part(
    "safety.flags",
    lambda client_id: RiskFlag.objects.filter(client_id=client_id, active=True),
    "SELECT COUNT(*) FROM safety_riskflag WHERE client_id = %s AND active",
)
SAFETY_PLAN = Part(
    "safety.plan",
    lambda client_id: SafetyPlan.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM safety_safetyplan WHERE client_id = %s",
)
CHART_PARTS = (ASSESSMENTS, FLAGS, SAFETY_PLAN, *REVIEW_EVENT_PARTS)


def safety_for_chart(*, actor: User, client: Client, presence: Presence = UNKNOWN) -> SafetyChart:
    """For a chart the caller has already opened and audited (a fixed number of queries)."""
    assessments: list[RiskAssessment] = []
    if presence.may_have(ASSESSMENTS):
        assessments = list(
            RiskAssessment.objects.filter(client=client)
            .filter(Q(status=DocumentStatus.SIGNED) | Q(author=actor))
            .select_related("author", "signed_by")
            .order_by("-created_at", "-id")[:RECENT_ASSESSMENTS]
        )
    flags: list[RiskFlag] = []
    if presence.may_have(FLAGS):
        flags = list(RiskFlag.objects.filter(client=client, active=True))
    return SafetyChart(
        flags=flags,
        plan=_plan_page(client, with_links=False, presence=presence),  # no client links here
        assessments=assessments,
        today=timezone.localdate(),
    )
