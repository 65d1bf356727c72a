"""The background worker: periodic jobs under a lease, alive through database outages (issue 15).

``alliance worker`` is one loop. Every ``WORKER_INTERVAL_SECONDS`` it writes its heartbeat
(``WorkerHeartbeat``) and runs each periodic job that is due. A job's schedule is a row that
always exists (``PeriodicJob``): a run takes the row's lease with one conditional UPDATE
(``... WHERE next_run_at <= now AND (lease_until IS NULL OR lease_until < now OR holder =
me)``), which only one worker can win on SQLite and PostgreSQL alike, renews it before each
step, and gives it back with the completion time and the next run. A worker that dies mid-run
leaves a lease that runs out, and the next worker runs the job again; the steps are idempotent
(conditional UPDATEs and unique constraints: see ``alliance.assessments.tasks``), so a run
cut short and run again acts once.

Why not django-tasks' queue, as before: its database backend marks a claimed task RUNNING
with no lease or heartbeat, so a worker killed mid-task left the row RUNNING for ever, and the
cycle, which re-queued itself only when it finished and was queued again only when no row was
READY or RUNNING, stopped for good; and ``db_worker`` exits on every database error but a
locked SQLite file. A schedule row with a lease has no link to lose.

A database outage never ends the loop: ``OperationalError`` and ``InterfaceError`` are logged
(the exception's class, never its message: it may quote data, SEC-28), the connection is
closed so that Django opens a new one, and the pass is tried again after a backoff that doubles
up to ``WORKER_MAX_BACKOFF_SECONDS``. Any other error in a job is logged the same way, with the
line it came from, and the job is tried again after the backoff. ``alliance serve`` restarts a
worker that ends all the same (``alliance.operations.supervisor``).
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections
from django.db import connection as db_connection
from django.db.models import Case, F, PositiveIntegerField, Q, When
from django.utils import timezone

from alliance.operations.models import PeriodicJob, WorkerHeartbeat

logger = logging.getLogger("alliance.operations.worker")

# The job /healthz and the staff banner watch: it escalates critical alerts.
MEASUREMENT_CYCLE = "measurement_cycle"
# Writes an audit checkpoint the web processes owe (a full disk at commit time, issue 15).
AUDIT_CHECKPOINT = "audit_checkpoint"
AUDIT_CHECKPOINT_EVERY = timedelta(minutes=1)
# Errors that mean "the database is not there now": wait and try again.
DATABASE_DOWN = (OperationalError, InterfaceError)
# Heartbeats of workers silent this long are deleted (a restarted worker has a new id).
HEARTBEAT_KEPT = timedelta(days=1)
# The longest single sleep, so a stop request is noticed promptly.
SLEEP_SLICE = 0.5

Step = Callable[[], int]


@dataclass(frozen=True)
class Job:
    """A periodic job: its steps run in order, each returning a count for the run's result."""

    name: str
    every: timedelta
    steps: tuple[tuple[str, Step], ...]


class LeaseLost(Exception):
    """Another worker took the run over (this one was slower than its lease)."""


def periodic_jobs() -> tuple[Job, ...]:
    """The jobs ``alliance worker`` runs. A new periodic job (reminders, outreach) goes here."""
    from alliance.assessments.tasks import CYCLE_STEPS

    every = timedelta(seconds=settings.WORKER_CYCLE_SECONDS)
    return (
        Job(name=MEASUREMENT_CYCLE, every=every, steps=CYCLE_STEPS),
        Job(
            name=AUDIT_CHECKPOINT,
            every=AUDIT_CHECKPOINT_EVERY,
            steps=(("checkpoints_owed", _owed_checkpoint_write),),
        ),
    )


def _owed_checkpoint_write() -> int:
    """Write the chain head if a checkpoint is owed; 1 while one is still owed after it."""
    from alliance.audit.checkpoints import checkpoint_retry

    return 0 if checkpoint_retry().ok else 1


def new_worker_id() -> str:
    """Host, process and a random part: unique across restarts and hosts, no data in it."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _where(error: BaseException) -> str:
    """Where the error was raised, as ``file.py:line``, and the last line of ours on the way
    if that was in a library: enough to find it, nothing from the data."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    innermost = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    ours = [frame for frame in frames if f"{os.sep}alliance{os.sep}" in frame.filename]
    if ours and ours[-1] is not frames[-1]:
        return f"{Path(ours[-1].filename).name}:{ours[-1].lineno} ({innermost})"
    return innermost


class Worker:
    """The loop of one ``alliance worker`` process.

    ``clock`` and ``sleep`` are injected so that tests move time instead of waiting for it;
    ``run(passes=n)`` stops after ``n`` passes. ``stop()`` (also SIGTERM and SIGINT, once
    ``handle_signals()`` is called) ends the loop after the current pass: a run under way
    finishes, and a stop never leaves a lease behind.
    """

    def __init__(
        self,
        *,
        jobs: Sequence[Job] | None = None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = timezone.now,
        sleep: Callable[[float], None] = time.sleep,
        interval: float | None = None,
        lease: timedelta | None = None,
        max_backoff: float | None = None,
        parent_pid: int | None = None,
    ) -> None:
        self.jobs = tuple(periodic_jobs() if jobs is None else jobs)
        self.worker_id = worker_id or new_worker_id()
        self.clock = clock
        self.sleep = sleep
        self.interval = float(settings.WORKER_INTERVAL_SECONDS if interval is None else interval)
        self.lease = lease or timedelta(seconds=settings.WORKER_LEASE_SECONDS)
        self.max_backoff = float(
            settings.WORKER_MAX_BACKOFF_SECONDS if max_backoff is None else max_backoff
        )
        # Started by ``alliance serve``: end with it, even if it was killed before it could
        # stop this worker (an orphan would run on beside the next serve's worker).
        self.parent_pid = parent_pid
        self.failures = 0  # passes failed in a row
        self.stopping = False
        self._registered = False

    # ------------------------------------------------------------------ the loop

    def run(self, *, passes: int | None = None) -> None:
        logger.info("worker %s started", self.worker_id)
        done = 0
        while not self.stopping:
            if self.parent_pid is not None and os.getppid() != self.parent_pid:
                logger.warning("worker %s: alliance serve has gone; stopping", self.worker_id)
                break
            wait = self.run_pass()
            done += 1
            if passes is not None and done >= passes:
                break
            self._pause(wait)
        logger.info("worker %s stopped", self.worker_id)

    def run_pass(self) -> float:
        """Beat, then run every job that is due; return the seconds to wait before the next
        pass (the interval, or the backoff after a failure)."""
        try:
            # Django does this around each request; a long-running process must do it itself,
            # or a connection the server dropped (a restart, an idle timeout) would be reused.
            close_old_connections()
            self._beat()
            for job in self.jobs:
                self._run_if_due(job)
            close_old_connections()
        except DATABASE_DOWN as error:
            self.failures += 1
            wait = self._backoff()
            logger.warning(
                "worker %s: database unavailable (%s), %d failed pass(es); retrying in %.1f s",
                self.worker_id,
                type(error).__name__,
                self.failures,
                wait,
            )
            self._drop_connection()
            return wait
        except Exception as error:
            self.failures += 1
            wait = self._backoff()
            logger.error(
                "worker %s: %s at %s, %d failed pass(es); retrying in %.1f s",
                self.worker_id,
                type(error).__name__,
                _where(error),
                self.failures,
                wait,
            )
            return wait
        if self.failures:
            logger.warning(
                "worker %s: working again after %d failed pass(es)", self.worker_id, self.failures
            )
        self.failures = 0
        return self.interval

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def handle_signals(self) -> None:
        """SIGTERM (the supervisor, systemd) and SIGINT (Ctrl-C) end the loop after this pass."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def _pause(self, seconds: float) -> None:
        left = seconds
        while left > 0 and not self.stopping:
            step = min(left, SLEEP_SLICE)
            self.sleep(step)
            left -= step

    def _backoff(self) -> float:
        return float(min(self.max_backoff, 2 ** min(self.failures - 1, 30)))

    @staticmethod
    def _drop_connection() -> None:
        # A broken connection can fail to close too; the next query opens a new one.
        with suppress(DatabaseError):
            db_connection.close()

    # ------------------------------------------------------------------ heartbeat

    def _beat(self) -> None:
        now = self.clock()
        if not WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(beat_at=now):
            WorkerHeartbeat.objects.create(worker_id=self.worker_id, started_at=now, beat_at=now)
            WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEPT).delete()
        if not self._registered:
            for job in self.jobs:
                # The first run of a new job is due at once.
                PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
            self._registered = True

    # ------------------------------------------------------------------ jobs under a lease

    def _run_if_due(self, job: Job) -> None:
        now = self.clock()
        state = (
            PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now)
            .values("holder", "lease_until")
            .first()
        )
        if state is None:
            return  # not due
        if not self._acquire(job, now):
            return  # another worker runs it
        if state["holder"] and state["holder"] != self.worker_id:
            logger.warning(
                "worker %s: %s was left by worker %s (lease ran out at %s); running it again",
                self.worker_id,
                job.name,
                state["holder"],
                state["lease_until"].isoformat() if state["lease_until"] else "?",
            )
        result: dict[str, int] = {}
        try:
            for number, (key, step) in enumerate(job.steps):
                if number:
                    self._renew(job)
                result[key] = step()
        except DATABASE_DOWN:
            # The lease stays ours: this worker takes the run up again when the database is
            # back, or another one does when the lease runs out.
            raise
        except LeaseLost:
            logger.warning(
                "worker %s: %s was taken over by another worker; leaving it to them",
                self.worker_id,
                job.name,
            )
            return
        except Exception as error:
            self._release_failed(job, error)
            raise
        self._complete(job, result)

    def _acquire(self, job: Job, now: datetime) -> bool:
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(holder=self.worker_id)
        someone_else = ~Q(holder="") & ~Q(holder=self.worker_id)
        return bool(
            PeriodicJob.objects.filter(free, name=job.name, next_run_at__lte=now).update(
                holder=self.worker_id,
                lease_until=now + self.lease,
                started_at=now,
                reclaimed=Case(
                    When(someone_else, then=F("reclaimed") + 1),
                    default=F("reclaimed"),
                    output_field=PositiveIntegerField(),
                ),
            )
        )

    def _renew(self, job: Job) -> None:
        if not PeriodicJob.objects.filter(name=job.name, holder=self.worker_id).update(
            lease_until=self.clock() + self.lease
        ):
            raise LeaseLost(job.name)

    def _complete(self, job: Job, result: dict[str, int]) -> None:
        now = self.clock()
        done = PeriodicJob.objects.filter(name=job.name, holder=self.worker_id).update(
            holder="",
            lease_until=None,
            last_completed_at=now,
            next_run_at=now + job.every,
            last_result=result,
            last_error="",
        )
        if done:
            logger.info(
                "worker %s: %s completed %s",
                self.worker_id,
                job.name,
                " ".join(f"{key}={count}" for key, count in result.items()),
            )
        else:
            logger.warning(
                "worker %s: %s finished after its lease ran out; another worker ran it again",
                self.worker_id,
                job.name,
            )

    def _release_failed(self, job: Job, error: Exception) -> None:
        """Give the lease back, still due: the next pass tries the whole job again."""
        with suppress(DatabaseError):
            PeriodicJob.objects.filter(name=job.name, holder=self.worker_id).update(
                holder="",
                lease_until=None,
                last_failed_at=self.clock(),
                last_error=type(error).__name__[:200],
            )
