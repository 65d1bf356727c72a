"""The measurement cycle: scheduled measures fall due, unacknowledged alerts escalate.

``alliance worker`` runs ``CYCLE_STEPS`` every ``WORKER_CYCLE_SECONDS`` under a lease
(``alliance.operations.worker``, which says why the cycle no longer re-queues itself through
django-tasks). A worker may die halfway through a cycle and another run it again, so each
step acts once however many times it runs:

- ``measures_fall_due`` moves a schedule on with a conditional UPDATE (``WHERE next_due_on =
  the date it read``) in the same transaction as the due measure, its audit row and the
  email, which leaves on commit; the unique constraint on (schedule, due date) backs it up.
- ``alerts_escalate`` marks an alert with a conditional UPDATE (``WHERE escalated_at IS NULL
  AND acknowledged_at IS NULL``) in the same transaction as its audit row.

``measurement_cycle`` runs the same steps at once, in place (``measurement_cycle.call()``).
"""

from __future__ import annotations

from collections.abc import Callable

from django_tasks import task

from alliance.assessments.schedules import measures_fall_due
from alliance.assessments.services import alerts_escalate

CYCLE_STEPS: tuple[tuple[str, Callable[[], int]], ...] = (
    ("due_created", measures_fall_due),
    ("alerts_escalated", alerts_escalate),
)


@task()
def measurement_cycle() -> dict[str, int]:
    return {key: step() for key, step in CYCLE_STEPS}
