"""A failure after the commit never turns a saved action into an error (issue 15, part 2).

With the audit checkpoint folder full, each checkpoint write used to raise after the
questionnaire was committed: the clinician saw "Your last action was not saved", and a retry
made a duplicate. These tests fill the disk for real requests that commit (``transaction=True``
tests, so ``on_commit`` work runs as in production) and check what the clinician gets, what the
log says, what ``/healthz`` will be told, and that the checkpoint is written once there is room.
"""

from __future__ import annotations

import ast
import errno
import logging
import os
import re
import smtplib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import alliance
from alliance.assessments.models import Administration, DueMeasure
from alliance.assessments.schedules import measures_fall_due, schedule_create
from alliance.audit import checkpoints
from alliance.audit.actions import AuditAction
from alliance.audit.models import AuditEvent
from alliance.audit.services import audit_record
from alliance.audit.verify import audit_verify
from alliance.clients.models import Client
from alliance.idempotency.services import token_new
from tests.conftest import sign_in
from tests.personas import Clinic

PHQ9 = {f"item_{n}": "1" for n in range(1, 11)}


@pytest.fixture(autouse=True)
def nothing_owed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no checkpoint owed by this process, and leaves none behind."""
    monkeypatch.setattr(checkpoints, "_owed", None)


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """The checkpoint folder's disk is full: it has room for 20 more bytes, so the first write
    takes part of a line and then every write fails with ENOSPC, as on a real full disk. Only
    the checkpoint module's writes are affected. Call the fixture's value to free the disk."""
    room = {"bytes": 20}

    def write(fd: int, data: bytes) -> int:
        if room["bytes"] < 0:
            return os.write(fd, data)
        if not room["bytes"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = os.write(fd, data[: room["bytes"]])
        room["bytes"] -= taken
        return taken

    fake_os = SimpleNamespace(**{n: getattr(os, n) for n in dir(os) if not n.startswith("__")})
    fake_os.write = write
    monkeypatch.setattr(checkpoints, "os", fake_os)

    def free() -> None:
        room["bytes"] = -1  # no limit

    yield free


def phi_of(client: Client) -> list[str]:
    born = client.date_of_birth
    return [client.legal_first_name, client.legal_last_name, client.mrn, born.isoformat()]


def give_phq9(http: HttpClient, client: Client, *, token: str | None) -> object:
    data = dict(PHQ9)
    if token:
        data["form_token"] = token
    return http.post(reverse("web:measure_give", args=[client.pk, "phq9"]), data)


@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_CHECKPOINT_EVERY=1)
@pytest.mark.parametrize("with_token", [True, False], ids=["form-token", "no-token"])
def test_a_full_checkpoint_disk_leaves_the_saved_questionnaire_saved(
    with_token: bool,
    clinic: Clinic,
    disk_full: Callable[[], None],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15: the POST answers its normal redirect, the administration exists once, the
    log says what failed without PHI, the backlog is reported, and a later write clears it."""
    client = clinic.client_a
    http = sign_in(HttpClient(raise_request_exception=False), clinic.therapist_on_team)
    caplog.set_level(logging.WARNING)

    # when: the disk is full as the questionnaire is saved
    response = give_phq9(http, client, token=token_new() if with_token else None)

    # then: the clinician is taken back to the chart, as after any save
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"].startswith(reverse("web:client_chart", args=[client.pk]))  # type: ignore[index]
    assert Administration.objects.filter(client=client).count() == 1
    # the failure is logged, with the event's number and the error, and nothing of the client
    log = caplog.text
    assert re.search(r"audit checkpoint at event #\d+ not written \(OSError ENOSPC\)", log), log
    for value in phi_of(client):
        assert value not in log
    # /healthz is told a checkpoint is owed, and since when
    status = checkpoints.checkpoint_status()
    assert not status.ok
    assert status.owed_since is not None
    assert status.owed_since <= timezone.now()
    assert status.pending_events >= 1
    assert "ENOSPC" in status.error
    assert status.as_dict()["ok"] is False

    # when: the disk has room again, and the next audited action comes (retries not held back)
    disk_full()
    monkeypatch.setattr(checkpoints, "RETRY_EVERY_SECONDS", 0.0)
    assert http.get(reverse("web:client_chart", args=[client.pk])).status_code == 200

    # then: the newest head is anchored, nothing is owed, and the chain verifies against it
    status = checkpoints.checkpoint_status()
    assert status.ok, status
    head = AuditEvent.objects.order_by("-seq").first()
    assert head is not None
    assert checkpoints.checkpoints_read()[-1].seq == head.seq
    assert audit_verify().ok
    assert "nothing owed" in caplog.text


@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_CHECKPOINT_EVERY=3)
def test_a_retry_writes_the_newest_head_once_the_disk_has_room(
    clinic: Clinic, disk_full: Callable[[], None]
) -> None:
    """The worker (or an operator) calls ``checkpoint_retry``: while the disk is full it
    reports the backlog without raising; once there is room it writes the chain head, which
    anchors every older event, and the torn lines the full disk left are skipped."""
    for _ in range(4):
        audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN)
    due_at = AuditEvent.objects.get(seq=3).occurred_at

    still_full = checkpoints.checkpoint_retry()

    assert not still_full.ok
    assert still_full.owed_since == due_at
    assert still_full.checkpoint_seq == 0

    disk_full()
    done = checkpoints.checkpoint_retry()

    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert done.ok, done
    assert done.checkpoint_seq == head
    assert done.error == ""
    assert [p.seq for p in checkpoints.checkpoints_read()] == [head]
    assert audit_verify().ok


@override_settings(AUDIT_CHECKPOINT_EVERY=2)
def test_no_checkpoint_is_owed_while_they_are_written(
    db: None, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    """The status of a healthy chain: nothing owed, even between two checkpoints."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            audit_record(actor=None, actor_username="system", action=AuditAction.LOGIN)

    status = checkpoints.checkpoint_status()

    assert status.ok, status
    assert status.pending_events == status.head_seq - status.checkpoint_seq < 2
    assert (status.owed_since, status.error) == (None, "")


def test_an_unreadable_checkpoint_file_is_reported(db: None) -> None:
    """A checkpoint folder that cannot be read is not taken for a healthy one."""
    checkpoints.checkpoint_path().mkdir(parents=True)  # a directory where the file should be

    status = checkpoints.checkpoint_status()

    assert not status.ok
    assert "unreadable" in status.error


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_refuses_after_the_commit_is_logged_not_raised(
    clinic: Clinic, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: the emailed link is after-commit work too. A refusal leaves the due measure
    made and the run going on; the log names the due measure, never the client's address."""
    client = clinic.client_a
    client.email = "zoe.client@example.org"
    client.save()
    schedule_create(
        actor=clinic.therapist_on_team,
        client=client,
        instrument="gad7",
        every_days=14,
        first_due_on=None,
        send_by_email=True,
    )

    def refuse(*args: object, **kwargs: object) -> int:
        raise smtplib.SMTPRecipientsRefused({"zoe.client@example.org": (550, b"no such user")})

    monkeypatch.setattr("alliance.assessments.schedules.send_mail", refuse)
    caplog.set_level(logging.ERROR)

    assert measures_fall_due() == 1

    due = DueMeasure.objects.get()
    assert f"questionnaire link email for due measure #{due.pk}" in caplog.text
    assert "SMTPRecipientsRefused" in caplog.text
    assert "zoe.client" not in caplog.text
    for value in phi_of(client):
        assert value not in caplog.text


def test_every_after_commit_callback_goes_through_the_guard() -> None:
    """Issue 15: no module of the package calls ``transaction.on_commit`` itself; after-commit
    work is registered by ``alliance.core.aftercommit.after_commit``, which never raises."""
    root = Path(alliance.__file__).parent
    guard = root / "core" / "aftercommit.py"
    offences = []
    for path in sorted(root.rglob("*.py")):
        if path == guard:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "attr", None) or getattr(called, "id", None)
            if name == "on_commit":
                offences.append(f"{path.relative_to(root)}:{node.lineno}")  # type: ignore[attr-defined]
    assert offences == [], offences


@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_CHECKPOINT_EVERY=3)
def test_healthz_reports_the_owed_checkpoint_and_the_worker_pays_it(
    clinic: Clinic, disk_full: Callable[[], None]
) -> None:
    """/healthz fails while a checkpoint is owed (times only, no counts), and the worker's
    periodic job writes it once the disk has room."""
    from alliance.operations.worker import AUDIT_CHECKPOINT, Worker, periodic_jobs
    from tests.operations.test_health import healthz, worker_seen

    worker_seen(beat_ago=1, cycle_ago=1)
    for _ in range(4):
        audit_record(actor=clinic.therapist_on_team, action=AuditAction.LOGIN)
    status, body = healthz()
    assert status == 503, body
    owed = body["checks"]["audit_checkpoint"]
    assert owed["ok"] is False
    assert owed["owed_since"] == AuditEvent.objects.get(seq=3).occurred_at.isoformat()
    assert "pending" not in str(owed)

    disk_full()
    (job,) = [j for j in periodic_jobs() if j.name == AUDIT_CHECKPOINT]
    Worker(jobs=[job]).run_pass()

    status, body = healthz()
    assert status == 200, body
    assert body["checks"]["audit_checkpoint"] == {
        "ok": True,
        "owed_since": None,
        "owed_age_seconds": None,
        "error": None,
    }
    assert audit_verify().ok
