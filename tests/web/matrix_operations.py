"""Access-matrix rows and census objects of the monitoring endpoint (issue 15).

``/healthz`` is public (a monitor has no account) and names no one; everyone gets 200 here
because the census leaves a fresh worker heartbeat and a just-completed cycle behind.
"""

from __future__ import annotations

from django.utils import timezone

from alliance.operations.models import PeriodicJob, WorkerHeartbeat
from alliance.operations.worker import MEASUREMENT_CYCLE
from tests.personas import Clinic
from tests.web.matrix_notes import clinical

EVERYONE: dict[str, object] = {name: 200 for name in clinical(on=0, off=0, peer=0, registry=0)}

EXPECTED: dict[str, dict[str, object]] = {
    "web:healthz": EVERYONE,
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """No URL parameter; a healthy worker, so that /healthz answers 200 (made once)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id="census-worker", defaults={"started_at": now, "beat_at": now}
    )
    PeriodicJob.objects.update_or_create(
        name=MEASUREMENT_CYCLE, defaults={"next_run_at": now, "last_completed_at": now}
    )
    return {}
