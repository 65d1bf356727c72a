"""Writing treatment plans (STYLE habit 2): validate, check access, write, audit, together.

Lifecycle: ``plan_create`` (a draft for an open episode) → draft edits (``plans.nodes``) →
``plan_activate`` (NOTE_SIGN, the password again, the client's agreement) → ``plan_revise``
(a new draft copying the tree; it supersedes the old version when activated) → ``plan_close``.
Every change of a draft is the records kernel's atomic ``UPDATE … WHERE version = n``
(``records.lifecycle.draft_claim``, REL-04) followed by a ``PlanSnapshot`` of the whole plan in
the same transaction (REL-03); activation records the SHA-256 of the plan's canonical form
(``records.canonical``) and then the database refuses any
change to an activated plan (``plans.guards``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import client_for, has_capability
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.clients.models import Client, Episode
from alliance.plans.models import (
    AgreementKind,
    CloseReason,
    PlanSnapshot,
    PlanStatus,
    TreatmentPlan,
)
from alliance.plans.tree import canonical, copy_tree, digest, load_tree
from alliance.records import lifecycle
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.records.reasons import reason_problem
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up

MINIMUM_PARTICIPATION = 20


@dataclass(frozen=True)
class Agreement:
    """How the client agreed to the plan (recorded at activation)."""

    kind: str
    agreed_on: date
    participation: str
    signed_name: str = ""


def review_days() -> int:
    return int(getattr(settings, "PLAN_REVIEW_DAYS", 90))


# ---------------------------------------------------------------------------------- helpers


def writable(actor: User, plan: TreatmentPlan) -> Client:
    """The plan's client if the actor may write to the chart (else ``ClientNotFound``)."""
    return client_for(actor=actor, client_id=plan.client_id, capability=Capability.CHART_WRITE)


def reload_plan(plan: TreatmentPlan) -> TreatmentPlan:
    return TreatmentPlan.objects.select_related("client", "episode__program").get(pk=plan.pk)


def _canonical(plan: TreatmentPlan) -> dict[str, Any]:
    return canonical(load_tree(plan, with_progress=False))


PLAN = lifecycle.DocumentKind(
    label="treatment plan",
    model=TreatmentPlan,
    reload=reload_plan,
    signature=_canonical,
    version_model=PlanSnapshot,  # the whole tree, as data
    version_parent="plan",
    version_content=_canonical,
    signer_column=False,  # activated, with the client's agreement, rather than signed
    entered_in_error=False,  # closed or withdrawn instead
)


def snapshot(plan: TreatmentPlan, actor: User, when: datetime) -> None:
    """Write the plan as it stands now (call inside the writing transaction)."""
    PLAN.write_version(plan, actor, when)


def bump(plan: TreatmentPlan, version: int, now: datetime) -> TreatmentPlan:
    """Claim the next version of the draft or raise ``StaleDraft``/``DocumentLocked``; call
    inside the transaction before writing, so two saves from version n cannot both succeed."""
    claimed: TreatmentPlan = lifecycle.draft_claim(PLAN, plan, lock=version, now=now)
    return claimed


# ------------------------------------------------------------------------------- creating


def plan_create(*, actor: User, client: Client, episode_id: int) -> TreatmentPlan:
    """A new draft (version 1 of its lineage) for an open episode of the client."""
    client = client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_WRITE)
    # A Part 2 program's episode exists only for its own staff (``access.part2``).
    visible = part2.episode_q(part2.programs_open_to(actor, client))
    episode = Episode.objects.filter(visible, pk=episode_id, client=client).first()
    if episode is None or episode.discharge_date is not None:
        raise ValidationError({"episode": ["Choose one of the client's open episodes of care."]})
    existing = {
        status
        for status in TreatmentPlan.objects.filter(
            episode=episode, status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
        ).values_list("status", flat=True)
    }
    if PlanStatus.DRAFT in existing:
        raise ValidationError({"episode": ["This episode already has a draft plan: edit it."]})
    if PlanStatus.ACTIVE in existing:
        raise ValidationError({"episode": ["This episode has an active plan: revise it instead."]})
    number = (
        TreatmentPlan.objects.filter(episode=episode).aggregate(top=Max("number"))["top"] or 0
    ) + 1
    now = timezone.now()
    try:
        with transaction.atomic():
            plan = TreatmentPlan.objects.create(
                client=client, episode=episode, number=number, created_by=actor
            )
            snapshot(plan, actor, now)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                client=client,
                target=plan,
                detail={"episode": episode.pk, "number": number},
            )
    except IntegrityError:
        raise ValidationError(
            {"episode": ["Someone else just started a plan for this episode."]}
        ) from None
    return plan


def plan_save(*, actor: User, plan: TreatmentPlan, strengths: str, version: int) -> TreatmentPlan:
    """Save the draft's own text (strengths and preferences)."""
    writable(actor, plan)
    now = timezone.now()
    with transaction.atomic():
        current = bump(plan, version, now)
        TreatmentPlan.objects.filter(pk=plan.pk).update(strengths=strengths.strip())
        current = reload_plan(plan)
        snapshot(current, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=plan.client_id,
            target=current,
            detail={"fields": ["strengths"], "version": current.version},
        )
    return current


# ------------------------------------------------------------------------------ activation


def _agreement_errors(agreement: Agreement, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if agreement.kind not in AgreementKind.values:
        errors["kind"] = ["Say how the client agreed to the plan."]
    elif agreement.kind == AgreementKind.SIGNATURE and not agreement.signed_name.strip():
        errors["signed_name"] = ["Type the name the client signed with."]
    if agreement.agreed_on > today:
        errors["agreed_on"] = ["The client cannot have agreed in the future."]
    elif agreement.agreed_on < today - timedelta(days=30):
        errors["agreed_on"] = ["An agreement older than 30 days needs a new conversation."]
    if len(agreement.participation.strip()) < MINIMUM_PARTICIPATION:
        errors["participation"] = [
            "Describe how the client took part in writing the plan "
            f"(at least {MINIMUM_PARTICIPATION} characters)."
        ]
    return errors


def plan_activate(
    *, actor: User, plan: TreatmentPlan, version: int, agreement: Agreement, password: str
) -> TreatmentPlan:
    """Activate the draft as it stands at ``version`` with the client's agreement.

    Needs ``NOTE_SIGN`` and the actor's password again (SEC-08). A revision supersedes the
    version it revises in the same transaction. Records the SHA-256 of the plan; from then on
    the database refuses any change to it (REL-01). Review is due ``PLAN_REVIEW_DAYS`` later.
    """
    writable(actor, plan)
    if not has_capability(actor, Capability.NOTE_SIGN):
        raise ValidationError("Your scope of practice does not include activating plans.")
    if not plan.is_draft:
        raise DocumentLocked
    today = timezone.localdate()
    errors = _agreement_errors(agreement, today)
    if errors:
        raise ValidationError(errors)
    step_up(actor, password, client_id=plan.client_id, target=plan, step="activate")
    current = reload_plan(plan)
    if current.version != version:
        raise StaleDraft(current)
    if current.episode.discharge_date is not None:
        raise ValidationError("The episode of care has ended: this plan cannot be activated.")
    gaps = load_tree(current, with_progress=False).gaps()
    if gaps:
        raise ValidationError(gaps, code="incomplete")
    now = timezone.now()
    with transaction.atomic():
        current = bump(plan, version, now)
        if current.supersedes_id is not None:
            TreatmentPlan.objects.filter(pk=current.supersedes_id, status=PlanStatus.ACTIVE).update(
                status=PlanStatus.SUPERSEDED, superseded_at=now, updated_at=now
            )
        current.status = PlanStatus.ACTIVE
        current.agreement_kind = agreement.kind
        current.agreed_on = agreement.agreed_on
        current.agreement_name = (
            agreement.signed_name.strip() if agreement.kind == AgreementKind.SIGNATURE else ""
        )
        current.participation = agreement.participation.strip()
        current.activated_at, current.activated_by = now, actor
        current.review_due_on = timezone.localtime(now).date() + timedelta(days=review_days())
        current.content_hash = digest(load_tree(current, with_progress=False))
        # One UPDATE of a draft row: the guard locks it from the next statement on.
        current.save(
            update_fields=[
                "status",
                "agreement_kind",
                "agreed_on",
                "agreement_name",
                "participation",
                "activated_at",
                "activated_by",
                "review_due_on",
                "content_hash",
                "updated_at",
            ]
        )
        snapshot(current, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=plan.client_id,
            target=current,
            detail={
                "activated": True,
                "version": current.version,
                "sha256": current.content_hash,
                "agreement": agreement.kind,
                "supersedes": current.supersedes_id,
            },
        )
    return reload_plan(plan)


# ------------------------------------------------------------------------ revise and close


def plan_revise(*, actor: User, plan: TreatmentPlan) -> TreatmentPlan:
    """A new draft version copying the active plan's tree; the old one stays active until
    the new one is activated (then it is superseded, and stays readable)."""
    client = writable(actor, plan)
    current = reload_plan(plan)
    if not current.is_active:
        raise ValidationError("Only the active plan can be revised.")
    if TreatmentPlan.objects.filter(episode=current.episode, status=PlanStatus.DRAFT).exists():
        raise ValidationError("A revision of this plan is already in progress.")
    tree = load_tree(current, with_progress=False)
    now = timezone.now()
    try:
        with transaction.atomic():
            draft = TreatmentPlan.objects.create(
                client=client,
                episode=current.episode,
                number=current.number + 1,
                supersedes=current,
                created_by=actor,
                strengths=current.strengths,
            )
            copy_tree(tree, draft)
            snapshot(draft, actor, now)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                client=client,
                target=draft,
                detail={"revises": current.pk, "number": draft.number},
            )
    except IntegrityError:
        raise ValidationError("A revision of this plan is already in progress.") from None
    return draft


def plan_close(
    *, actor: User, plan: TreatmentPlan, reason: str, note: str, password: str = ""
) -> TreatmentPlan:
    """Close an active plan (NOTE_SIGN, password again) or withdraw a draft, with a reason."""
    writable(actor, plan)
    current = reload_plan(plan)
    if current.status not in (PlanStatus.DRAFT, PlanStatus.ACTIVE):
        raise ValidationError("This plan is already closed or superseded.")
    errors: dict[str, list[str]] = {}
    if reason not in CloseReason.values:
        errors["reason"] = ["Choose why the plan is closed."]
    elif reason == CloseReason.WITHDRAWN and current.is_active:
        errors["reason"] = ["An active plan is not withdrawn: choose another reason."]
    problem = reason_problem(note) if reason == CloseReason.OTHER else ""
    if problem:
        errors["note"] = [f"Describe the reason {problem}."]
    if errors:
        raise ValidationError(errors)
    if current.is_active:
        if not has_capability(actor, Capability.NOTE_SIGN):
            raise ValidationError("Your scope of practice does not include closing plans.")
        step_up(actor, password, client_id=current.client_id, target=current, step="close")
    now = timezone.now()
    with transaction.atomic():
        done = TreatmentPlan.objects.filter(pk=plan.pk, status=current.status).update(
            status=PlanStatus.CLOSED,
            closed_at=now,
            closed_by=actor,
            close_reason=reason,
            close_note=note.strip(),
            updated_at=now,
        )
        if done != 1:
            raise ValidationError("This plan changed meanwhile: reload it.")
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=plan.client_id,
            target=current,
            detail={"closed": reason, "was": current.status},
        )
    return reload_plan(plan)
