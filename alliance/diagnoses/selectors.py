"""Reads of the problem list (STYLE habit 3).

``problems_for_chart`` and ``problem_list_for`` serve a chart or page the caller has already
opened through the access policy (and audited); ``diagnosis_for`` finds a diagnosis only under
the client it belongs to (SEC-11); ``cosign_queue_for`` is the supervisor's list, audited with
the clients it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import clients_visible_to, supervisee_ids
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.diagnoses import icd10
from alliance.diagnoses.models import (
    CURRENT_STATUSES,
    CosignStatus,
    Diagnosis,
    DiagnosisChange,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

# Order of the current problems: what is active before what is provisional or in remission.
_STATUS_ORDER: dict[str, int] = {str(s): rank for rank, s in enumerate(CURRENT_STATUSES)}


@dataclass(frozen=True)
class ChartProblems:
    """The Problems section of a chart: current problems first, then the closed ones."""

    current: list[Diagnosis]
    past: list[Diagnosis]

    @property
    def primary(self) -> Diagnosis | None:
        return next((d for d in self.current if d.is_primary), None)

    def __bool__(self) -> bool:
        return bool(self.current or self.past)


def _ordered(rows: list[Diagnosis]) -> ChartProblems:
    current = sorted(
        (d for d in rows if d.is_current),
        key=lambda d: (not d.is_primary, d.is_factor, _STATUS_ORDER[d.status], d.icd10_code),
    )
    past = sorted(
        (d for d in rows if not d.is_current), key=lambda d: (d.updated_at, d.pk), reverse=True
    )
    return ChartProblems(current=current, past=past)


# The chart asks whether the record has any before reading them (``core.presence``).
DIAGNOSES = Part(
    "diagnoses",
    lambda client_id: Diagnosis.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM diagnoses_diagnosis WHERE client_id = %s",
)
CHART_PARTS = (DIAGNOSES,)


def problems_for_chart(*, client: Client, presence: Presence = UNKNOWN) -> ChartProblems:
    """The Problems section of a chart the caller has already opened (one query)."""
    if not presence.may_have(DIAGNOSES):
        return ChartProblems(current=[], past=[])
    rows = list(
        Diagnosis.objects.filter(part2.visible_q(client), client=client).select_related(
            "diagnosed_by"
        )
    )
    return _ordered(rows)


def _with_history() -> Prefetch:
    return Prefetch(
        "changes",
        queryset=DiagnosisChange.objects.select_related("changed_by").order_by("version"),
    )


def problem_list_for(*, client: Client) -> ChartProblems:
    """The problem list page: every diagnosis with its history, who changed it and why."""
    rows = list(
        Diagnosis.objects.filter(part2.visible_q(client), client=client)
        .select_related("diagnosed_by", "cosigned_by", "cosign_author")
        .prefetch_related(_with_history())
    )
    return _ordered(rows)


def diagnosis_for(*, client: Client, diagnosis_id: int | str) -> Diagnosis | None:
    """Diagnosis ``diagnosis_id`` if it belongs to ``client`` (which the caller opened).

    Another client's diagnosis id under this client's URL finds nothing (SEC-11).
    """
    try:
        pk = int(diagnosis_id)
    except (TypeError, ValueError):
        return None
    return (
        Diagnosis.objects.filter(part2.visible_q(client), pk=pk, client=client)
        .select_related("diagnosed_by", "cosign_author", "cosigned_by")
        .prefetch_related(_with_history())
        .first()
    )


def cosign_queue_for(*, actor: User) -> list[Diagnosis]:
    """Diagnoses by the actor's supervisees waiting for co-signature, oldest first.

    Only clients the actor may open count (a restriction on the supervisor hides them). The
    list shows client names, so it is audited like a search, with the client ids it showed.
    """
    supervisees = supervisee_ids(actor, timezone.localdate())
    if not supervisees:
        return []
    visible = clients_visible_to(actor=actor, capability=Capability.CHART_READ)
    rows = list(
        Diagnosis.objects.filter(
            cosign_status=CosignStatus.PENDING,
            cosign_author_id__in=supervisees,
            client__in=visible,
        )
        .filter(part2.member_visible_q(actor))
        .select_related("client", "diagnosed_by", "cosign_author")
        .order_by("updated_at", "pk")
    )
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        purpose=AuditPurpose.TREATMENT,
        detail={
            "view": "diagnosis_cosign_queue",
            "client_ids": sorted({d.client_id for d in rows}),
        },
    )
    return rows


def icd10_search(query: str, limit: int = 20) -> list[icd10.Code]:
    """Billable ICD-10-CM codes by code prefix or words (case and accents folded)."""
    return icd10.search(query, limit=limit)


def diagnoses_among(ids: list[int]) -> QuerySet[Diagnosis]:
    """These diagnoses (already read through the policy) as a queryset, for a form's choices."""
    return Diagnosis.objects.filter(pk__in=ids)
