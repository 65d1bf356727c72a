"""The background worker (issue 15 part 1): killed mid-cycle, cut off from its database, and
still every overdue alert escalated exactly once, every due measure made and emailed once.

The worker's clock is injected and moved by hand; its steps use the real time, so the alerts
here were raised five hours ago (escalation waits four). The tests commit for real
(``transaction=True``): the worker closes and reopens its connection as in production, which
a test wrapped in one transaction would not survive on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from alliance.assessments import services
from alliance.assessments.models import CriticalAlert, DueMeasure
from alliance.assessments.schedules import schedule_create
from alliance.assessments.tasks import CYCLE_STEPS
from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.operations.models import PeriodicJob, WorkerHeartbeat
from alliance.operations.worker import MEASUREMENT_CYCLE, Job, Worker
from tests.personas import Clinic

pytestmark = pytest.mark.django_db(transaction=True)

INTERVAL = 5.0
LEASE = timedelta(seconds=120)
EVERY = timedelta(minutes=5)


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Killed(BaseException):
    """What SIGKILL does to a worker, in-process: it ends, catching nothing, releasing nothing."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


def worker(name: str, clock: Clock, steps: Any = CYCLE_STEPS, **extra: Any) -> Worker:
    return Worker(
        jobs=[Job(name=MEASUREMENT_CYCLE, every=EVERY, steps=steps)],
        worker_id=name,
        clock=clock,
        sleep=extra.pop("sleep", lambda seconds: None),
        interval=INTERVAL,
        lease=LEASE,
        max_backoff=60,
        **extra,
    )


@pytest.fixture
def overdue(clinic: Clinic) -> list[CriticalAlert]:
    """Three critical alerts of client_a left unacknowledged for five hours."""
    raised = timezone.now() - timedelta(hours=5)
    return [
        CriticalAlert.objects.create(
            client=clinic.client_a,
            instrument="phq9",
            flags=["phq9_item9_positive"],
            raised_at=raised,
        )
        for _ in range(3)
    ]


@pytest.fixture
def emailed_schedule(clinic: Clinic) -> None:
    """A measure falls due today for a client who agreed to get its link by email."""
    clinic.client_a.email = "zoe.client@example.org"
    clinic.client_a.save()
    schedule_create(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        instrument="gad7",
        every_days=14,
        first_due_on=None,
        send_by_email=True,
    )


def escalations(alert: CriticalAlert) -> int:
    """Audit rows recording the alert's escalation (one per escalation)."""
    return AuditEvent.objects.filter(
        action=AuditAction.CHANGE, actor_username="system", object_id=str(alert.pk)
    ).count()


def test_a_worker_killed_mid_cycle_is_replaced_and_each_alert_escalates_once(
    clinic: Clinic,
    overdue: list[CriticalAlert],
    emailed_schedule: None,
    mailoutbox: list[Any],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15: a worker killed while the cycle runs leaves a lease that runs out; the next
    worker runs the cycle again and it completes: every alert escalated once, one due measure,
    one email."""
    # given a worker killed while it records the second escalation: the first is committed,
    # the second rolls back, the third is never reached
    real = services.audit_record
    calls = {"n": 0}

    def dies_at_second_escalation(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", dies_at_second_escalation)
    with pytest.raises(Killed):
        worker("worker-a", clock).run_pass()
    monkeypatch.setattr(services, "audit_record", real)
    assert sum(escalations(alert) for alert in overdue) == 1
    assert DueMeasure.objects.count() == 1 and len(mailoutbox) == 1
    job = PeriodicJob.objects.get(name=MEASUREMENT_CYCLE)
    assert job.holder == "worker-a" and job.last_completed_at is None

    # when its replacement starts while the dead worker's lease still runs, it waits
    replacement = worker("worker-b", clock)
    clock.advance(1)
    assert replacement.run_pass() == INTERVAL
    assert sum(escalations(alert) for alert in overdue) == 1

    # and once the lease has run out, it takes the cycle over and completes it
    clock.advance(LEASE.total_seconds())
    assert replacement.run_pass() == INTERVAL

    # then every alert is escalated exactly once, the measure made and emailed once
    for alert in overdue:
        alert.refresh_from_db()
        assert alert.escalated_at is not None
        assert escalations(alert) == 1
    assert DueMeasure.objects.count() == 1 and len(mailoutbox) == 1
    job.refresh_from_db()
    assert (job.holder, job.lease_until, job.reclaimed) == ("", None, 1)
    assert job.last_completed_at == clock.now
    assert job.last_result == {"due_created": 0, "alerts_escalated": 2}
    assert job.next_run_at == clock.now + EVERY

    # and the next cycles find nothing left to do
    clock.advance(EVERY.total_seconds())
    replacement.run_pass()
    job.refresh_from_db()
    assert job.last_result == {"due_created": 0, "alerts_escalated": 0}
    assert [escalations(alert) for alert in overdue] == [1, 1, 1]


def test_two_workers_run_the_cycle_once_per_period(
    clinic: Clinic, overdue: list[CriticalAlert], clock: Clock
) -> None:
    """Two live workers (two hosts, or an orphan beside its replacement): one cycle a period."""
    first, second = worker("worker-a", clock), worker("worker-b", clock)
    first.run_pass()
    second.run_pass()
    clock.advance(60)
    second.run_pass()
    first.run_pass()
    assert [escalations(alert) for alert in overdue] == [1, 1, 1]
    job = PeriodicJob.objects.get(name=MEASUREMENT_CYCLE)
    assert job.last_result == {"due_created": 0, "alerts_escalated": 3}
    assert job.reclaimed == 0
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "worker-a",
        "worker-b",
    }


def test_a_worker_slower_than_its_lease_leaves_the_run_to_the_one_that_took_it_over(
    clinic: Clinic, overdue: list[CriticalAlert], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker stalled past its lease (a long pause, a frozen VM) finds the run taken over
    when it wakes: it leaves it, and nothing is done twice."""
    other = worker("worker-b", clock)

    def stalls_past_the_lease() -> int:
        clock.advance(LEASE.total_seconds() + 1)
        other.run_pass()  # meanwhile, the other worker takes the cycle over and completes it
        return 0

    slow = worker("worker-a", clock, steps=(("stalled", stalls_past_the_lease), *CYCLE_STEPS))
    assert slow.run_pass() == INTERVAL
    assert [escalations(alert) for alert in overdue] == [1, 1, 1]
    job = PeriodicJob.objects.get(name=MEASUREMENT_CYCLE)
    assert job.reclaimed == 1 and job.holder == ""
    assert "taken over by another worker" in caplog.text


def test_the_worker_outlives_a_database_outage_and_then_completes_the_cycle(
    clinic: Clinic,
    overdue: list[CriticalAlert],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 15: the database goes away in the middle of the cycle (after one escalation)
    and stays away for two more passes. The worker keeps running, backs off 1, 2, 4 s, then
    resumes its own run without waiting for its lease and escalates the rest once each.
    The log names the error's class, never its message (SEC-28)."""
    state = {"escalation_updates": 0, "down_for": 0}

    def cut(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if state["down_for"]:
            state["down_for"] -= 1
            raise OperationalError("server closed the connection (Zoë Núñez)")
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "assessments_criticalalert"'):
            state["escalation_updates"] += 1
            if state["escalation_updates"] == 1:
                # the database goes before the escalation's audit row: that one rolls back
                state["down_for"] = 3
        return result

    slept: list[float] = []
    the_worker = worker("worker-a", clock, sleep=slept.append)
    with connection.execute_wrapper(cut):
        the_worker.run(passes=4)
    # then three passes failed (the cycle, then two without a database) and the fourth worked
    assert sum(slept) == 1 + 2 + 4
    assert the_worker.failures == 0
    assert [escalations(alert) for alert in overdue] == [1, 1, 1]
    job = PeriodicJob.objects.get(name=MEASUREMENT_CYCLE)
    assert job.holder == "" and job.last_completed_at == clock.now and job.reclaimed == 0
    assert "database unavailable (OperationalError)" in caplog.text
    assert "Zoë" not in caplog.text and "Núñez" not in caplog.text


def test_a_job_that_fails_gives_its_lease_back_and_is_tried_again(
    clinic: Clinic, overdue: list[CriticalAlert], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in a step is not the end of the worker: it logs the class and the line, backs
    off, and the whole job runs again (its finished steps change nothing the second time)."""
    failures = {"left": 1}

    def flaky() -> int:
        if failures["left"]:
            failures["left"] -= 1
            raise ValueError("client Zoë Núñez")
        return 0

    the_worker = worker("worker-a", clock, steps=(*CYCLE_STEPS, ("flaky", flaky)))
    assert the_worker.run_pass() == 1.0
    job = PeriodicJob.objects.get(name=MEASUREMENT_CYCLE)
    assert (job.holder, job.last_error, job.last_completed_at) == ("", "ValueError", None)
    assert "ValueError at worker.py:" in caplog.text and "(test_worker.py:" in caplog.text
    assert "Zoë" not in caplog.text

    assert the_worker.run_pass() == INTERVAL
    job.refresh_from_db()
    assert job.last_completed_at == clock.now and job.last_error == ""
    assert [escalations(alert) for alert in overdue] == [1, 1, 1]


def test_backoff_doubles_up_to_its_cap(clinic: Clinic, clock: Clock) -> None:
    the_worker = worker("worker-a", clock)
    waits = []
    with connection.execute_wrapper(_always_down):
        for _ in range(9):
            waits.append(the_worker.run_pass())
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert the_worker.run_pass() == INTERVAL


def _always_down(*args: Any) -> Any:
    raise OperationalError("could not connect to server")


def test_the_worker_beats_every_pass_and_forgets_workers_long_gone(
    clinic: Clinic, clock: Clock
) -> None:
    long_ago = clock.now - timedelta(days=2)
    WorkerHeartbeat.objects.create(worker_id="gone", started_at=long_ago, beat_at=long_ago)
    the_worker = worker("worker-a", clock)
    the_worker.run_pass()
    clock.advance(INTERVAL)
    the_worker.run_pass()
    beat = WorkerHeartbeat.objects.get()
    assert (beat.worker_id, beat.beat_at, beat.started_at) == (
        "worker-a",
        clock.now,
        clock.now - timedelta(seconds=INTERVAL),
    )


def test_sigterm_ends_the_loop_after_the_pass(clinic: Clinic, clock: Clock) -> None:
    """``serve`` stops its worker with SIGTERM: the pass under way finishes, then the loop
    ends, with no lease left behind."""
    the_worker = worker("worker-a", clock)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        the_worker.handle_signals()
        signal.raise_signal(signal.SIGTERM)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert the_worker.stopping
    the_worker.run()  # returns at once: no pass is started once stopping
    assert not WorkerHeartbeat.objects.exists()


def test_a_worker_whose_serve_has_gone_stops(clinic: Clinic, clock: Clock) -> None:
    """``serve`` killed with SIGKILL cannot stop its worker: the worker sees that its parent
    changed and ends, rather than running on beside the next serve's worker."""
    orphan = worker("worker-a", clock, parent_pid=os.getppid() + 1)
    orphan.run()
    assert not WorkerHeartbeat.objects.exists()
    supervised = worker("worker-b", clock, parent_pid=os.getppid())
    supervised.run(passes=1)
    assert WorkerHeartbeat.objects.get().worker_id == "worker-b"


def test_alliance_worker_ends_when_started_for_another_parent(tmp_path: Path) -> None:
    """The command line: ``alliance worker --parent PID`` checks before it touches anything
    (here, a database that does not exist)."""
    env = {**os.environ, "ALLIANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "alliance.cli", "worker", "--parent", "1"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "alliance serve has gone; stopping" in done.stderr
