"""``/healthz`` and the staff banner (issue 15 part 1): the database, the worker's heartbeat and
the last escalation cycle, 200 or 503, and a warning to staff when background work stops."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client as HttpClient
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.operations import health
from alliance.operations.health import Check, health_report, worker_state
from alliance.operations.models import PeriodicJob, WorkerHeartbeat
from alliance.operations.worker import MEASUREMENT_CYCLE
from alliance.staff.models import User
from alliance.web.context import background_work
from tests.personas import Clinic

pytestmark = pytest.mark.django_db

BANNER = "Background work has stopped: alerts are not being escalated."


def worker_seen(*, beat_ago: float, cycle_ago: float | None) -> datetime:
    """A worker that beat ``beat_ago`` seconds ago and completed a cycle ``cycle_ago`` ago."""
    now = timezone.now()
    beat = now - timedelta(seconds=beat_ago)
    WorkerHeartbeat.objects.create(worker_id="host:1:ab", started_at=beat, beat_at=beat)
    completed = None if cycle_ago is None else now - timedelta(seconds=cycle_ago)
    PeriodicJob.objects.create(name=MEASUREMENT_CYCLE, next_run_at=now, last_completed_at=completed)
    return now


def healthz() -> tuple[int, dict[str, Any]]:
    response = HttpClient().get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_healthz_answers_200_when_the_database_and_the_worker_are_well() -> None:
    worker_seen(beat_ago=3, cycle_ago=100)
    status, body = healthz()
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    worker = body["checks"]["worker"]
    assert worker["ok"] is True
    assert 3 <= worker["heartbeat_age_seconds"] <= 5
    assert 100 <= worker["last_escalation_cycle_age_seconds"] <= 102
    assert worker["last_escalation_cycle_at"]
    assert worker["heartbeat_stale_after_seconds"] == 300
    assert worker["escalation_cycle_stale_after_seconds"] == 900
    # ages and times only: no host, worker id or count (the endpoint is public)
    assert "host" not in str(body)


@pytest.mark.parametrize(
    ("beat_ago", "cycle_ago"),
    [(301, 100), (3, 901), (3, None)],
    ids=["heartbeat-stale", "cycle-stale", "never-completed"],
)
def test_healthz_answers_503_when_the_worker_is_silent_or_the_cycle_late(
    beat_ago: float, cycle_ago: float | None
) -> None:
    worker_seen(beat_ago=beat_ago, cycle_ago=cycle_ago)
    status, body = healthz()
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False


def test_healthz_answers_503_before_any_worker_ran() -> None:
    status, body = healthz()
    assert status == 503
    assert body["checks"]["worker"]["heartbeat_age_seconds"] is None


@override_settings(WORKER_STALE_SECONDS=10, CYCLE_STALE_SECONDS=20)
def test_the_thresholds_come_from_the_settings() -> None:
    worker_seen(beat_ago=11, cycle_ago=5)
    assert healthz()[0] == 503


def test_healthz_answers_503_without_a_database(clinic: Clinic) -> None:
    """A database that refuses every query: 503 naming the failing checks, never a 500."""
    worker_seen(beat_ago=1, cycle_ago=1)

    def down(*args: Any) -> Any:
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(down):
        status, body = healthz()
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["worker"] == {"ok": False, "error": "OperationalError"}


def test_a_later_check_joins_healthz_through_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook the audit-checkpoint backlog will use: one more function in ``CHECKS``."""
    worker_seen(beat_ago=1, cycle_ago=1)

    def backlog_check(now: datetime) -> Check:
        return Check("audit_checkpoints", ok=False, detail={"backlog": 3})

    monkeypatch.setattr(health, "CHECKS", (*health.CHECKS, backlog_check))
    status, body = healthz()
    assert status == 503
    assert body["checks"]["audit_checkpoints"] == {"ok": False, "backlog": 3}
    assert body["checks"]["worker"]["ok"] is True
    assert health_report().ok is False


def test_healthz_is_get_only_and_never_cached() -> None:
    worker_seen(beat_ago=1, cycle_ago=1)
    http = HttpClient()
    assert http.head("/healthz").status_code == 200
    assert http.post("/healthz").status_code == 405
    assert http.get("/healthz")["Cache-Control"] == "no-store, max-age=0"


def test_worker_state_is_one_query() -> None:
    worker_seen(beat_ago=1, cycle_ago=1)
    with CaptureQueriesContext(connection) as captured:
        state = worker_state()
    assert len(captured) == 1
    assert not state.stopped


# ---------------------------------------------------------------- the banner


def test_staff_see_the_banner_while_the_worker_is_silent(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    """Issue 15: staff are told when the worker has been silent longer than a cycle."""
    worker_seen(beat_ago=301, cycle_ago=100)
    page = signed_in(clinic.therapist_on_team).get("/")
    assert page.status_code == 200
    assert BANNER in page.content.decode()


def test_no_banner_while_the_worker_is_alive(
    clinic: Clinic, signed_in: Callable[[User], HttpClient]
) -> None:
    worker_seen(beat_ago=3, cycle_ago=100)
    page = signed_in(clinic.therapist_on_team).get("/")
    assert BANNER not in page.content.decode()


def test_no_banner_before_sign_in() -> None:
    worker_seen(beat_ago=3000, cycle_ago=3000)
    page = HttpClient().get("/login/")
    assert page.status_code == 200
    assert BANNER not in page.content.decode()


@override_settings(REQUIRE_MFA=False)
def test_the_banner_asks_once_per_request(clinic: Clinic) -> None:
    """A page that renders several templates asks the database once."""
    worker_seen(beat_ago=301, cycle_ago=100)
    request = RequestFactory().get("/")
    request.user = clinic.therapist_on_team
    with CaptureQueriesContext(connection) as captured:
        assert background_work(request) == {"background_stopped": True}
        assert background_work(request) == {"background_stopped": True}
    assert len(captured) == 1
