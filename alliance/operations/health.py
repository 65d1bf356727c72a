"""Is Alliance healthy: the database answers, the worker is alive, the escalation cycle runs.

``/healthz`` (``alliance.web.operations``) runs ``CHECKS`` and answers 200 when every check
passes, 503 otherwise; staff see a banner while ``worker_state().stopped`` (the worker's two
checks, from one query). Thresholds come from settings: ``WORKER_STALE_SECONDS`` for the
newest heartbeat, ``CYCLE_STALE_SECONDS`` for the last completed measurement cycle.

The endpoint is public, so the report holds ages and times only: no client, staff member,
host name or count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Subquery
from django.utils import timezone

from alliance.audit.checkpoints import checkpoint_status
from alliance.operations.models import PeriodicJob, WorkerHeartbeat
from alliance.operations.worker import MEASUREMENT_CYCLE


@dataclass(frozen=True)
class Check:
    """One check's answer; ``detail`` goes into the JSON as it is (no data about anyone)."""

    name: str
    ok: bool
    detail: dict[str, object] = field(default_factory=dict)


HealthCheck = Callable[[datetime], Check]


def _age(then: datetime | None, now: datetime) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))


@dataclass(frozen=True)
class WorkerState:
    checked_at: datetime
    beat_at: datetime | None
    cycle_completed_at: datetime | None

    @property
    def heartbeat_age(self) -> int | None:
        return _age(self.beat_at, self.checked_at)

    @property
    def cycle_age(self) -> int | None:
        return _age(self.cycle_completed_at, self.checked_at)

    @property
    def heartbeat_stale(self) -> bool:
        age = self.heartbeat_age
        return age is None or age > settings.WORKER_STALE_SECONDS

    @property
    def cycle_stale(self) -> bool:
        age = self.cycle_age
        return age is None or age > settings.CYCLE_STALE_SECONDS

    @property
    def stopped(self) -> bool:
        """No worker has beaten lately, or none has completed the cycle lately: critical
        alerts are not being escalated. True too before any worker has ever run."""
        return self.heartbeat_stale or self.cycle_stale


def worker_state(*, now: datetime | None = None) -> WorkerState:
    """The newest heartbeat and the last completed cycle, in one query."""
    newest_beat = WorkerHeartbeat.objects.order_by("-beat_at").values("beat_at")[:1]
    row = (
        PeriodicJob.objects.filter(name=MEASUREMENT_CYCLE)
        .annotate(newest_beat=Subquery(newest_beat))
        .values_list("newest_beat", "last_completed_at")
        .first()
    )
    beat_at, completed_at = row if row is not None else (None, None)
    return WorkerState(
        checked_at=now or timezone.now(), beat_at=beat_at, cycle_completed_at=completed_at
    )


def database_check(now: datetime) -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check("database", ok=True)


def worker_check(now: datetime) -> Check:
    state = worker_state(now=now)
    completed = state.cycle_completed_at
    return Check(
        "worker",
        ok=not state.stopped,
        detail={
            "heartbeat_age_seconds": state.heartbeat_age,
            "heartbeat_stale_after_seconds": settings.WORKER_STALE_SECONDS,
            "last_escalation_cycle_at": completed.isoformat() if completed else None,
            "last_escalation_cycle_age_seconds": state.cycle_age,
            "escalation_cycle_stale_after_seconds": settings.CYCLE_STALE_SECONDS,
        },
    )


def audit_checkpoint_check(now: datetime) -> Check:
    """An audit checkpoint the chain is owed (SEC-26): a full or unwritable checkpoint folder.
    Times only, as everything on this public page (``audit.checkpoints.checkpoint_status``)."""
    status = checkpoint_status()
    owed = status.owed_since
    return Check(
        "audit_checkpoint",
        ok=status.ok,
        detail={
            "owed_since": owed.isoformat() if owed else None,
            "owed_age_seconds": _age(owed, now),
            "error": status.error or None,
        },
    )


# The checks /healthz runs, in order: each takes the time of the check and returns a Check
# (raising counts as failing). Another check is one more function here.
CHECKS: tuple[HealthCheck, ...] = (database_check, worker_check, audit_checkpoint_check)


@dataclass(frozen=True)
class HealthReport:
    checked_at: datetime
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "failing",
            "checked_at": self.checked_at.isoformat(),
            "checks": {check.name: {"ok": check.ok, **check.detail} for check in self.checks},
        }


def health_report(
    *, now: datetime | None = None, checks: Sequence[HealthCheck] | None = None
) -> HealthReport:
    """Run ``checks`` (``CHECKS`` as it is at the call). A check that raises fails, with the
    exception's class as its detail: a database that is down answers 503, never 500."""
    moment = now or timezone.now()
    results = []
    for check in CHECKS if checks is None else checks:
        try:
            results.append(check(moment))
        except Exception as error:
            name = getattr(check, "__name__", "check").removesuffix("_check")
            results.append(Check(name, ok=False, detail={"error": type(error).__name__}))
    return HealthReport(checked_at=moment, checks=tuple(results))
