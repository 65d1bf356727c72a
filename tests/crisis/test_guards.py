"""The database itself keeps crisis records whole (REL-01, REL-02, SEC-11, SEC-25).

Raw SQL and ``QuerySet.update()`` skip ``save()``; the triggers refuse them all the same. Each
test runs on SQLite and, with ``ALLIANCE_DATABASE_URL`` set, on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from alliance.core.dbguards import APPEND_ONLY_MESSAGE
from alliance.crisis.guards import DELETE_MESSAGE, FINAL_MESSAGE, MOVE_MESSAGE
from alliance.crisis.models import (
    ActionKind,
    CrisisAction,
    CrisisEpisode,
    Disposition,
    FollowUpTask,
    TaskKind,
)
from alliance.crisis.services import crisis_action_add, crisis_discharge_record, follow_up_complete
from tests.crisis.conftest import to_emergency_department
from tests.personas import Clinic

EPISODE = CrisisEpisode._meta.db_table
TASK = FollowUpTask._meta.db_table
ACTION = CrisisAction._meta.db_table


def refused(change: Callable[[], object], message: str) -> None:
    """``change`` fails in the database with ``message``, and leaves no trace."""
    pattern = re.escape(message.split(" (")[0])
    with pytest.raises(DatabaseError, match=pattern), transaction.atomic():
        change()


def raw(sql: str, params: list[object]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@pytest.fixture
def action(clinic: Clinic, episode: CrisisEpisode) -> CrisisAction:
    return crisis_action_add(
        actor=clinic.therapist_on_team,
        episode=episode,
        kind=ActionKind.CONSULTATION,
        occurred_at=timezone.now(),
        text="Consulted the on-call psychiatrist.",
    )


def test_timeline_entries_cannot_be_edited_or_deleted(action: CrisisAction) -> None:
    """SEC-25, REL-01: the timeline is append-only, by SQL and by the ORM."""
    refused(
        lambda: raw(f"UPDATE {ACTION} SET text = %s WHERE id = %s", ["x", action.pk]),
        APPEND_ONLY_MESSAGE,
    )
    refused(
        lambda: CrisisAction.objects.filter(pk=action.pk).update(kind="other"), APPEND_ONLY_MESSAGE
    )
    refused(lambda: raw(f"DELETE FROM {ACTION} WHERE id = %s", [action.pk]), APPEND_ONLY_MESSAGE)
    assert CrisisAction.objects.get(pk=action.pk).text == "Consulted the on-call psychiatrist."


def test_episodes_and_tasks_are_never_deleted(episode: CrisisEpisode) -> None:
    """REL-02: not even by raw SQL."""
    task = FollowUpTask.objects.get(episode=episode)
    refused(lambda: raw(f"DELETE FROM {TASK} WHERE id = %s", [task.pk]), DELETE_MESSAGE)
    refused(lambda: raw(f"DELETE FROM {EPISODE} WHERE id = %s", [episode.pk]), DELETE_MESSAGE)
    assert FollowUpTask.objects.filter(pk=task.pk).exists()


def test_an_episode_cannot_move_to_another_client_or_change_its_start(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    """SEC-11: client, starter, start time and presenting concern stay as recorded."""
    rows = CrisisEpisode.objects.filter(pk=episode.pk)
    refused(lambda: rows.update(client=clinic.client_b), MOVE_MESSAGE)
    refused(lambda: rows.update(started_by=clinic.psychiatrist), MOVE_MESSAGE)
    refused(lambda: rows.update(presenting_concern="Nothing much."), MOVE_MESSAGE)
    task = FollowUpTask.objects.filter(episode=episode)
    refused(lambda: task.update(client=clinic.client_b), MOVE_MESSAGE)
    refused(lambda: task.update(due_at=timezone.now() + timedelta(days=30)), MOVE_MESSAGE)


def test_a_disposition_and_a_discharge_are_final(clinic: Clinic, episode: CrisisEpisode) -> None:
    """REL-01: once closed, the disposition cannot be rewritten or the episode reopened."""
    to_emergency_department(clinic, episode)
    rows = CrisisEpisode.objects.filter(pk=episode.pk)
    refused(lambda: rows.update(disposition=Disposition.MOBILE_CRISIS), FINAL_MESSAGE)
    refused(lambda: rows.update(status="open"), FINAL_MESSAGE)
    refused(
        lambda: raw(f"UPDATE {EPISODE} SET facility = '' WHERE id = %s", [episode.pk]),
        FINAL_MESSAGE,
    )

    crisis_discharge_record(
        actor=clinic.therapist_on_team, episode=episode, discharge_date=timezone.localdate()
    )
    refused(lambda: rows.update(discharge_date=None), FINAL_MESSAGE)
    assert rows.get().disposition == Disposition.EMERGENCY_DEPARTMENT


def test_a_completed_task_stays_completed(clinic: Clinic, episode: CrisisEpisode) -> None:
    """REL-01: outcome, status and who completed it are final."""
    task = FollowUpTask.objects.get(episode=episode, kind=TaskKind.CARING_CONTACT)
    follow_up_complete(actor=clinic.therapist_on_team, task=task, status="done", note="Called.")
    rows = FollowUpTask.objects.filter(pk=task.pk)
    refused(lambda: rows.update(status="open", completed_at=None), FINAL_MESSAGE)
    refused(lambda: rows.update(outcome_note="Rewritten."), FINAL_MESSAGE)
    assert rows.get().outcome_note == "Called."
