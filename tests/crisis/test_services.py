"""Crisis services: who may write, what they validate, which follow-up tasks fall due when, and
that two people doing the same one-time step never both succeed (REL-04)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from alliance.access.policy import ClientNotFound
from alliance.assessments.models import CriticalAlert
from alliance.audit.models import AuditEvent
from alliance.crisis.models import (
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
from alliance.crisis.services import (
    DischargeAlreadyRecorded,
    EpisodeAlreadyClosed,
    TaskAlreadyClosed,
    crisis_action_add,
    crisis_close,
    crisis_discharge_record,
    follow_up_complete,
    follow_up_due_at,
)
from tests.crisis.conftest import start, to_emergency_department
from tests.personas import Clinic

# A moment close to the real one: the persona clinic's care teams started 30 days ago.
NOW = timezone.now().replace(microsecond=0)


def tasks(episode: CrisisEpisode) -> dict[str, FollowUpTask]:
    return {t.kind: t for t in FollowUpTask.objects.filter(episode=episode)}


# ------------------------------------------------------------------------------- starting


def test_starting_an_episode_makes_a_caring_contact_due_24_hours_later(clinic: Clinic) -> None:
    """The caring contact is due 24 h after the start, the one task the start creates."""
    with freeze_time(NOW):
        episode = start(clinic, started_at=NOW - timedelta(hours=2))

    assert episode.status == EpisodeStatus.OPEN
    assert episode.started_by == clinic.therapist_on_team
    found = tasks(episode)
    assert list(found) == [TaskKind.CARING_CONTACT]
    assert found[TaskKind.CARING_CONTACT].due_at == NOW + timedelta(hours=22)
    assert found[TaskKind.CARING_CONTACT].client == clinic.client_a


def test_starting_is_audited_with_the_episode_and_the_task(clinic: Clinic) -> None:
    """SEC-23: the new episode and its task each leave a CREATE event naming the client."""
    episode = start(clinic)

    events = AuditEvent.objects.filter(action="create", client_id=clinic.client_a.pk)
    assert set(events.values_list("object_type", flat=True)) == {
        "crisis.CrisisEpisode",
        "crisis.FollowUpTask",
    }
    assert events.get(object_type="crisis.CrisisEpisode").object_id == str(episode.pk)


def test_someone_outside_the_care_team_cannot_start_an_episode(clinic: Clinic) -> None:
    """SEC-10: a clinician without a care relationship gets the 404 of a missing client."""
    with pytest.raises(ClientNotFound):
        start(clinic, actor=clinic.therapist_off_team)
    assert not CrisisEpisode.objects.exists()


def test_an_episode_from_an_alert_names_it_and_an_alert_of_another_client_is_refused(
    clinic: Clinic,
) -> None:
    """SEC-11: the alert must be the same client's; its source is then always "alert"."""
    alert = CriticalAlert.objects.create(
        client=clinic.client_a, instrument="phq9", flags=["phq9_item9"], raised_at=NOW
    )
    other = CriticalAlert.objects.create(
        client=clinic.client_b, instrument="phq9", flags=["phq9_item9"], raised_at=NOW
    )

    episode = start(clinic, alert=alert, source=CrisisSource.WALK_IN)
    assert (episode.source, episode.alert) == (CrisisSource.ALERT, alert)
    with pytest.raises(ClientNotFound):
        start(clinic, alert=other)
    assert CrisisEpisode.objects.count() == 1


def test_bad_start_input_is_refused_field_by_field(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        start(clinic, source=CrisisSource.ALERT, started_at=NOW + timedelta(hours=1))
    assert set(refused.value.error_dict) == {"source", "started_at"}
    assert not CrisisEpisode.objects.exists()
    assert not FollowUpTask.objects.exists()


# ------------------------------------------------------------------------------ timeline


def test_actions_append_to_the_timeline_and_corrections_name_their_entry(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    first = crisis_action_add(
        actor=clinic.therapist_on_team,
        episode=episode,
        kind=ActionKind.CONTACT,
        occurred_at=timezone.now(),
        text="Spoke with the client's sister.",
    )
    correction = crisis_action_add(
        actor=clinic.psychiatrist,
        episode=episode,
        kind=ActionKind.CONTACT,
        occurred_at=timezone.now(),
        text="Correction: it was her brother, not her sister.",
        corrects=first,
    )

    assert correction.corrects == first
    assert correction.recorded_by == clinic.psychiatrist
    assert CrisisAction.objects.get(pk=first.pk).text == "Spoke with the client's sister."


def test_an_action_cannot_precede_the_episode_or_lie_in_the_future(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    for when in (episode.started_at - timedelta(minutes=1), timezone.now() + timedelta(hours=1)):
        with pytest.raises(ValidationError) as refused:
            crisis_action_add(
                actor=clinic.therapist_on_team,
                episode=episode,
                kind=ActionKind.INTERVENTION,
                occurred_at=when,
                text="Safety planning.",
            )
        assert list(refused.value.error_dict) == ["occurred_at"]
    assert not CrisisAction.objects.exists()


def test_a_correction_must_name_an_entry_of_the_same_episode(clinic: Clinic) -> None:
    """SEC-11: a timeline entry cannot be attached to another episode's entry."""
    one, two = start(clinic), start(clinic)
    entry = crisis_action_add(
        actor=clinic.therapist_on_team,
        episode=one,
        kind=ActionKind.CONTACT,
        occurred_at=timezone.now(),
        text="Called the client.",
    )
    with pytest.raises(ValidationError, match="entry of this episode"):
        crisis_action_add(
            actor=clinic.therapist_on_team,
            episode=two,
            kind=ActionKind.CONTACT,
            occurred_at=timezone.now(),
            text="Correction.",
            corrects=entry,
        )


# --------------------------------------------------------------------- disposition, discharge


def test_closing_makes_a_safety_plan_review_due_72_hours_later(clinic: Clinic) -> None:
    with freeze_time(NOW) as clock:
        episode = start(clinic)
        clock.tick(timedelta(hours=3))
        crisis_close(
            actor=clinic.psychiatrist,
            episode=episode,
            disposition=Disposition.SAFETY_PLAN_UPDATED,
            note="Plan reviewed with the client; sister staying overnight.",
        )

    episode.refresh_from_db()
    assert (episode.status, episode.closed_by) == (EpisodeStatus.CLOSED, clinic.psychiatrist)
    found = tasks(episode)
    assert set(found) == {TaskKind.CARING_CONTACT, TaskKind.SAFETY_PLAN_REVIEW}
    assert found[TaskKind.SAFETY_PLAN_REVIEW].due_at == NOW + timedelta(hours=75)


def test_emergency_department_without_discharge_waits_for_it_and_then_the_follow_up_is_due(
    clinic: Clinic,
) -> None:
    """The follow-up appointment falls due by the end of the 7th day after the discharge."""
    with freeze_time(NOW) as clock:
        episode = to_emergency_department(clinic, start(clinic))
        assert episode.awaits_discharge
        assert TaskKind.FOLLOW_UP_APPOINTMENT not in tasks(episode)

        clock.tick(timedelta(days=2))
        discharged_on = timezone.localdate() - timedelta(days=1)
        crisis_discharge_record(
            actor=clinic.peer_specialist, episode=episode, discharge_date=discharged_on
        )

    due = tasks(episode)[TaskKind.FOLLOW_UP_APPOINTMENT].due_at
    expected = timezone.make_aware(
        datetime.combine(discharged_on + timedelta(days=7), time(23, 59))
    )
    assert due == expected == follow_up_due_at(discharged_on)
    assert timezone.localtime(due).date() == discharged_on + timedelta(days=7)
    assert not episode.awaits_discharge


def test_a_hospitalisation_with_its_discharge_date_makes_both_tasks_at_once(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    crisis_close(
        actor=clinic.therapist_on_team,
        episode=episode,
        disposition=Disposition.VOLUNTARY_HOSPITALISATION,
        facility="Lakeside Behavioral Health",
        discharge_date=timezone.localdate(),
    )
    assert set(tasks(episode)) == set(TaskKind.values)


def test_disposition_rules(clinic: Clinic, episode: CrisisEpisode) -> None:
    """A facility for ED and hospitalisation only; a discharge only after them; a note for
    "other"; nothing is written when refused."""
    cases = [
        ({"disposition": Disposition.EMERGENCY_DEPARTMENT}, {"facility"}),
        (
            {"disposition": Disposition.MOBILE_CRISIS, "facility": "Somewhere"},
            {"facility"},
        ),
        (
            {
                "disposition": Disposition.MOBILE_CRISIS,
                "discharge_date": timezone.localdate(),
            },
            {"discharge_date"},
        ),
        ({"disposition": Disposition.OTHER}, {"disposition_note"}),
        ({"disposition": "sent home"}, {"disposition"}),
        (
            {
                "disposition": Disposition.EMERGENCY_DEPARTMENT,
                "facility": "Riverside",
                "discharge_date": timezone.localdate() + timedelta(days=1),
            },
            {"discharge_date"},
        ),
    ]
    for values, fields in cases:
        with pytest.raises(ValidationError) as refused:
            crisis_close(actor=clinic.therapist_on_team, episode=episode, **values)  # type: ignore[arg-type]
        assert set(refused.value.error_dict) == fields, values
    episode.refresh_from_db()
    assert episode.is_open
    assert list(tasks(episode)) == [TaskKind.CARING_CONTACT]


def test_the_second_of_two_closings_is_refused_and_carries_the_first(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    """REL-04: both loaded the open episode; the second writes nothing and sees the first."""
    stale = CrisisEpisode.objects.get(pk=episode.pk)
    to_emergency_department(clinic, episode)

    with pytest.raises(EpisodeAlreadyClosed) as conflict:
        crisis_close(
            actor=clinic.psychiatrist, episode=stale, disposition=Disposition.MOBILE_CRISIS
        )

    assert conflict.value.current.disposition == Disposition.EMERGENCY_DEPARTMENT
    assert FollowUpTask.objects.filter(kind=TaskKind.SAFETY_PLAN_REVIEW).count() == 1


def test_a_discharge_is_recorded_once(clinic: Clinic, episode: CrisisEpisode) -> None:
    to_emergency_department(clinic, episode)
    stale = CrisisEpisode.objects.get(pk=episode.pk)
    crisis_discharge_record(
        actor=clinic.therapist_on_team, episode=episode, discharge_date=timezone.localdate()
    )
    with pytest.raises(DischargeAlreadyRecorded):
        crisis_discharge_record(
            actor=clinic.psychiatrist, episode=stale, discharge_date=timezone.localdate()
        )
    assert FollowUpTask.objects.filter(kind=TaskKind.FOLLOW_UP_APPOINTMENT).count() == 1


def test_no_discharge_without_a_facility_disposition(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    with pytest.raises(ValidationError):
        crisis_discharge_record(
            actor=clinic.therapist_on_team, episode=episode, discharge_date=timezone.localdate()
        )


# ------------------------------------------------------------------------------ follow-up


def test_completing_a_task_records_who_when_and_the_outcome_and_is_audited(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    """SEC-23: completing a task is a change of the record, audited with its new status."""
    task = tasks(episode)[TaskKind.CARING_CONTACT]
    done = follow_up_complete(
        actor=clinic.peer_specialist,
        task=task,
        status=TaskStatus.DONE,
        note="Reached her by phone; feeling safer.",
    )

    assert (done.status, done.completed_by) == (TaskStatus.DONE, clinic.peer_specialist)
    assert done.completed_at is not None
    event = AuditEvent.objects.get(action="change", object_type="crisis.FollowUpTask")
    assert (event.client_id, event.detail["status"]) == (clinic.client_a.pk, "done")
    assert "feeling" not in str(event.detail)


def test_not_needed_needs_a_reason_and_done_needs_an_outcome(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    task = tasks(episode)[TaskKind.CARING_CONTACT]
    for status in (TaskStatus.NOT_NEEDED, TaskStatus.DONE):
        with pytest.raises(ValidationError):
            follow_up_complete(actor=clinic.therapist_on_team, task=task, status=status, note=" ")
    task.refresh_from_db()
    assert task.is_open

    follow_up_complete(
        actor=clinic.therapist_on_team,
        task=task,
        status=TaskStatus.NOT_NEEDED,
        note="Client admitted to hospital; inpatient team in contact.",
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_NEEDED


def test_a_task_is_completed_once(clinic: Clinic, episode: CrisisEpisode) -> None:
    """REL-04: the second completion writes nothing and carries the first one's outcome."""
    task = tasks(episode)[TaskKind.CARING_CONTACT]
    stale = FollowUpTask.objects.get(pk=task.pk)
    follow_up_complete(actor=clinic.therapist_on_team, task=task, status="done", note="Called.")
    with pytest.raises(TaskAlreadyClosed) as conflict:
        follow_up_complete(actor=clinic.psychiatrist, task=stale, status="done", note="Me too.")
    assert conflict.value.current.outcome_note == "Called."
    assert conflict.value.current.completed_by == clinic.therapist_on_team


def test_only_the_care_relationship_completes_a_task(
    clinic: Clinic, episode: CrisisEpisode
) -> None:
    """SEC-10: outside the care relationship the task does not exist."""
    task = tasks(episode)[TaskKind.CARING_CONTACT]
    with pytest.raises(ClientNotFound):
        follow_up_complete(
            actor=clinic.therapist_off_team, task=task, status="done", note="Called."
        )
    task.refresh_from_db()
    assert task.is_open
