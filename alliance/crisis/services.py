"""Writing crisis episodes and follow-up tasks (STYLE habit 2): validate, check access, write,
audit, in one transaction.

Every write asks the access policy again for CHART_WRITE on the client (a 404 outside it). The
follow-up tasks are created here and nowhere else, by the write that makes them due:

- starting an episode: a caring contact, due 24 hours after the episode started;
- closing it (with its disposition): a safety plan review, due 72 hours after it closed;
- a discharge from an emergency department or hospital: a follow-up appointment, due by the end
  of the 7th day after the discharge date.

Closing, recording a discharge and completing a task are conditional ``UPDATE``s: of two people
doing it at once, the second gets an exception carrying what the first saved, and writes
nothing (REL-04). The database refuses any later change to what they wrote (``crisis.guards``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from alliance.access.policy import ClientNotFound, client_for
from alliance.assessments.models import CriticalAlert
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.crisis.models import (
    FACILITY_DISPOSITIONS,
    ActionKind,
    CrisisAction,
    CrisisEpisode,
    CrisisSource,
    Disposition,
    EpisodeStatus,
    FollowUpTask,
    TaskKind,
    TaskStatus,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

M = TypeVar("M", bound=models.Model)

CARING_CONTACT_WITHIN = timedelta(hours=24)
SAFETY_PLAN_REVIEW_WITHIN = timedelta(hours=72)
FOLLOW_UP_WITHIN_DAYS = 7
# A follow-up appointment "within 7 days" may take place any time on the 7th day.
END_OF_DAY = time(23, 59)
# Clocks of phones and workstations differ a little from the server's.
CLOCK_SKEW = timedelta(minutes=5)


class EpisodeChanged(Exception):
    """Someone changed the episode meanwhile; ``current`` is the episode as now saved."""

    def __init__(self, current: CrisisEpisode) -> None:
        super().__init__(f"{self.__doc__} (episode {current.pk})")
        self.current = current


class EpisodeAlreadyClosed(EpisodeChanged):
    """The episode was closed by someone else meanwhile."""


class DischargeAlreadyRecorded(EpisodeChanged):
    """The discharge was recorded by someone else meanwhile."""


class TaskAlreadyClosed(Exception):
    """Someone completed the task meanwhile; ``current`` is the task as now saved."""

    def __init__(self, current: FollowUpTask) -> None:
        super().__init__("the follow-up task was completed by someone else meanwhile")
        self.current = current


# ---------------------------------------------------------------------------------- helpers


def _writable(actor: User, client_id: int) -> Client:
    return client_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)


def _required_text(errors: dict[str, list[str]], field: str, value: str, message: str) -> str:
    text = value.strip()
    if not text:
        errors[field] = [message]
    return text


def _not_in_future(moment: datetime, now: datetime) -> bool:
    return moment <= now + CLOCK_SKEW


def _created(actor: User, row: M, client_id: int, detail: dict[str, object]) -> M:
    """Audit the creation of ``row`` (inside the caller's transaction) and return it."""
    audit_record(
        actor=actor, action=AuditAction.CREATE, client=client_id, target=row, detail=detail
    )
    return row


def _task_create(
    *, actor: User, episode: CrisisEpisode, kind: TaskKind, due_at: datetime
) -> FollowUpTask:
    task = FollowUpTask.objects.create(
        client_id=episode.client_id, episode=episode, kind=kind, due_at=due_at
    )
    return _created(actor, task, episode.client_id, {"episode": episode.pk, "kind": str(kind)})


def _episode_update(
    *,
    actor: User,
    episode: CrisisEpisode,
    unless: type[EpisodeChanged],
    detail: dict[str, object],
    condition: dict[str, object],
    values: dict[str, object],
) -> None:
    """``UPDATE … WHERE condition`` (REL-04): if it changed nothing, someone was first, and
    ``unless`` carries what they saved. Then reload the episode and audit the change."""
    changed = CrisisEpisode.objects.filter(pk=episode.pk, **condition).update(
        **values, updated_at=timezone.now()
    )
    if not changed:
        raise unless(CrisisEpisode.objects.get(pk=episode.pk))
    episode.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        client=episode.client_id,
        target=episode,
        detail=detail,
    )


def follow_up_due_at(discharge_date: date) -> datetime:
    """When the follow-up appointment after a discharge on ``discharge_date`` is due."""
    day = discharge_date + timedelta(days=FOLLOW_UP_WITHIN_DAYS)
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def _discharge_errors(episode: CrisisEpisode, discharge_date: date) -> dict[str, list[str]]:
    if discharge_date > timezone.localdate():
        return {"discharge_date": ["A discharge cannot be recorded before it happens."]}
    if discharge_date < timezone.localtime(episode.started_at).date():
        return {"discharge_date": ["The discharge cannot be before the crisis episode started."]}
    return {}


# ------------------------------------------------------------------------------- episodes


def crisis_start(
    *,
    actor: User,
    client: Client,
    source: str,
    presenting_concern: str,
    started_at: datetime | None = None,
    alert: CriticalAlert | None = None,
) -> CrisisEpisode:
    """Open a crisis episode, and the caring-contact task due 24 hours after its start.

    An episode started from a critical-item alert has the source "alert" and names it; the alert
    must be the same client's (a 404 otherwise, SEC-11).
    """
    client = _writable(actor, client.pk)
    if alert is not None:
        if alert.client_id != client.pk:
            raise ClientNotFound
        source = CrisisSource.ALERT
    now = timezone.now()
    started_at = started_at or now
    errors: dict[str, list[str]] = {}
    if source not in CrisisSource.values:
        errors["source"] = ["Choose how the crisis came to the team."]
    elif source == CrisisSource.ALERT and alert is None:
        errors["source"] = ["Start the episode from the alert itself, on the chart or home page."]
    concern = _required_text(
        errors, "presenting_concern", presenting_concern, "Describe the presenting concern."
    )
    if not _not_in_future(started_at, now):
        errors["started_at"] = ["A crisis episode cannot start in the future."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        episode = _created(
            actor,
            CrisisEpisode.objects.create(
                client=client,
                source=source,
                alert=alert,
                started_by=actor,
                started_at=started_at,
                presenting_concern=concern,
            ),
            client.pk,
            {"source": source, "alert": alert.pk if alert else None},
        )
        _task_create(
            actor=actor,
            episode=episode,
            kind=TaskKind.CARING_CONTACT,
            due_at=started_at + CARING_CONTACT_WITHIN,
        )
    return episode


def crisis_action_add(
    *,
    actor: User,
    episode: CrisisEpisode,
    kind: str,
    occurred_at: datetime,
    text: str,
    corrects: CrisisAction | None = None,
) -> CrisisAction:
    """Append one entry to the episode's timeline (also after it closed: late entries and
    corrections). A correction names an earlier entry of the same episode."""
    _writable(actor, episode.client_id)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if kind not in ActionKind.values:
        errors["kind"] = ["Choose the kind of action."]
    body = _required_text(errors, "text", text, "Describe what was done.")
    if not _not_in_future(occurred_at, now):
        errors["occurred_at"] = ["An action cannot be recorded before it happens."]
    elif occurred_at < episode.started_at.replace(second=0, microsecond=0):
        # Forms give times to the minute: an entry in the minute the episode started is fine.
        errors["occurred_at"] = ["The action cannot be before the crisis episode started."]
    if corrects is not None and corrects.episode_id != episode.pk:
        errors["corrects"] = ["Choose an entry of this episode."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _created(
            actor,
            CrisisAction.objects.create(
                episode=episode,
                kind=kind,
                occurred_at=occurred_at,
                recorded_by=actor,
                recorded_at=now,
                text=body,
                corrects=corrects,
            ),
            episode.client_id,
            {"episode": episode.pk, "kind": kind, "corrects": getattr(corrects, "pk", None)},
        )


def crisis_close(
    *,
    actor: User,
    episode: CrisisEpisode,
    disposition: str,
    note: str = "",
    facility: str = "",
    discharge_date: date | None = None,
) -> CrisisEpisode:
    """Record the disposition and close the episode; a safety plan review falls due.

    Emergency department and hospitalisation name the facility; the discharge date may be given
    now or later (``crisis_discharge_record``), and makes the follow-up appointment due.
    """
    _writable(actor, episode.client_id)
    errors: dict[str, list[str]] = {}
    if disposition not in Disposition.values:
        errors["disposition"] = ["Choose the disposition."]
    to_facility = disposition in FACILITY_DISPOSITIONS
    facility = facility.strip()
    note = note.strip()
    if to_facility and not facility:
        errors["facility"] = ["Name the emergency department or hospital."]
    if not to_facility and facility:
        errors["facility"] = ["Only an emergency department or hospital has a facility."]
    if disposition == Disposition.OTHER and not note:
        errors["disposition_note"] = ["Describe the disposition."]
    if discharge_date is not None:
        if not to_facility:
            errors["discharge_date"] = [
                "A discharge is recorded only after an emergency department or hospital."
            ]
        else:
            errors.update(_discharge_errors(episode, discharge_date))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    discharge: dict[str, object] = (
        {
            "discharge_date": discharge_date,
            "discharge_recorded_at": now,
            "discharge_recorded_by": actor,
        }
        if discharge_date
        else {}
    )
    with transaction.atomic():
        _episode_update(
            actor=actor,
            episode=episode,
            unless=EpisodeAlreadyClosed,
            detail={"closed": True, "disposition": disposition, "discharge": bool(discharge)},
            condition={"status": EpisodeStatus.OPEN},
            values={
                "status": EpisodeStatus.CLOSED,
                "disposition": disposition,
                "disposition_note": note,
                "facility": facility,
                "closed_at": now,
                "closed_by": actor,
                **discharge,
            },
        )
        _task_create(
            actor=actor,
            episode=episode,
            kind=TaskKind.SAFETY_PLAN_REVIEW,
            due_at=now + SAFETY_PLAN_REVIEW_WITHIN,
        )
        if discharge_date:
            _task_create(
                actor=actor,
                episode=episode,
                kind=TaskKind.FOLLOW_UP_APPOINTMENT,
                due_at=follow_up_due_at(discharge_date),
            )
    return episode


def crisis_discharge_record(
    *, actor: User, episode: CrisisEpisode, discharge_date: date
) -> CrisisEpisode:
    """Record the discharge from the emergency department or hospital; the follow-up
    appointment falls due 7 days later."""
    _writable(actor, episode.client_id)
    if episode.is_open or not episode.goes_to_facility:
        raise ValidationError(
            {
                "discharge_date": [
                    "A discharge is recorded after a disposition to an emergency department "
                    "or hospital."
                ]
            }
        )
    errors = _discharge_errors(episode, discharge_date)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _episode_update(
            actor=actor,
            episode=episode,
            unless=DischargeAlreadyRecorded,
            detail={"discharge": True},
            condition={"discharge_date__isnull": True},
            values={
                "discharge_date": discharge_date,
                "discharge_recorded_at": timezone.now(),
                "discharge_recorded_by": actor,
            },
        )
        _task_create(
            actor=actor,
            episode=episode,
            kind=TaskKind.FOLLOW_UP_APPOINTMENT,
            due_at=follow_up_due_at(discharge_date),
        )
    return episode


# ------------------------------------------------------------------------------ follow-up


def follow_up_complete(*, actor: User, task: FollowUpTask, status: str, note: str) -> FollowUpTask:
    """Mark a follow-up task done (with its outcome) or not needed (with the reason why)."""
    _writable(actor, task.client_id)
    note = note.strip()
    if status == TaskStatus.DONE:
        if not note:
            raise ValidationError({"note": ["Describe the outcome."]})
    elif status == TaskStatus.NOT_NEEDED:
        if not note:
            raise ValidationError({"note": ["Say why this follow-up is not needed."]})
    else:
        raise ValidationError({"note": ["Choose whether the task is done or not needed."]})
    now = timezone.now()
    with transaction.atomic():
        changed = FollowUpTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            status=status, completed_at=now, completed_by=actor, outcome_note=note, updated_at=now
        )
        if not changed:
            raise TaskAlreadyClosed(
                FollowUpTask.objects.select_related("completed_by").get(pk=task.pk)
            )
        task.refresh_from_db()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=task.client_id,
            target=task,
            detail={"kind": task.kind, "status": status},
        )
    return task
