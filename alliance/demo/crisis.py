"""Demo crisis data: one closed, synthetic crisis episode sent to an emergency department, with
its discharge recorded and one follow-up task still open (the appointment after discharge)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.clients.models import Client
from alliance.crisis.models import ActionKind, CrisisSource, Disposition, TaskKind, TaskStatus
from alliance.crisis.services import (
    crisis_action_add,
    crisis_close,
    crisis_start,
    follow_up_complete,
)
from alliance.staff.models import User

TIMELINE = [
    (ActionKind.CONTACT, 10, "Spoke with the client by phone; stayed on the line."),
    (ActionKind.CONSULTATION, 25, "Consulted the on-call psychiatrist: emergency evaluation."),
    (ActionKind.INTERVENTION, 40, "Arranged transport with the client's partner to the ED."),
]


def demo_crisis(*, therapist: User) -> None:
    """On one of ``therapist``'s clients (the third of the caseload, if there is one)."""
    client = (
        Client.objects.filter(care_team__staff=therapist, care_team__end_on__isnull=True)
        .order_by("pk")
        .distinct()[2:3]
        .first()
    )
    if client is None:
        return
    started = timezone.now() - timedelta(days=3, hours=2)
    with transaction.atomic():
        episode = crisis_start(
            actor=therapist,
            client=client,
            source=CrisisSource.PHONE_CALL,
            presenting_concern="Called the clinic saying she had a plan to overdose tonight.",
            started_at=started,
        )
        for kind, minutes, text in TIMELINE:
            crisis_action_add(
                actor=therapist,
                episode=episode,
                kind=kind,
                occurred_at=started + timedelta(minutes=minutes),
                text=text,
            )
        crisis_close(
            actor=therapist,
            episode=episode,
            disposition=Disposition.EMERGENCY_DEPARTMENT,
            facility="Riverside General Hospital emergency department",
            note="Evaluated and discharged home with her partner.",
            discharge_date=timezone.localdate() - timedelta(days=2),
        )
        done: dict[str, str] = {
            TaskKind.CARING_CONTACT: "Called the day after: safe at home, partner present.",
            TaskKind.SAFETY_PLAN_REVIEW: "Reviewed the safety plan by phone; added a warm line.",
        }
        for task in episode.follow_up_tasks.filter(kind__in=list(done)):
            follow_up_complete(
                actor=therapist, task=task, status=TaskStatus.DONE, note=done[task.kind]
            )
