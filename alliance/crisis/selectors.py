"""Reads of crisis episodes and follow-up tasks (STYLE habit 3): actor first, through the access
policy, audited.

An episode or task is reached through its client (``policy.client_for``: a 404 outside the care
relationship, identical to a missing one). Follow-up tasks belong to the whole care team: the
home page lists the open tasks of every client on whose current care team the actor is, and a
supervisor's page lists the overdue ones of their supervisees' clients. Lists are audited with
the client ids they showed (SEC-23).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone

from alliance.access.models import CareTeamMember
from alliance.access.policy import ClientNotFound, client_for, clients_visible_to, supervisee_ids
from alliance.assessments.models import CriticalAlert
from alliance.audit.actions import AuditAction
from alliance.audit.reads import read_record
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.crisis.models import (
    CrisisAction,
    CrisisEpisode,
    EpisodeStatus,
    FollowUpTask,
    TaskStatus,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


class EpisodeNotFound(Http404):
    """No such episode, or not one this actor may see: deliberately the same answer."""


class TaskNotFound(Http404):
    """No such task, or not one this actor may see: deliberately the same answer."""


def _audit_list(actor: User, view: str, client_ids: Iterable[int]) -> None:
    """A page listing clients is a read of their records (SEC-23), as the caseload is."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            detail={"view": view, "client_ids": sorted(set(client_ids))},
        )


# ------------------------------------------------------------------------------- episodes


def _of_client(
    *,
    actor: User,
    client_id: object,
    object_id: object,
    queryset: QuerySet[Any],
    capability: Capability,
    not_found: type[Http404],
) -> Any:
    """The row ``object_id`` of ``queryset`` if it belongs to a client on whom ``actor`` may use
    ``capability``, its read audited (``audit.reads``: once, when a page shows it); otherwise
    ``not_found``, audited as a denied attempt (SEC-23)."""
    object_type = queryset.model._meta.label
    try:
        client = client_for(actor=actor, client_id=int(str(client_id)), capability=capability)
        pk = int(str(object_id))
    except (ValueError, ClientNotFound):
        audit_refused(
            actor=actor, client_id=client_id, object_type=object_type, object_id=object_id
        )
        raise not_found from None
    found = queryset.filter(pk=pk, client=client).first()
    if found is None:
        audit_refused(
            actor=actor, client_id=client.pk, object_type=object_type, object_id=object_id
        )
        raise not_found
    read_record(actor=actor, client=client, target=found)
    return found


def episode_for(
    *,
    actor: User,
    client_id: object,
    episode_id: object,
    capability: Capability = Capability.CHART_READ,
) -> CrisisEpisode:
    """One episode of a client the actor may use ``capability`` on; else ``EpisodeNotFound``."""
    episode: CrisisEpisode = _of_client(
        actor=actor,
        client_id=client_id,
        object_id=episode_id,
        queryset=CrisisEpisode.objects.select_related(
            "client", "started_by", "closed_by", "discharge_recorded_by", "alert"
        ),
        capability=capability,
        not_found=EpisodeNotFound,
    )
    return episode


@dataclass(frozen=True)
class EpisodeDetail:
    episode: CrisisEpisode
    actions: list[CrisisAction]
    tasks: list[FollowUpTask]
    now: datetime = field(default_factory=timezone.now)


def episode_detail(*, episode: CrisisEpisode) -> EpisodeDetail:
    """The timeline (oldest first, corrections naming what they correct) and the tasks of an
    episode already read through ``episode_for``."""
    actions = list(
        CrisisAction.objects.filter(episode=episode)
        .select_related("recorded_by", "corrects")
        .order_by("occurred_at", "id")
    )
    tasks = list(
        FollowUpTask.objects.filter(episode=episode)
        .select_related("completed_by")
        .order_by("due_at", "id")
    )
    return EpisodeDetail(episode, actions, tasks)


def alert_for_crisis(*, actor: User, alert_id: object) -> CriticalAlert:
    """The alert an episode is started from, if the actor may write to its client's record."""
    try:
        pk = int(str(alert_id))
    except ValueError:
        raise Http404 from None
    writable = clients_visible_to(actor=actor, capability=Capability.CHART_WRITE)
    alert = CriticalAlert.objects.filter(pk=pk, client__in=writable).select_related("client")
    found = alert.first()
    if found is None:
        audit_refused(
            actor=actor, client_id=None, object_type="assessments.CriticalAlert", object_id=alert_id
        )
        raise Http404
    return found


@dataclass(frozen=True)
class ChartCrisis:
    """What the chart shows: open episodes and open follow-up tasks."""

    episodes: list[CrisisEpisode]
    tasks: list[FollowUpTask]
    now: datetime = field(default_factory=timezone.now)


# The parts of a record the chart asks about before reading them (``core.presence``).
OPEN_EPISODES = Part(
    "crisis.open_episodes",
    lambda client_id: CrisisEpisode.objects.filter(client_id=client_id, status=EpisodeStatus.OPEN),
    "SELECT COUNT(*) FROM crisis_crisisepisode WHERE client_id = %s AND status = 'open'",
)
OPEN_TASKS = Part(
    "crisis.open_tasks",
    lambda client_id: FollowUpTask.objects.filter(client_id=client_id, status=TaskStatus.OPEN),
    "SELECT COUNT(*) FROM crisis_followuptask WHERE client_id = %s AND status = 'open'",
)
EPISODES = Part(
    "crisis.episodes",
    lambda client_id: CrisisEpisode.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM crisis_crisisepisode WHERE client_id = %s",
)
CHART_PARTS = (OPEN_EPISODES, OPEN_TASKS)


def crisis_for_chart(*, client: Client, presence: Presence = UNKNOWN) -> ChartCrisis:
    """For a chart the caller has already opened (and audited) through the policy."""
    episodes: list[CrisisEpisode] = []
    if presence.may_have(OPEN_EPISODES):
        episodes = list(
            CrisisEpisode.objects.filter(client=client, status=EpisodeStatus.OPEN)
            .select_related("started_by")
            .order_by("-started_at")
        )
    tasks: list[FollowUpTask] = []
    if presence.may_have(OPEN_TASKS):
        tasks = list(
            FollowUpTask.objects.filter(client=client, status=TaskStatus.OPEN).order_by(
                "due_at", "id"
            )
        )
    return ChartCrisis(episodes, tasks)


def latest_crisis_at_by_client(client_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these clients' latest crisis episode started (clients with none are left
    out), in one query. For the "review the safety plan" prompt of a page that has already
    checked and audited access to these clients."""
    rows = (
        CrisisEpisode.objects.filter(client_id__in=list(client_ids))
        .order_by()
        .values("client_id")
        .annotate(latest=Max("started_at"))
    )
    return {row["client_id"]: row["latest"] for row in rows}


# ------------------------------------------------------------------------------ follow-up


def task_for(*, actor: User, client_id: object, task_id: object) -> FollowUpTask:
    """One follow-up task of a client whose record the actor may write to; else
    ``TaskNotFound``."""
    task: FollowUpTask = _of_client(
        actor=actor,
        client_id=client_id,
        object_id=task_id,
        queryset=FollowUpTask.objects.select_related("client", "episode", "completed_by"),
        capability=Capability.CHART_WRITE,
        not_found=TaskNotFound,
    )
    return task


@dataclass(frozen=True)
class TaskRow:
    task: FollowUpTask
    overdue: bool
    team: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HomeFollowUps:
    rows: list[TaskRow]
    supervising: bool

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if row.overdue)


def _open_tasks(actor: User, team_staff_ids: list[int]) -> list[FollowUpTask]:
    today = timezone.localdate()
    teams = (
        CareTeamMember.objects.filter(CareTeamMember.active_q(today), staff_id__in=team_staff_ids)
        .order_by()
        .values("client_id")
    )
    return list(
        FollowUpTask.objects.filter(status=TaskStatus.OPEN, client_id__in=teams)
        .filter(client__in=clients_visible_to(actor=actor, capability=Capability.CHART_READ))
        .select_related("client", "episode")
        .order_by("due_at", "id")
    )


def follow_ups_for_home(*, actor: User) -> HomeFollowUps:
    """Open follow-up tasks of the clients on the actor's current care teams, overdue first
    (they are due earliest). A constant number of queries, whatever the number of tasks."""
    now = timezone.now()
    tasks = _open_tasks(actor, [actor.pk])
    rows = [TaskRow(task, task.due_at < now) for task in tasks]
    _audit_list(actor, "follow_ups", [task.client_id for task in tasks])
    return HomeFollowUps(rows, supervising=bool(supervisee_ids(actor, timezone.localdate())))


def overdue_follow_ups_for_supervisor(*, actor: User) -> list[TaskRow]:
    """Overdue follow-up tasks of the clients of the actor's current supervisees, each with the
    supervisees on that client's care team."""
    today, now = timezone.localdate(), timezone.now()
    supervisees = supervisee_ids(actor, today)
    tasks = [task for task in _open_tasks(actor, supervisees) if task.due_at < now]
    members = (
        CareTeamMember.objects.filter(
            CareTeamMember.active_q(today),
            staff_id__in=supervisees,
            client_id__in={task.client_id for task in tasks},
        )
        .select_related("staff")
        .order_by("staff__last_name")
    )
    team: dict[int, list[str]] = {}
    for member in members:
        team.setdefault(member.client_id, []).append(member.staff.display_name)
    _audit_list(actor, "overdue_follow_ups", [task.client_id for task in tasks])
    return [TaskRow(task, True, team.get(task.client_id, [])) for task in tasks]
