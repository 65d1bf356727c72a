"""When a client's safety plan should be reviewed: after an event that signals risk.

A plan needs review when such an event happened after its last signed version, or when the
client has had such an event and no signed plan at all. The events come from
``REVIEW_EVENT_SOURCES``: each source answers, for many clients in one query, the time of the
latest event of its kind: critical-item alerts and crisis episodes (``alliance.crisis``, which
also leaves a "review the safety plan" follow-up task when an episode closes).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from alliance.assessments.models import CriticalAlert
from alliance.assessments.selectors import ALERTS
from alliance.crisis.selectors import EPISODES, latest_crisis_at_by_client
from alliance.safety.models import DocumentStatus, SafetyPlanVersion

EventSource = Callable[[Collection[int]], dict[int, datetime]]


def critical_alerts_latest(client_ids: Collection[int]) -> dict[int, datetime]:
    """The latest critical-item alert of each client."""
    rows = (
        CriticalAlert.objects.filter(client_id__in=client_ids)
        .values("client_id")
        .annotate(latest=Max("raised_at"))
        .order_by()
    )
    return {row["client_id"]: row["latest"] for row in rows}


# (what the event is called on the page, the source).
REVIEW_EVENT_SOURCES: tuple[tuple[str, EventSource], ...] = (
    ("critical-item alert", critical_alerts_latest),
    ("crisis episode", latest_crisis_at_by_client),
)
# The parts of a record those sources read: a client with rows in none has no event.
REVIEW_EVENT_PARTS = (ALERTS, EPISODES)


@dataclass(frozen=True)
class PlanReview:
    """Why the plan of ``client_id`` needs review."""

    client_id: int
    event: str
    event_at: datetime
    last_signed_at: datetime | None

    @property
    def no_plan(self) -> bool:
        return self.last_signed_at is None


def plan_reviews_due(*, client_ids: Collection[int]) -> dict[int, PlanReview]:
    """Clients (among ``client_ids``) whose plan needs review; one query per event source plus
    one, whatever the number of clients. Access is the caller's: ids it may already show."""
    ids = list(client_ids)
    if not ids:
        return {}
    latest: dict[int, tuple[str, datetime]] = {}
    for name, source in REVIEW_EVENT_SOURCES:
        for client_id, when in source(ids).items():
            if client_id not in latest or when > latest[client_id][1]:
                latest[client_id] = (name, when)
    if not latest:
        return {}
    signed = dict(
        SafetyPlanVersion.objects.filter(
            plan__client_id__in=list(latest), status=DocumentStatus.SIGNED
        )
        .values("plan__client_id")
        .annotate(last=Max("signed_at"))
        .order_by()
        .values_list("plan__client_id", "last")
    )
    due = {}
    for client_id, (name, when) in latest.items():
        last = signed.get(client_id)
        if last is None or when > last:
            due[client_id] = PlanReview(client_id, name, when, last)
    return due
