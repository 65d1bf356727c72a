"""What the background worker leaves in the database: who is alive, and who runs which job.

Neither table holds clinical data: worker ids, times, counts and exception class names.
Rows are plain state, not records (REL-02 does not apply): heartbeats of workers gone for a
day are deleted, and a job's row is overwritten by every run.
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process, its ``beat_at`` written on every pass of its loop."""

    worker_id = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class PeriodicJob(models.Model):
    """The schedule and the lease of one periodic job (one row per job).

    ``holder`` runs the job until ``lease_until``; an empty holder means nobody runs it. A
    holder that dies leaves a lease that runs out, and the next worker takes the run over
    (``reclaimed`` counts those take-overs). The row outlives every run, so the job can never
    fall off the schedule the way a task that re-queues itself can.
    """

    name = models.CharField(max_length=60, unique=True)
    next_run_at = models.DateTimeField()
    holder = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_completed_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    # The exception's class only: a message may quote data (SEC-28).
    last_error = models.CharField(max_length=200, blank=True)
    reclaimed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
