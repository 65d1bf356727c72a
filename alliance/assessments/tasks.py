"""Background work through django-tasks' database backend (no extra server to run).

``measurement_cycle`` makes scheduled measures fall due and escalates unacknowledged alerts,
then queues itself again. ``alliance worker`` (started by ``alliance serve``) runs it.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from alliance.assessments.schedules import measures_fall_due
from alliance.assessments.services import alerts_escalate

CYCLE_EVERY = timedelta(minutes=5)


@task()
def measurement_cycle(requeue: bool = True) -> dict[str, int]:
    due = measures_fall_due()
    escalated = alerts_escalate()
    if requeue:
        measurement_cycle.using(run_after=timezone.now() + CYCLE_EVERY).enqueue()
    return {"due_created": due, "alerts_escalated": escalated}
